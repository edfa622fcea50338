import { invalid, modelNotFound } from './errors.ts';
import { approxTokens, enhancePrompt, MAX_ENHANCED_CHARS, parseLengthLimit, parsePromptRequest, truncateAtWord } from './enhancer.ts';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;
type Role = (typeof ROLES)[number];

export interface ChatRequest {
  model: string;
  messages: Array<{ role: Role; text: string }>;
  n: number;
  maxTokens: number | null;
  stream: boolean;
  includeUsage: boolean;
  /** How to wrap the enhanced prompt: plain text, or a JSON object under this key. */
  jsonKey: string | null;
}

export interface ChatChoice {
  index: number;
  content: string;
  finishReason: 'stop' | 'length';
}

export interface ChatResult {
  choices: ChatChoice[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const quoteList = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ').replace(/, ([^,]*)$/, ', and $1');

function readContent(content: unknown, role: Role, i: number): string {
  const param = `messages[${i}].content`;
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) {
    if (role === 'assistant') return '';
    throw invalid(`Invalid value for '${param}': expected a string, got null.`, param, 'invalid_type');
  }
  if (!Array.isArray(content)) throw invalid(`Invalid type for '${param}': expected one of a string or array of objects, but got ${typeof content} instead.`, param, 'invalid_type');
  if (content.length === 0) throw invalid(`Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`, param, 'empty_array');
  const texts: string[] = [];
  content.forEach((part: unknown, j) => {
    const p = `${param}[${j}]`;
    if (!isRecord(part) || typeof part['type'] !== 'string') throw invalid(`Missing required parameter: '${p}.type'.`, `${p}.type`, 'missing_required_parameter');
    if (part['type'] === 'text') {
      if (typeof part['text'] !== 'string') throw invalid(`Missing required parameter: '${p}.text'.`, `${p}.text`, 'missing_required_parameter');
      texts.push(part['text']);
    }
  });
  return texts.join('\n');
}

function readMessages(raw: unknown): ChatRequest['messages'] {
  if (raw === undefined) throw invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(raw)) throw invalid(`Invalid type for 'messages': expected an array of objects, but got ${typeof raw} instead.`, 'messages', 'invalid_type');
  if (raw.length === 0) throw invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  return raw.map((m: unknown, i) => {
    if (!isRecord(m)) throw invalid(`Invalid type for 'messages[${i}]': expected an object, but got ${typeof m} instead.`, `messages[${i}]`, 'invalid_type');
    const role = m['role'];
    if (role === undefined) throw invalid(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`, 'missing_required_parameter');
    if (!ROLES.includes(role as Role)) throw invalid(`Invalid value: '${String(role)}'. Supported values are: ${quoteList(ROLES)}.`, `messages[${i}].role`, 'invalid_value');
    return { role: role as Role, text: readContent(m['content'], role as Role, i) };
  });
}

function readInt(body: Record<string, unknown>, name: string, min: number, max: number): number | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`Invalid type for '${name}': expected an integer, but got ${typeof v === 'number' ? 'a decimal number' : typeof v} instead.`, name, 'invalid_type');
  if (v < min) throw invalid(`Invalid '${name}': integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, 'integer_below_min_value');
  if (v > max) throw invalid(`Invalid '${name}': integer above maximum value. Expected a value <= ${max}, but got ${v} instead.`, name, 'integer_above_max_value');
  return v;
}

function readJsonKey(format: unknown): string | null {
  if (format === undefined || format === null) return null;
  const f: Record<string, unknown> = isRecord(format) ? format : {};
  const type = f['type'];
  if (type === 'text') return null;
  if (type === 'json_object') return 'prompt';
  if (type === 'json_schema') {
    const schema = isRecord(f['json_schema']) ? f['json_schema']['schema'] : undefined;
    const props = isRecord(schema) && isRecord(schema['properties']) ? schema['properties'] : {};
    const key = Object.keys(props).find((k) => isRecord(props[k]) && props[k]['type'] === 'string');
    if (!key) throw invalid("The emulator's simulated model answers json_schema only with a schema that has a string property to hold the prompt.", 'response_format', 'invalid_value');
    return key;
  }
  throw invalid(`Invalid value: '${String(type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`, 'response_format.type', 'invalid_value');
}

/** Validates a `POST /v1/chat/completions` body the way the real API does, for the fields the emulator honours. */
export function parseChatRequest(body: unknown, models: ReadonlySet<string>): ChatRequest {
  if (!isRecord(body)) throw invalid('We could not parse the JSON body of your request. The OpenAI API expects a JSON object.', null);
  const model = body['model'];
  if (model === undefined || model === null || model === '') throw invalid('you must provide a model parameter', null);
  if (typeof model !== 'string') throw invalid(`Invalid type for 'model': expected a string, but got ${typeof model} instead.`, 'model', 'invalid_type');
  const messages = readMessages(body['messages']);
  if (!models.has(model)) throw modelNotFound(model);
  const temperature = body['temperature'];
  if (temperature !== undefined && temperature !== null && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw invalid(`Invalid 'temperature': expected a number between 0 and 2, but got ${JSON.stringify(temperature)} instead.`, 'temperature', 'invalid_value');
  }
  const maxCompletion = readInt(body, 'max_completion_tokens', 1, 1_000_000);
  const maxTokens = readInt(body, 'max_tokens', 1, 1_000_000);
  const stream = body['stream'] === true;
  const options = body['stream_options'];
  return {
    model,
    messages,
    n: readInt(body, 'n', 1, 128) ?? 1,
    maxTokens: maxCompletion ?? maxTokens,
    stream,
    includeUsage: stream && isRecord(options) && options['include_usage'] === true,
    jsonKey: readJsonKey(body['response_format']),
  };
}

/** Runs the simulated prompt enhancer for every requested choice. */
export function completeChat(req: ChatRequest): ChatResult {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
  const instructions = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.text).join('\n');
  const promptRequest = parsePromptRequest(lastUser?.text ?? '');
  const maxChars = parseLengthLimit(instructions) ?? MAX_ENHANCED_CHARS;
  const choices: ChatChoice[] = [];
  for (let index = 0; index < req.n; index++) {
    const enhanced = enhancePrompt(promptRequest, { variant: index, maxChars });
    const full = req.jsonKey ? JSON.stringify({ [req.jsonKey]: enhanced }) : enhanced;
    const limit = req.maxTokens === null ? null : req.maxTokens * 4;
    const content = limit !== null && full.length > limit ? truncateAtWord(full, limit) : full;
    choices.push({ index, content, finishReason: content === full ? 'stop' : 'length' });
  }
  // Chat formatting costs a few tokens per message and per reply, as tiktoken counts them.
  const promptTokens = req.messages.reduce((sum, m) => sum + approxTokens(m.text) + 4, 3);
  const completionTokens = choices.reduce((sum, c) => sum + approxTokens(c.content), 0);
  return { choices, usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } };
}
