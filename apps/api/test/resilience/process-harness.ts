import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import Replicate from 'replicate';
import { createLlmEmulator, type LlmEmulator } from '@visiona/emulators/llm';
import { createReplicateEmulator, type ReplicateEmulator } from '@visiona/emulators/replicate';
import { createStorageEmulator } from '@visiona/emulators/storage';
import { createStripeEmulator, DEFAULT_PRICES, type StripeEmulator } from '@visiona/emulators/stripe';
import type { Database } from '../../src/db/index.ts';
import { createPgliteDatabase } from '../../src/db/pglite.ts';
import { createObjectStorage, type ObjectStorage } from '../../src/integrations/storage.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { freePort, GENEROUS_PLANS } from '../helpers/services.ts';

/**
 * The real API as a child process (apps/api/src/server.ts), on a database of its own,
 * with the Storage, Replicate, Stripe and LLM emulators running in the test process.
 * What a process-level test needs and `app.inject` cannot give: `kill -9`, SIGTERM,
 * a restart on the same database, real sockets. See docs/decisions/0023-resilience-tests.md.
 */

const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const SERVICE_KEY = 'resilience-service-key';
const REPLICATE_TOKEN = 'r8_resilience_token';
const LLM_KEY = 'sk-resilience-llm';
const STRIPE_KEY = 'sk_test_visiona_resilience';
const STRIPE_WEBHOOK_SECRET = 'whsec_visiona_resilience_secret';

export const onServer = Boolean(process.env.DATABASE_URL);

export interface ApiProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProcessHarness {
  /** The API's URL; the same across restarts (webhooks are registered with it). */
  base: string;
  dataDir: string;
  replicateEmu: ReplicateEmulator;
  llmEmu: LlmEmulator;
  stripeEmu: StripeEmulator;
  /** The SDK pointed at the Replicate emulator: what Replicate was asked to do. */
  replicate: Replicate;
  /** The private bucket, as the API sees it. */
  storage: ObjectStorage;
  /** The running process, if any. */
  readonly api: ApiProcess | null;
  /** Starts the API and waits until /readyz answers 200. */
  start(): Promise<ApiProcess>;
  /** `kill -9`; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code and how long the process took to exit. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /**
   * Runs `fn` on the API's database with the privileged connection. On a server at any
   * time; on PGlite only while no API process runs (the embedded database is one process's).
   */
  withDb<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  /** Everything the API processes wrote to stdout and stderr (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export async function createProcessHarness(
  opts: { env?: Record<string, string>; speed?: number; replicateHooks?: (app: FastifyInstance) => void } = {},
): Promise<ProcessHarness> {
  const dirs: string[] = [];
  const tmp = async (name: string) => {
    const d = await mkdtemp(path.join(os.tmpdir(), `visiona-resilience-${name}-`));
    dirs.push(d);
    return d;
  };
  const dataDir = await tmp('api');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;

  const storageApp = await createStorageEmulator({ dataDir: await tmp('storage'), serviceKey: SERVICE_KEY });
  await storageApp.listen({ host: '127.0.0.1', port: 0 });
  const storageUrl = `http://127.0.0.1:${(storageApp.server.address() as { port: number }).port}`;

  const replicatePort = await freePort();
  const replicateEmu = await createReplicateEmulator({ apiToken: REPLICATE_TOKEN, publicUrl: `http://127.0.0.1:${replicatePort}`, speed: opts.speed ?? 40 });
  opts.replicateHooks?.(replicateEmu.app);
  await replicateEmu.app.listen({ host: '127.0.0.1', port: replicatePort });

  const llmEmu = await createLlmEmulator({ apiKey: LLM_KEY });
  await llmEmu.app.listen({ host: '127.0.0.1', port: 0 });
  const llmUrl = `http://127.0.0.1:${(llmEmu.app.server.address() as { port: number }).port}/v1`;

  const stripePort = await freePort();
  const stripeEmu = await createStripeEmulator({
    secretKey: STRIPE_KEY,
    publicUrl: `http://127.0.0.1:${stripePort}`,
    prices: [...DEFAULT_PRICES],
    webhookEndpoints: [{ url: `${base}/api/v1/webhooks/stripe`, secret: STRIPE_WEBHOOK_SECRET }],
    retryBaseMs: 100,
  });
  await stripeEmu.app.listen({ host: '127.0.0.1', port: stripePort });

  // On a server: a throwaway database, migrated by the API process itself.
  const serverDb: TestDatabase | null = onServer ? await createTestDatabase({ migrate: false }) : null;

  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  const env: Record<string, string | undefined> = {
    ...inherited,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    PUBLIC_API_URL: base,
    SUPABASE_URL: storageUrl,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    REPLICATE_API_TOKEN: REPLICATE_TOKEN,
    REPLICATE_BASE_URL: `http://127.0.0.1:${replicatePort}/v1`,
    REPLICATE_WEBHOOK_SECRET: replicateEmu.webhookSecret,
    LLM_BASE_URL: llmUrl,
    LLM_API_KEY: LLM_KEY,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
    STRIPE_WEBHOOK_SECRET,
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '10000',
    JOBS_POLL_MS: '50',
    BILLING_PLANS: JSON.stringify(GENEROUS_PLANS),
    ...(serverDb?.url ? { DATABASE_URL: serverDb.url } : {}),
    ...opts.env,
  };

  let api: ApiProcess | null = null;
  const logs: string[] = [];
  const storage = createObjectStorage({ url: storageUrl, serviceKey: SERVICE_KEY, bucket: 'visiona-private', signedUrlTtlSeconds: 600 });

  async function waitReady(proc: ApiProcess, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    let exited = false;
    void proc.exited.then(() => (exited = true));
    while (Date.now() < until && !exited) {
      try {
        if ((await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the API did not become ready${exited ? ' (it exited)' : ''}:\n${logs.join('').slice(-4000)}`);
  }

  async function start(): Promise<ApiProcess> {
    if (api) throw new Error('the API is already running');
    const child = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tag = `[api ${child.pid}] `;
    child.stdout!.on('data', (chunk: Buffer) => logs.push(tag + chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => logs.push(tag + chunk.toString()));
    const proc: ApiProcess = {
      child,
      pid: child.pid!,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    api = proc;
    void proc.exited.then(() => {
      if (api === proc) api = null;
    });
    await waitReady(proc);
    return proc;
  }

  async function kill9(): Promise<void> {
    const proc = api;
    if (!proc) throw new Error('the API is not running');
    proc.child.kill('SIGKILL');
    await proc.exited;
    // A killed worker's jobs stay leased until their lease (the handler's timeout, up to
    // 5 min) expires. On PGlite the restarted process takes them over at start (only one
    // process can open the data folder); on a server another replica cannot know the
    // worker died, so here the clock moves on instead of the test waiting 5 minutes.
    if (serverDb) {
      await serverDb.db.query(`update jobs set locked_until = now() where status = 'running' and locked_by like $1`, [`${os.hostname()}:${proc.pid}:%`]);
    }
  }

  async function terminate() {
    const proc = api;
    if (!proc) throw new Error('the API is not running');
    const started = Date.now();
    proc.child.kill('SIGTERM');
    const { code, signal } = await proc.exited;
    return { code, signal, ms: Date.now() - started };
  }

  async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    if (serverDb) return fn(serverDb.db);
    if (api) throw new Error('the embedded database belongs to the running API process: stop it first');
    const db = await createPgliteDatabase(path.join(dataDir, 'pgdata'));
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  return {
    base,
    dataDir,
    replicateEmu,
    llmEmu,
    stripeEmu,
    replicate: new Replicate({ auth: REPLICATE_TOKEN, baseUrl: `http://127.0.0.1:${replicatePort}/v1` }),
    storage,
    get api() {
      return api;
    },
    start,
    kill9,
    terminate,
    withDb,
    output: () => logs.join(''),
    async close() {
      if (api) {
        api.child.kill('SIGKILL');
        await api.exited;
      }
      await replicateEmu.close();
      await llmEmu.close();
      await stripeEmu.close();
      await storageApp.close();
      await serverDb?.close();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    },
  };
}

/** A JSON request over HTTP with a bearer token; the answer parsed. */
export async function call<T = Record<string, unknown>>(base: string, token: string | null, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/** Signs up a fresh local account over HTTP. */
export async function signUpOver(base: string, email = `resilience.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`) {
  const res = await call<{ token: string; user: { id: string } }>(base, null, 'POST', '/api/v1/auth/signup', { email, password: 'correct horse battery' });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, userId: res.body.user.id };
}

/** Polls `check` until it returns a value; fails after `timeoutMs` with `what`. */
export async function until<T>(check: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
