/**
 * The two servers bench/me-throughput.ts compares, run in a child process so
 * that autocannon's load generation does not share their event loop:
 *
 *   api   the real Visiona API (buildApp) with production configuration
 *   bare  a bare Fastify route running the same SELECT as GET /api/v1/me,
 *         with no auth, no RLS transaction and no response schema
 *
 * Both use one Database (BENCH_DATABASE_URL, else PGlite in BENCH_PGLITE_DIR,
 * which only one process may open) and are loaded one at a time, never together.
 *
 * IPC with the parent: sends {type:'ready', ports}; handles 'user' (the id the bare
 * route reads), 'drain' (waits until no database call is in flight), 'reset' and
 * 'stats' (per-server requests and statements, and the process's CPU time since
 * the last reset), and 'stop'.
 */
import { performance } from 'node:perf_hooks';
import { buildApp, loadConfig } from '../../apps/api/src/app.ts';
import type { Database, Queryable } from '../../apps/api/src/db/index.ts';
import { createPgliteDatabase } from '../../apps/api/src/db/pglite.ts';
import { createPostgresDatabase } from '../../apps/api/src/db/postgres.ts';
import { loadOrCreateSecret } from '../../apps/api/src/lib/secrets.ts';
import { importFrom } from '../lib/common.ts';

const ME_SQL = 'select id, email, plan, created_at from users where id = $1';

type Target = 'api' | 'bare';
interface Server {
  listen(opts: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
  addHook(name: 'onRequest', fn: () => Promise<void>): unknown;
  server: { address(): unknown };
}
interface BareReply {
  code(status: number): BareReply;
  send(payload: unknown): BareReply;
}
interface BareServer extends Server {
  get(url: string, handler: (request: unknown, reply: BareReply) => Promise<unknown>): unknown;
}
type FastifyFactory = (opts: { logger: boolean }) => BareServer;

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

const databaseUrl = process.env.BENCH_DATABASE_URL || null;
const pgliteDir = databaseUrl ? null : required('BENCH_PGLITE_DIR');
const poolMax = Number(required('BENCH_POOL_MAX'));

// Per server: HTTP requests received, and statements sent (a transaction adds BEGIN and COMMIT).
const counters: Record<Target, { requests: number; queries: number; transactions: number }> = {
  api: { requests: 0, queries: 0, transactions: 0 },
  bare: { requests: 0, queries: 0, transactions: 0 },
};
let cpuAtReset = process.cpuUsage();
let eluAtReset = performance.eventLoopUtilization();
let timeAtReset = performance.now();

const raw: Database = databaseUrl ? createPostgresDatabase(databaseUrl, poolMax) : await createPgliteDatabase(pgliteDir);

// Database calls in flight: requests autocannon abandoned at the end of a run still finish
// their queries; 'drain' waits for them so they neither leak into the next run nor hit a closed pool.
let pending = 0;
function track<T>(p: Promise<T>): Promise<T> {
  pending += 1;
  return p.finally(() => {
    pending -= 1;
  });
}
async function drain(quietMs = 25, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    if (pending > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The shared database, counting the statements one server sends. */
function countedDb(target: Target): Database {
  const c = counters[target];
  const counted = (q: Queryable): Queryable => ({
    query: (text, params) => {
      c.queries += 1;
      return track(q.query(text, params));
    },
    exec: (sql) => q.exec(sql),
  });
  return {
    kind: raw.kind,
    ...counted(raw),
    transaction: (fn) => {
      c.transactions += 1;
      return track(raw.transaction((tx) => fn(counted(tx))));
    },
    // One round trip: the claims and the statement travel as one simple query.
    queryAsUser: (claims, text, params) => {
      c.queries += 1;
      return track(raw.queryAsUser(claims, text, params));
    },
    close: async () => {},
  };
}

// Ours: exactly what src/server.ts builds, bar the settings noted.
const config = loadConfig({
  NODE_ENV: 'production',
  // Per-request info logs would measure the stdout pipe, not the API; the bare route logs nothing either.
  LOG_LEVEL: 'warn',
  LOG_PRETTY: 'false',
  HOST: '127.0.0.1',
  PORT: '0',
  DATABASE_URL: databaseUrl ?? undefined,
  DATABASE_POOL_MAX: String(poolMax),
  DATA_DIR: pgliteDir ?? '/nonexistent',
  SESSION_SECRET: required('BENCH_SESSION_SECRET'),
  // One user sends every request: the default 600/min per user would turn the run into 429s.
  // The limiter still runs (in-memory store), so its cost is measured.
  RATE_LIMIT_MAX: '1000000',
  // Required in production; GET /api/v1/me never calls Storage or Replicate (the clients connect lazily).
  SUPABASE_URL: 'http://127.0.0.1:9',
  SUPABASE_SERVICE_ROLE_KEY: 'bench-unused',
  REPLICATE_API_TOKEN: 'r8_bench_unused',
  LLM_API_KEY: 'sk-bench-unused',
  REPLICATE_BASE_URL: 'http://127.0.0.1:9/v1',
  REPLICATE_WEBHOOK_SECRET: 'whsec_YmVuY2hiZW5jaGJlbmNoYmVuY2g=',
});
const sessionKey = await loadOrCreateSecret(config.sessionSecret, config.dataDir, 'session');
const api = (await buildApp(config, { db: countedDb('api'), sessionKey })) as unknown as Server;

// Bare: the same SELECT straight off the same database, serialised with JSON.stringify.
let userId: string | null = null;
const bareDb = countedDb('bare');
const fastify = (await importFrom<{ default: FastifyFactory }>('api', 'fastify')).default;
const bare = fastify({ logger: false });
bare.get('/api/v1/me', async (_request, reply) => {
  const { rows } = await bareDb.query(ME_SQL, [userId]);
  if (!rows[0]) return reply.code(404).send({ error: 'not found' });
  return rows[0];
});

const servers: Record<Target, Server> = { api, bare };
const ports = {} as Record<Target, number>;
for (const target of ['api', 'bare'] as const) {
  servers[target].addHook('onRequest', async () => {
    counters[target].requests += 1;
  });
  await servers[target].listen({ host: '127.0.0.1', port: 0 });
  ports[target] = (servers[target].server.address() as { port: number }).port;
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  try {
    await Promise.all([api.close(), bare.close()]);
    await drain();
    await raw.close();
  } finally {
    process.exit(code);
  }
}

process.on('message', (msg: { type: string; id?: string }) => {
  if (msg.type === 'user') {
    userId = msg.id ?? null;
    process.send!({ type: 'user' });
  } else if (msg.type === 'drain') {
    void drain().then(() => process.send!({ type: 'drain' }));
  } else if (msg.type === 'reset') {
    for (const c of Object.values(counters)) Object.assign(c, { requests: 0, queries: 0, transactions: 0 });
    cpuAtReset = process.cpuUsage();
    eluAtReset = performance.eventLoopUtilization();
    timeAtReset = performance.now();
    process.send!({ type: 'reset' });
  } else if (msg.type === 'stats') {
    const cpu = process.cpuUsage(cpuAtReset);
    process.send!({
      type: 'stats',
      api: { ...counters.api },
      bare: { ...counters.bare },
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - timeAtReset,
      eventLoopUtilization: performance.eventLoopUtilization(eluAtReset).utilization,
    });
  } else if (msg.type === 'stop') {
    void stop(0);
  }
});
process.on('SIGTERM', () => void stop(0));
process.on('disconnect', () => void stop(0));

process.send!({ type: 'ready', ports, kind: raw.kind });
