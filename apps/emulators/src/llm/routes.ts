import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { completeChat, parseChatRequest, type ChatRequest, type ChatResult } from './chat.ts';
import { modelNotFound } from './errors.ts';

/** Marks every answer as the emulator's, outside the text (which goes on to the image model). */
export const SYSTEM_FINGERPRINT = 'fp_visiona_emulator';

export const DEFAULT_MODELS: readonly string[] = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini'];
const CREATED: Record<string, number> = { 'gpt-4o': 1715367049, 'gpt-4o-mini': 1721172741, 'gpt-4.1': 1744316542, 'gpt-4.1-mini': 1744318173 };

export interface RouteContext {
  models: readonly string[];
  /** Unix seconds. */
  now(): number;
}

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function completionId(): string {
  let id = 'chatcmpl-';
  for (const b of randomBytes(29)) id += B62[b % 62];
  return id;
}

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: CREATED[id] ?? 1700000000, owned_by: 'system' };
}

function completionBody(req: ChatRequest, result: ChatResult, id: string, created: number): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created,
    model: req.model,
    choices: result.choices.map((c) => ({
      index: c.index,
      message: { role: 'assistant', content: c.content, refusal: null },
      logprobs: null,
      finish_reason: c.finishReason,
    })),
    usage: { ...result.usage, completion_tokens_details: { reasoning_tokens: 0 } },
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/** Splits text into word-sized pieces that concatenate back to it exactly. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** The `chat.completion.chunk` objects OpenAI streams for this result, in order. */
export function completionChunks(req: ChatRequest, result: ChatResult, id: string, created: number): Array<Record<string, unknown>> {
  const chunk = (choices: unknown[], usage?: unknown): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: req.model,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(req.includeUsage ? { usage: usage ?? null } : {}),
  });
  const out: Array<Record<string, unknown>> = [];
  for (const c of result.choices) {
    const choice = (delta: unknown, finish: string | null): unknown => ({ index: c.index, delta, logprobs: null, finish_reason: finish });
    out.push(chunk([choice({ role: 'assistant', content: '', refusal: null }, null)]));
    for (const piece of pieces(c.content)) out.push(chunk([choice({ content: piece }, null)]));
    out.push(chunk([choice({}, c.finishReason)]));
  }
  if (req.includeUsage) out.push(chunk([], { ...result.usage, completion_tokens_details: { reasoning_tokens: 0 } }));
  return out;
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const known = new Set(ctx.models);

  app.get('/v1/models', async () => ({ object: 'list', data: ctx.models.map(modelObject) }));

  app.get('/v1/models/:model', async (req) => {
    const { model } = req.params as { model: string };
    if (!known.has(model)) throw modelNotFound(model);
    return modelObject(model);
  });

  app.post('/v1/chat/completions', async (req, reply) => {
    const chat = parseChatRequest(req.body, known);
    const result = completeChat(chat);
    const id = completionId();
    const created = ctx.now();
    if (!chat.stream) return reply.type('application/json').send(completionBody(chat, result, id, created));
    const events = completionChunks(chat, result, id, created).map((c) => `data: ${JSON.stringify(c)}\n\n`);
    events.push('data: [DONE]\n\n');
    return reply
      .type('text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(Readable.from(events));
  });
}
