import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import { ApiProblem, notFound, sendProblem } from './errors.ts';
import { Faults, type FaultControls } from './faults.ts';
import { registerRoutes } from './routes.ts';
import { isTerminal, serializeJob, Store } from './store.ts';
import { systemClock, type Clock } from './util.ts';
import { generateWebhookSecret, WebhookSender } from './webhooks.ts';

export type { FaultControls } from './faults.ts';
export { signWebhook } from './webhooks.ts';

export interface ReplicateEmulatorOptions {
  apiToken: string;
  /** Base URL the emulator is reachable at (no trailing slash needed), used for output file URLs. */
  publicUrl: string;
  /** Time multiplier: 1 ≈ realistic (a training takes ~30 s), tests use e.g. 50. */
  speed?: number;
  /** `whsec_<base64>`; generated when absent. */
  webhookSecret?: string;
  logger?: boolean | object;
  clock?: Clock;
}

export interface ReplicateEmulator {
  app: FastifyInstance;
  faults: FaultControls;
  /** The webhook signing secret (same as `GET /v1/webhooks/default/secret`). */
  webhookSecret: string;
  /** Resolves when every queued webhook delivery has been attempted. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^(?:Bearer|Token)\s+(.+)$/i.exec(header.trim());
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const UNAUTHENTICATED = new ApiProblem(401, 'Unauthenticated', 'You did not pass a valid authentication token');

export async function createReplicateEmulator(opts: ReplicateEmulatorOptions): Promise<ReplicateEmulator> {
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const webhookSecret = opts.webhookSecret ?? generateWebhookSecret();
  if (!/^whsec_[A-Za-z0-9+/=]+$/.test(webhookSecret)) throw new Error('webhookSecret must look like whsec_<base64>');
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true });
  const clock = opts.clock ?? systemClock;
  const store = new Store(clock);
  const faults = new Faults(opts.speed ?? 1);
  const serialize = (job: Parameters<typeof serializeJob>[0]): Record<string, unknown> => serializeJob(job, publicUrl, clock.now());
  const webhooks = new WebhookSender({ secret: webhookSecret, faults, logger: app.log, now: () => clock.now(), serialize });
  const ctx: EmulatorContext = { store, faults, webhooks, logger: app.log, publicUrl };
  const hangRelease = new AbortController();

  // JSON bodies: the SDK sends `Content-Type: application/json` with no body on cancel.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = String(raw);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiProblem(400, 'Bad request', 'The request body is not valid JSON'), undefined);
    }
  });

  app.setErrorHandler((err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiProblem) return sendProblem(reply, err);
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode < 500) return sendProblem(reply, new ApiProblem(e.statusCode, 'Bad request', e.message ?? 'Bad request'));
    app.log.error({ err }, 'replicate emulator: unhandled error');
    return sendProblem(reply, new ApiProblem(500, 'Internal server error', 'Something went wrong on our end.'));
  });
  app.setNotFoundHandler((_req, reply) => sendProblem(reply, notFound()));

  // Fault injection and auth for the API surface.
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path === '/_emulator/health') return;
    if (path.startsWith('/_emulator/')) {
      if (!tokenMatches(req.headers.authorization, opts.apiToken)) return sendProblem(reply, UNAUTHENTICATED);
      return;
    }
    if (!path.startsWith('/v1/') && path !== '/v1') return;
    const hang = faults.hangs.shift();
    if (hang !== undefined) {
      await new Promise<void>((resolve) => {
        const t = Number.isFinite(hang) ? setTimeout(resolve, hang) : undefined;
        hangRelease.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
    const fault = faults.httpErrors.shift();
    if (fault) {
      if (fault.status === 429) {
        reply.header('retry-after', String(fault.retryAfter));
        return sendProblem(reply, new ApiProblem(429, 'Request was throttled', `Request was throttled. Expected available in ${fault.retryAfter} second${fault.retryAfter === 1 ? '' : 's'}.`));
      }
      return sendProblem(reply, new ApiProblem(fault.status, 'Internal server error', 'Something went wrong on our end (fault injected by the emulator).'));
    }
    if (!tokenMatches(req.headers.authorization, opts.apiToken)) return sendProblem(reply, UNAUTHENTICATED);
  });

  app.get('/v1/webhooks/default/secret', async () => ({ key: webhookSecret }));

  // Output files (replicate.delivery stand-in): no auth, prediction outputs expire after an hour.
  app.get('/files/*', async (req, reply) => {
    const path = (req.params as Record<string, string>)['*'] ?? '';
    const f = store.getFile(path);
    if (!f) return reply.code(404).type('text/plain').send('Not found');
    return reply.type(f.contentType).header('cache-control', 'public, max-age=3600').send(f.body);
  });

  app.get('/_emulator/health', async () => ({ status: 'ok', service: 'replicate-emulator' }));
  app.get('/_emulator/faults', async () => faults.snapshot());
  app.post('/_emulator/faults', async (req) => {
    try {
      faults.apply(req.body);
    } catch (err) {
      throw new ApiProblem(400, 'Bad request', (err as Error).message);
    }
    return faults.snapshot();
  });

  registerRoutes(app, ctx);

  return {
    app,
    faults,
    webhookSecret,
    webhooksIdle: () => webhooks.idle(),
    async close() {
      hangRelease.abort();
      for (const job of store.jobs.values()) {
        if (!isTerminal(job.status)) {
          job.webhook = undefined;
          job.abort.abort();
        }
      }
      await webhooks.close();
      await app.close();
    },
  };
}
