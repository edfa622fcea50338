import { createHash } from 'node:crypto';
import { GENERAL, INTENTS, SLOTS, type Intent, type Slot } from './details.ts';

/** The longest enhanced prompt the simulated model writes (a person's longer prompt is kept whole, unenhanced). */
export const MAX_ENHANCED_CHARS = 600;

export interface PromptRequest {
  /** The person's prompt, whitespace collapsed. */
  prompt: string;
  triggerWord: string | null;
}

const TRIGGER_LINE = /^\s*(?:trigger[ _-]?word|trigger|token)\s*[:=]\s*["'`“]?([^\s"'`”]+)["'`”]?\s*$/i;
const PROMPT_LINE = /^\s*(?:(?:user|original|person's)\s+)?prompt\s*:\s*(.*)$/i;
// ALL_CAPS_WITH_UNDERSCORES, or capitals mixed with digits (TOK1, ZXQ9): what LoRA trainers use as trigger words.
const TRIGGER_TOKEN = /\b(?:[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{3,})\b/;
const CHAR_LIMIT = /\b(?:at most|no more than|up to|under|fewer than|less than|within|max(?:imum)?(?: of)?)\s+(\d{2,5})\s*(characters|chars|words)\b/i;

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const unquote = (s: string): string => s.replace(/^["'“”`]+|["'“”`]+$/g, '').trim();

/**
 * Reads the person's prompt and trigger word out of a user message. Accepts the prompt on its
 * own, a `Prompt:` line, a `Trigger word: X` line, or a JSON object `{prompt, trigger_word}`.
 */
export function parsePromptRequest(text: string): PromptRequest {
  const json = parseJsonRequest(text);
  if (json) return json;
  let triggerWord: string | null = null;
  const kept: string[] = [];
  let fromPromptLine: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    const trigger = TRIGGER_LINE.exec(line);
    if (trigger?.[1]) {
      triggerWord ??= trigger[1];
      continue;
    }
    const promptLine = PROMPT_LINE.exec(line);
    if (promptLine && fromPromptLine === null) {
      fromPromptLine = [promptLine[1] ?? ''];
      continue;
    }
    (fromPromptLine ?? kept).push(line);
  }
  const prompt = unquote(collapse((fromPromptLine ?? kept).join(' ')));
  triggerWord ??= TRIGGER_TOKEN.exec(prompt)?.[0] ?? null;
  return { prompt, triggerWord };
}

function parseJsonRequest(text: string): PromptRequest | null {
  if (!text.trim().startsWith('{')) return null;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v['prompt'] !== 'string') return null;
    const t = v['trigger_word'] ?? v['triggerWord'] ?? v['trigger'];
    return { prompt: unquote(collapse(v['prompt'])), triggerWord: typeof t === 'string' && t.trim() ? t.trim() : null };
  } catch {
    return null;
  }
}

/** A length limit stated in the system message ("at most 300 characters", "under 60 words"), in characters. */
export function parseLengthLimit(system: string): number | null {
  const m = CHAR_LIMIT.exec(system);
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  return /^words$/i.test(m[2] ?? '') ? n * 6 : n;
}

function containsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\w])${escaped}(?:$|[^\\w])`).test(text);
}

export function detectIntents(prompt: string): Intent[] {
  const lower = ` ${prompt.toLowerCase().replace(/[^a-z0-9-]+/g, ' ')} `;
  return INTENTS.filter((intent) => intent.keywords.some((k) => lower.includes(` ${k} `)));
}

function pick(list: readonly string[], seed: string): string {
  const n = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return list[n % list.length] ?? '';
}

export interface EnhanceOptions {
  /** 0 for the first choice; other values give the alternatives a request with `n > 1` gets. */
  variant?: number;
  /** Upper bound in characters, e.g. from the system message; never above MAX_ENHANCED_CHARS. */
  maxChars?: number | null;
}

/**
 * The simulated model: keeps the person's words and trigger word exactly and appends setting,
 * lighting, lens, style and finish details, chosen by the prompt's intent keywords and a hash
 * of the normalised prompt, so the same prompt always gets the same enhancement.
 */
export function enhancePrompt(req: PromptRequest, opts: EnhanceOptions = {}): string {
  const trigger = req.triggerWord;
  const words = req.prompt.replace(/[\s.,;:!]+$/, '');
  let base: string;
  if (!words) base = trigger ? `a portrait photo of ${trigger}` : 'a portrait photo';
  else base = trigger && !containsWord(words, trigger) ? `${trigger}, ${words}` : words;

  const cap = Math.min(MAX_ENHANCED_CHARS, opts.maxChars ?? MAX_ENHANCED_CHARS);
  if (base.length >= cap) return base;
  const intents = detectIntents(base);
  const seed = `${base.toLowerCase()}|${opts.variant ?? 0}`;
  let out = base;
  for (const slot of SLOTS) {
    const phrase = pick(listFor(slot, intents), `${seed}|${slot}`);
    if (out.length + 2 + phrase.length <= cap) out += `, ${phrase}`;
  }
  return out;
}

function listFor(slot: Slot, intents: readonly Intent[]): readonly string[] {
  for (const intent of intents) {
    const list = intent.details[slot];
    if (list) return list;
  }
  return GENERAL[slot];
}

/** Cuts `text` to at most `maxChars`, at a word boundary when there is one. */
export function truncateAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const slice = text.slice(0, maxChars + 1);
  const cut = slice.lastIndexOf(' ');
  const head = cut > 0 ? slice.slice(0, cut) : text.slice(0, maxChars);
  return head.replace(/[\s,;:]+$/, '');
}

/** ~4 characters per token, as OpenAI's own rule of thumb for English. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
