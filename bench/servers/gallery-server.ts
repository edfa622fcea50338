/**
 * The servers bench/gallery-throughput.ts compares, in one child process so that
 * autocannon's load generation does not share their event loop (the Storage
 * emulator runs in a third process, bench/servers/storage-server.ts):
 *
 *   api       the real Visiona API (buildApp) with production configuration: its
 *             signed-URL cache, if it has one, warms up on the first request (its Storage
 *             client is the one buildApp would make, passed in so that 'drain' sees its calls)
 *   cold      a second instance of the same API whose Storage client is the real one
 *             but asked for a different TTL on every call, so no signed URL is ever
 *             reused: every page signs all its URLs through Storage (the cache is
 *             reuses a cached URL only for the same TTL; the parent checks that Storage did sign per request)
 *   bare      a bare Fastify route running the gallery's SELECT (the text
 *             repo.listGenerations builds for the first page, the same params) on the
 *             privileged pool, plus the one predicate RLS adds to it
 *             (`g.owner_subject = $n`), so it returns the same rows; no auth, no
 *             claims, no RLS role, no response schema, no signing: reply.send(rows)
 *   unscoped  the same SELECT text without that predicate: what "the same SELECT with
 *             no RLS" literally runs — every user's rows, newest first
 *
 * All use one Database (BENCH_DATABASE_URL, else PGlite in BENCH_PGLITE_DIR, which
 * only one process may open) and are loaded one at a time, never together.
 *
 * Env: BENCH_DATABASE_URL or BENCH_PGLITE_DIR, BENCH_POOL_MAX, BENCH_SESSION_SECRET,
 * BENCH_STORAGE_URL, BENCH_SERVICE_KEY.
 * IPC (bench/lib/child.ts): sends {type:'ready', ports, kind, bucket}; answers 'seed'
 * (generations and images for a user, by email), 'prepare' (the bare queries for a
 * user, and their plans), 'drain' (waits until no database call is in flight), 'reset'
 * and 'stats' (per-server requests and statements, and the process's CPU time and
 * event-loop utilisation since the last reset), 'profileStart' and 'profileStop' {file}
 * (a V8 CPU profile of this process in between, written to file).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { withClaims, type Queryable } from '../../apps/api/src/db/index.ts';
import { createObjectStorage, type ObjectStorage } from '../../apps/api/src/integrations/storage.ts';
import { listGenerations } from '../../apps/api/src/modules/generations/repository.ts';
import { benchApiConfig, buildBenchApi, openBenchDatabase } from '../lib/api-server.ts';
import { serveParent } from '../lib/child.ts';
import { importFrom, required } from '../lib/common.ts';
import { createMeter, type Server } from '../lib/throughput-server.ts';

// The parent's names for the servers (bench/gallery-throughput.ts); a script, so nothing here is exported.
const GALLERY_TARGETS = ['api', 'cold', 'bare', 'unscoped'] as const;

interface BareServer extends Server {
  get(url: string, handler: () => Promise<unknown>): unknown;
}
type FastifyFactory = (opts: { logger: boolean }) => BareServer;

const database = await openBenchDatabase(Number(required('BENCH_POOL_MAX')));
const raw = database.db;
const meter = createMeter(raw, GALLERY_TARGETS);

// Ours: exactly what src/server.ts builds, bar the settings noted.
const config = benchApiConfig(database, {
  // One user sends every request: the default 600/min per user would turn the run into 429s.
  // The limiter still runs (in-memory store), so its cost is measured.
  RATE_LIMIT_MAX: '1000000',
  // Two sign-ups from one IP.
  AUTH_RATE_LIMIT_MAX: '1000',
  SUPABASE_URL: required('BENCH_STORAGE_URL'),
  SUPABASE_SERVICE_ROLE_KEY: required('BENCH_SERVICE_KEY'),
});

/** The Storage client buildApp would make, with its signing calls tracked for 'drain'. */
function trackedStorage(): ObjectStorage {
  const storage = createObjectStorage(config.storage);
  return { ...storage, signedUrls: (paths, ttl) => meter.track(storage.signedUrls(paths, ttl)) };
}
const api = await buildBenchApi(config, { db: meter.countedDb('api'), storage: trackedStorage() });
await api.storage.ensureBucket();

// Cold: the real Storage client, asked for a TTL that differs on every call (600 s,
// 601 s, … cycling over 1,000 values): its URL cache reuses a URL only for the TTL it
// was signed for, so it never hits, and it replaces entries as under a stream of new pages.
const coldBase = trackedStorage();
let ttlShift = 0;
const coldStorage: ObjectStorage = {
  ...coldBase,
  signedUrls: (paths, ttl) => coldBase.signedUrls(paths, ttl + (ttlShift++ % 1000)),
};
const cold = await buildBenchApi(config, { db: meter.countedDb('cold'), storage: coldStorage });

// The gallery's first page, as the API asks for it: `limit + 1` rows (the extra one says whether there is a next page).
const PAGE = 50;
const capturing = (sink: { text?: string; params?: readonly unknown[] }): Queryable => ({
  query: async (text, params) => {
    sink.text = text;
    sink.params = params ?? [];
    return { rows: [], rowCount: 0 };
  },
  exec: async () => {},
});
const unscopedSql: { text?: string; params?: readonly unknown[] } = {};
await listGenerations(capturing(unscopedSql), { limit: PAGE + 1, after: null });
if (!unscopedSql.text || !unscopedSql.params) throw new Error('repo.listGenerations ran no query');
/** `g.owner_subject = $n` where RLS puts it: the outer query has no WHERE on the first page. */
function scoped(text: string, params: readonly unknown[]): string {
  const outer = /(from generations g\s*)\n(\s*order by g\.created_at desc)/;
  if (!outer.test(text) || /\n\s*where /.test(text.split('from generations g').at(-1)!)) {
    throw new Error(`the gallery SELECT changed shape; update bench/servers/gallery-server.ts:\n${text}`);
  }
  return text.replace(outer, (_, from: string, order: string) => `${from}where g.owner_subject = $${params.length + 1}\n${order}`);
}
let bareQuery: { text: string; params: unknown[] } | null = null;

const fastify = (await importFrom<{ default: FastifyFactory }>('api', 'fastify')).default;
const bareDb = meter.countedDb('bare');
const bare = fastify({ logger: false });
bare.get('/api/v1/generations', async () => (await bareDb.query(bareQuery!.text, bareQuery!.params)).rows);
const unscopedDb = meter.countedDb('unscoped');
const unscoped = fastify({ logger: false });
unscoped.get('/api/v1/generations', async () => (await unscopedDb.query(unscopedSql.text!, unscopedSql.params)).rows);

const ports = await meter.listen({ api: api as unknown as Server, cold: cold as unknown as Server, bare, unscoped });

/** Postgres' plan for a statement, with timings (EXPLAIN ANALYZE runs it), once it has run before. */
async function explain(q: Queryable, text: string, params: readonly unknown[]): Promise<string> {
  await q.query(text, params); // once to warm the cache, as under load
  const { rows } = await q.query<Record<string, string>>(`explain (analyze, costs off, summary on) ${text}`, params);
  return rows.map((r) => Object.values(r)[0]).join('\n');
}

let profiler: Session | null = null;

serveParent(
  { ports, kind: raw.kind, bucket: config.storage.bucket },
  {
    /**
     * `generations` generations of `imagesPerGeneration` images each for the user with this
     * email, Succeeded, one every `everyMinutes` back from `newest` (offset by `offsetMinutes`,
     * so two users' rows interleave); inserted on the privileged connection. Answers the user's
     * id and subject, and every storage path (image and thumbnail) it wrote.
     */
    async seed(msg) {
      const email = msg.email as string;
      const n = msg.generations as number;
      const k = msg.imagesPerGeneration as number;
      const t0 = performance.now();
      const user = (await raw.query<{ id: string; auth_subject: string }>('select id, auth_subject from users where lower(email) = lower($1)', [email])).rows[0];
      if (!user) throw new Error(`no user ${email}`);
      await raw.transaction(async (tx) => {
        await tx.query(
          `insert into generations (owner_subject, model_id, model_name, prompt, enhanced_prompt, enhancement, status, parameters,
             credits_cost, created_at, completed_at, last_event_at)
           select $1, null, 'Bench model',
             'portrait photo of TOK as ' || (array['an astronaut', 'a chef', 'a knight', 'a jazz pianist'])[1 + n % 4] || ', golden hour, 85mm, shallow depth of field #' || n,
             'A cinematic portrait photograph of TOK, framed from the chest up, warm golden-hour light raking across the face, ' ||
               'soft rim light separating the subject from a blurred city background, shot on an 85mm lens at f/1.8, natural skin texture, ' ||
               'subtle film grain, rich but true-to-life colours, sharp focus on the eyes #' || n,
             'enhanced', 'Succeeded', $2::jsonb, $3::int, t, t + interval '25 seconds', t + interval '25 seconds'
           from generate_series(1, $4::int) n, lateral (select $5::timestamptz - (n * $7::float8 + $6::float8) * interval '1 minute' as t) ts`,
          [user.auth_subject, JSON.stringify({ numOutputs: k }), k, n, msg.newest as string, msg.offsetMinutes as number, msg.everyMinutes as number],
        );
        await tx.query(
          `insert into images (owner_subject, generation_id, idx, storage_path, thumb_path, content_type, width, height, byte_size, favorite, created_at)
           select g.owner_subject, g.id, i,
             'users/' || $2 || '/generations/' || g.id || '/' || i || '.webp',
             'users/' || $2 || '/generations/' || g.id || '/' || i || '.thumb.webp',
             'image/webp', 1024, 1024, 140000 + (hashtext(g.id::text || i) & 65535), (hashtext(g.id::text || i) & 15) = 0, g.completed_at
           from generations g, generate_series(0, $3::int - 1) i
           where g.owner_subject = $1`,
          [user.auth_subject, user.id, k],
        );
      });
      // What autovacuum would do on a server shortly after such inserts; PGlite gets the same, so both plan on statistics.
      await raw.exec('analyze generations; analyze images');
      const { rows } = await raw.query<{ storage_path: string; thumb_path: string }>('select storage_path, thumb_path from images where owner_subject = $1', [user.auth_subject]);
      return { userId: user.id, subject: user.auth_subject, paths: rows.flatMap((r) => [r.storage_path, r.thumb_path]), ms: performance.now() - t0 };
    },

    /** Binds the bare route to this user, and answers the plans of the three SELECTs. */
    async prepare(msg) {
      const subject = msg.subject as string;
      const params = [...unscopedSql.params!, subject];
      bareQuery = { text: scoped(unscopedSql.text!, unscopedSql.params!), params };
      const asUser = await withClaims(raw, { sub: subject }, (tx) => explain(tx, unscopedSql.text!, unscopedSql.params!));
      return {
        sql: unscopedSql.text,
        bareSql: bareQuery.text,
        plans: {
          api: asUser,
          bare: await explain(raw, bareQuery.text, bareQuery.params),
          unscoped: await explain(raw, unscopedSql.text!, unscopedSql.params!),
        },
      };
    },

    ...meter.handlers,
    // BENCH_PROFILE: a V8 CPU profile of this process over one measured round.
    async profileStart() {
      if (!profiler) {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
      }
      await profiler.post('Profiler.start');
      return {};
    },
    async profileStop(msg) {
      const { profile } = await profiler!.post('Profiler.stop');
      await writeFile(msg.file as string, JSON.stringify(profile));
      return {};
    },
  },
  async () => {
    await Promise.all([api, cold, bare, unscoped].map((s) => s.close()));
    await meter.drain();
    await raw.close();
  },
);
