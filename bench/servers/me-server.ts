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
 * Env: BENCH_DATABASE_URL or BENCH_PGLITE_DIR, BENCH_POOL_MAX, BENCH_SESSION_SECRET.
 * IPC (bench/lib/child.ts): sends {type:'ready', ports, kind}; answers 'user' (the id
 * the bare route reads), 'drain' (waits until no database call is in flight), 'reset'
 * and 'stats' (per-server requests and statements, and the process's CPU time and
 * event-loop utilisation since the last reset).
 */
import { benchApiConfig, buildBenchApi, openBenchDatabase } from '../lib/api-server.ts';
import { serveParent } from '../lib/child.ts';
import { importFrom, required } from '../lib/common.ts';
import { createMeter, type Server } from '../lib/throughput-server.ts';

const ME_SQL = 'select id, email, plan, created_at from users where id = $1';

interface BareReply {
  code(status: number): BareReply;
  send(payload: unknown): BareReply;
}
interface BareServer extends Server {
  get(url: string, handler: (request: unknown, reply: BareReply) => Promise<unknown>): unknown;
}
type FastifyFactory = (opts: { logger: boolean }) => BareServer;

const database = await openBenchDatabase(Number(required('BENCH_POOL_MAX')));
const meter = createMeter(database.db, ['api', 'bare'] as const);

// Ours: exactly what src/server.ts builds, bar the settings noted.
const config = benchApiConfig(database, {
  // One user sends every request: the default 600/min per user would turn the run into 429s.
  // The limiter still runs (in-memory store), so its cost is measured.
  RATE_LIMIT_MAX: '1000000',
  // Required in production; GET /api/v1/me never calls Storage (the client connects lazily).
  SUPABASE_URL: 'http://127.0.0.1:9',
  SUPABASE_SERVICE_ROLE_KEY: 'bench-unused',
});
const api = (await buildBenchApi(config, { db: meter.countedDb('api') })) as unknown as Server;

// Bare: the same SELECT straight off the same database, serialised with JSON.stringify.
let userId: string | null = null;
const bareDb = meter.countedDb('bare');
const fastify = (await importFrom<{ default: FastifyFactory }>('api', 'fastify')).default;
const bare = fastify({ logger: false });
bare.get('/api/v1/me', async (_request, reply) => {
  const { rows } = await bareDb.query(ME_SQL, [userId]);
  if (!rows[0]) return reply.code(404).send({ error: 'not found' });
  return rows[0];
});

const ports = await meter.listen({ api, bare });

serveParent(
  { ports, kind: database.db.kind },
  {
    user: (msg) => {
      userId = (msg.userId as string | undefined) ?? null;
      return {};
    },
    ...meter.handlers,
  },
  async () => {
    await Promise.all([api.close(), bare.close()]);
    await meter.drain();
    await database.db.close();
  },
);
