import { randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { incorrectApiKey, MISSING_API_KEY, OpenAiError, rateLimited, sendError, serverError } from './errors.ts';
import { Faults, type FaultControls } from './faults.ts';
import { DEFAULT_MODELS, registerRoutes } from './routes.ts';

export type { FaultControls } from './faults.ts';
export { DEFAULT_MODELS, SYSTEM_FINGERPRINT } from './routes.ts';
export { enhancePrompt, parsePromptRequest, MAX_ENHANCED_CHARS } from './enhancer.ts';

export interface Clock {
  now(): Date;
}

export interface LlmEmulatorOptions {
  /** The key clients send as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Extra delay before every /v1 answer (changeable through `faults.setLatency`). */
  latencyMs?: number;
  /** Model ids served by `/v1/models` and accepted by chat completions; default gpt-4o, gpt-4o-mini, gpt-4.1, gpt-4.1-mini. */
  models?: readonly string[];
  clock?: Clock;
  logger?: boolean | object;
}

export interface LlmEmulator {
  app: FastifyInstance;
  faults: FaultControls;
  /** Releases held requests and stops listening. */
  close(): Promise<void>;
}

function providedKey(header: string | undefined): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return m?.[1]?.trim() || null;
}

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An OpenAI-compatible chat-completions server whose "model" is a deterministic prompt enhancer. */
export async function createLlmEmulator(opts: LlmEmulatorOptions): Promise<LlmEmulator> {
  if (!opts.apiKey) throw new Error('apiKey is required');
  const models = opts.models?.length ? [...opts.models] : [...DEFAULT_MODELS];
  const clock = opts.clock ?? { now: () => new Date() };
  const faults = new Faults(opts.latencyMs ?? 0);
  const closing = new AbortController();
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = String(raw);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new OpenAiError(400, 'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof OpenAiError) return sendError(reply, err);
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode < 500) return sendError(reply, new OpenAiError(e.statusCode, e.message ?? 'Bad request'));
    app.log.error({ err }, 'llm emulator: unhandled error');
    return sendError(reply, serverError(500));
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new OpenAiError(404, `Invalid URL (${req.method} ${req.url.split('?')[0] ?? ''})`)));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', `req_${randomBytes(16).toString('hex')}`);
    const path = req.url.split('?')[0] ?? '';
    if (path === '/_emulator/health') return;
    if (path.startsWith('/v1/')) {
      await sleep(faults.latencyMs, closing.signal);
      const hang = faults.hangs.shift();
      if (hang !== undefined) await sleep(hang, closing.signal);
      const fault = faults.httpErrors.shift();
      if (fault?.status === 429) {
        reply.header('retry-after', String(Math.ceil(fault.retryAfterMs / 1000))).header('retry-after-ms', String(fault.retryAfterMs));
        return sendError(reply, rateLimited(models[0] ?? 'gpt-4o', fault.retryAfterMs));
      }
      if (fault) return sendError(reply, serverError(fault.status));
    } else if (!path.startsWith('/_emulator/')) {
      return;
    }
    const key = providedKey(req.headers.authorization);
    if (!key) return sendError(reply, MISSING_API_KEY);
    if (!keyMatches(key, opts.apiKey)) return sendError(reply, incorrectApiKey(key));
  });

  app.get('/_emulator/health', async () => ({ status: 'ok', service: 'llm-emulator' }));
  app.get('/_emulator/faults', async () => faults.snapshot());
  app.post('/_emulator/faults', async (req) => {
    try {
      faults.apply(req.body);
    } catch (err) {
      throw new OpenAiError(400, (err as Error).message);
    }
    return faults.snapshot();
  });

  registerRoutes(app, { models, now: () => Math.floor(clock.now().getTime() / 1000) });

  return {
    app,
    faults,
    async close() {
      closing.abort();
      await app.close();
    },
  };
}
