/**
 * The authenticated gallery page (GET /api/v1/generations?limit=50) for a user
 * with 10,000 images, as a ratio of a bare Fastify route running the same SELECT
 * with no auth, RLS, signing or response schema.
 *
 * Three processes:
 *   bench (this)  signs up two users over HTTP, has them seeded, drives autocannon
 *   servers       bench/servers/gallery-server.ts: the real API (twice: as shipped,
 *                 whose signed-URL cache warms up, and with every URL signed anew)
 *                 and the bare routes, on one freshly migrated database
 *   Storage       bench/servers/storage-server.ts: the Supabase Storage emulator,
 *                 holding an object at every image's and thumbnail's path
 *
 * The servers are loaded one at a time in interleaved rounds (api, cold, bare,
 * unscoped, then the reverse, ...), so that drift in the machine's background
 * load falls on all alike. Database: a throwaway database on the server named
 * by DATABASE_URL, or else embedded PGlite in a temporary folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../apps/api/src/config.ts';
import { startChild, type ChildHandle } from './lib/child.ts';
import { type BenchResult, fmt, pct } from './lib/common.ts';
import { aggregate, loadRoute, type Round, type ServerStats, type ThroughputBudget, throughputChecks } from './lib/throughput.ts';
import { createThrowawayDatabase } from './me-throughput.ts';

/** QUALITY.md: at least 50% of the bare route's throughput; p99 under 50 ms at 32 connections. */
export const GALLERY_BUDGET: ThroughputBudget = { minRatio: 0.5, maxP99Ms: 50 };

export interface GalleryOptions {
  connections: number;
  /** Measured seconds per server, split evenly over the rounds. */
  durationSec: number;
  /** Warm-up seconds per server, before the first round. */
  warmupSec: number;
  rounds: number;
}
export const GALLERY_DEFAULTS: GalleryOptions = { connections: 32, durationSec: 10, warmupSec: 3, rounds: 2 };

/** The user: 5,000 generations of 2 images (10,000 images); another user with 500 × 2, interleaved in time, for RLS to filter out. */
export const GALLERY_SEED = { generations: 5_000, imagesPerGeneration: 2, otherGenerations: 500, page: 50, coldPages: 10 };

const SERVICE_KEY = 'bench-service-key';
const GALLERY_SERVER = fileURLToPath(new URL('./servers/gallery-server.ts', import.meta.url));
const STORAGE_SERVER = fileURLToPath(new URL('./servers/storage-server.ts', import.meta.url));
/** A 44-byte WebP header and a few bytes: what is stored at each path (signing never reads it). */
const TINY_WEBP = Buffer.from('UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=', 'base64');

const TARGETS = ['api', 'cold', 'bare', 'unscoped'] as const;
type Target = (typeof TARGETS)[number];
const LABELS: Record<Target, string> = {
  api: 'ours: GET /api/v1/generations?limit=50',
  cold: 'ours, every URL signed anew (cold)',
  bare: 'bare: same SELECT, same rows',
  unscoped: 'bare, no owner predicate (all users)',
};

interface SignStats {
  requests: number;
  paths: number;
  cpuMs: number;
}
/** A round of one server, with its response bytes and the Storage emulator's signing work. */
interface GalleryRound extends Round {
  bytes: number;
  storage: SignStats;
}

type GalleryItem = { id: string; images: { url: string; thumbnailUrl: string; downloadUrl: string }[] };

async function getJson<T>(url: string, headers: Record<string, string>, init: RequestInit = {}, expected = 200): Promise<T> {
  const res = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url}: expected ${expected}, got ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** The rounds summed (bench/lib/throughput.ts), and per response: bytes, and Storage's signing work. */
function galleryAggregate(rounds: GalleryRound[]) {
  const sum = (f: (r: GalleryRound) => number) => rounds.reduce((s, r) => s + f(r), 0);
  const base = aggregate(rounds);
  const served = sum((r) => r.counters.requests);
  return {
    ...base,
    bytesPerResponse: sum((r) => r.bytes) / base.requests,
    signRequestsPerRequest: sum((r) => r.storage.requests) / served,
    pathsSignedPerRequest: sum((r) => r.storage.paths) / served,
    storageCpuUsPerRequest: (sum((r) => r.storage.cpuMs) * 1000) / served,
  };
}
type Aggregate = ReturnType<typeof galleryAggregate>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function runGalleryThroughput(opts: GalleryOptions = GALLERY_DEFAULTS, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const started = performance.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const poolMax = loadConfig({}).databasePoolMax; // the API's default pool
  // BENCH_PROFILE=<dir>: a V8 CPU profile of the servers' process for each measured round (bench/profile-summary.ts reads them).
  const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : null;
  if (profileDir) await mkdir(profileDir, { recursive: true });

  const database = await createThrowawayDatabase(databaseUrl);
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-bench-storage-'));
  const rounds: Record<Target, GalleryRound[]> = { api: [], cold: [], bare: [], unscoped: [] };
  const seeded = { generations: 0, images: 0, objects: 0, dbMs: 0, objectsMs: 0 };
  const firstViews = { coldMs: [] as number[], warmMs: [] as number[] };
  const found = { plans: {} as Record<string, string>, otherRowsInUnscopedPage: 0 };
  const profiles: string[] = [];
  try {
    const storage = await startChild<{ port: number }>(STORAGE_SERVER, { env: { BENCH_STORAGE_DIR: storageDir, BENCH_SERVICE_KEY: SERVICE_KEY } });
    try {
      const server: ChildHandle<{ ports: Record<Target, number>; kind: string; bucket: string }> = await startChild(GALLERY_SERVER, {
        env: {
          ...database.env,
          BENCH_POOL_MAX: String(poolMax),
          BENCH_SESSION_SECRET: randomBytes(32).toString('base64url'),
          BENCH_STORAGE_URL: `http://127.0.0.1:${storage.ready.port}`,
          BENCH_SERVICE_KEY: SERVICE_KEY,
        },
      });
      try {
        const url = (target: Target, query = `limit=${GALLERY_SEED.page}`) => `http://127.0.0.1:${server.ready.ports[target]}/api/v1/generations?${query}`;

        // Two users through the real sign-up; their rows straight into the database, their objects into Storage.
        const signup = async () => {
          const email = `bench.gallery.${randomBytes(6).toString('hex')}@example.com`;
          const s = await getJson<{ token: string }>(
            `http://127.0.0.1:${server.ready.ports.api}/api/v1/auth/signup`,
            { 'content-type': 'application/json' },
            { method: 'POST', body: JSON.stringify({ email, password: 'correct horse battery staple' }) },
            201,
          );
          return { email, token: s.token };
        };
        const owner = await signup();
        const other = await signup();
        const newest = new Date().toISOString();
        type Seeded = { userId: string; subject: string; paths: string[]; ms: number };
        const k = GALLERY_SEED.imagesPerGeneration;
        // The owner: one generation a minute back from now. The other user: one every ten minutes,
        // half a minute off, so their rows fall between the owner's all the way down.
        const mine = await server.ask<Seeded>('seed', { email: owner.email, generations: GALLERY_SEED.generations, imagesPerGeneration: k, newest, everyMinutes: 1, offsetMinutes: 0 });
        const theirs = await server.ask<Seeded>('seed', { email: other.email, generations: GALLERY_SEED.otherGenerations, imagesPerGeneration: k, newest, everyMinutes: 10, offsetMinutes: 0.5 });
        seeded.dbMs = mine.ms + theirs.ms;
        seeded.generations = GALLERY_SEED.generations;
        seeded.images = mine.paths.length / 2;
        const paths = [...mine.paths, ...theirs.paths];
        const t0 = performance.now();
        await storage.ask('seed', { bucket: server.ready.bucket, paths, bytes: TINY_WEBP.toString('base64') });
        seeded.objectsMs = performance.now() - t0;
        seeded.objects = paths.length;
        log(`seeded ${fmt(seeded.images)} images (${fmt(GALLERY_SEED.generations)} generations) for the user, ${fmt(theirs.paths.length / 2)} for another, in ${fmt(seeded.dbMs / 1000, 1)} s; ${fmt(paths.length)} objects in Storage in ${fmt(seeded.objectsMs / 1000, 1)} s`);
        const prepared = await server.ask<{ plans: Record<string, string> }>('prepare', { subject: mine.subject });
        found.plans = prepared.plans;

        const headers: Record<Target, Record<string, string>> = {
          api: { authorization: `Bearer ${owner.token}` },
          cold: { authorization: `Bearer ${owner.token}` },
          bare: {},
          unscoped: {},
        };

        // First views, one request at a time, before anything else touches the API: each of the
        // first pages twice, the first time signing its URLs through Storage, the second from the cache.
        let cursor: string | null = null;
        for (let page = 0; page < GALLERY_SEED.coldPages; page++) {
          const q: string = `limit=${GALLERY_SEED.page}${cursor ? `&cursor=${cursor}` : ''}`;
          let next: string | null = null;
          for (const times of [firstViews.coldMs, firstViews.warmMs]) {
            const t = performance.now();
            const body: { nextCursor: string | null } = await getJson(url('api', q), headers.api);
            times.push(performance.now() - t);
            next = body.nextCursor;
          }
          cursor = next;
        }

        // Every server answers the same page: ours with every URL signed, the bare route with the same rows.
        type Page = { items: GalleryItem[]; nextCursor: string | null };
        const ours = await getJson<Page>(url('api'), headers.api);
        const oursCold = await getJson<Page>(url('cold'), headers.cold);
        const bareRows = await getJson<{ id: string; owner_subject: string }[]>(url('bare'), {});
        const allRows = await getJson<{ id: string; owner_subject: string }[]>(url('unscoped'), {});
        const ids = ours.items.map((i) => i.id);
        const images = ours.items.flatMap((i) => i.images);
        if (ours.items.length !== GALLERY_SEED.page || !ours.nextCursor) throw new Error(`GET /api/v1/generations returned ${ours.items.length} items, nextCursor ${ours.nextCursor}`);
        if (images.length !== GALLERY_SEED.page * GALLERY_SEED.imagesPerGeneration || images.some((i) => !i.url || !i.thumbnailUrl || !i.downloadUrl)) {
          throw new Error(`GET /api/v1/generations: ${images.length} images, ${images.filter((i) => !i.url || !i.thumbnailUrl).length} without a signed URL`);
        }
        if (oursCold.items.map((i) => i.id).join() !== ids.join()) throw new Error('the cold API answered a different page');
        if (bareRows.length !== GALLERY_SEED.page + 1 || bareRows.slice(0, GALLERY_SEED.page).map((r) => r.id).join() !== ids.join()) {
          throw new Error('the bare route does not return the rows the API shows');
        }
        if (bareRows.some((r) => r.owner_subject !== mine.subject)) throw new Error("the bare route returned another user's rows");
        found.otherRowsInUnscopedPage = allRows.filter((r) => r.owner_subject !== mine.subject).length;

        const run = (target: Target, duration: number) => loadRoute(target, url(target), { connections: opts.connections, duration, headers: headers[target] });

        for (const target of TARGETS) {
          if (opts.warmupSec > 0) await run(target, opts.warmupSec);
          await server.ask('drain');
        }

        // api, cold, bare, unscoped, then the reverse, ...: a steady drift in background load falls on all alike.
        const perRound = opts.durationSec / opts.rounds;
        for (let i = 0; i < opts.rounds; i++) {
          const order: Target[] = i % 2 === 0 ? [...TARGETS] : [...TARGETS].reverse();
          for (const target of order) {
            await server.ask('reset');
            await storage.ask('reset');
            if (profileDir) await server.ask('profileStart');
            const cpu0 = process.cpuUsage();
            const t0 = performance.now();
            const r = await run(target, perRound);
            const wallMs = performance.now() - t0;
            const cpu = process.cpuUsage(cpu0);
            // Requests autocannon abandoned at the end still finish: count their work, then start clean.
            await server.ask('drain');
            if (profileDir) {
              const file = path.join(profileDir, `gallery-${server.ready.kind}-${target}-round${i + 1}.cpuprofile`);
              await server.ask('profileStop', { file });
              profiles.push(file);
            }
            const stats = await server.ask<ServerStats<Target>>('stats');
            const signs = await storage.ask<SignStats>('signs');
            rounds[target].push({
              rps: r['2xx'] / r.duration,
              requests: r['2xx'],
              seconds: r.duration,
              bytes: r.throughput.total,
              p50: r.latency.p50,
              p99: r.latency.p99,
              max: r.latency.max,
              loadGenCpu: (cpu.user + cpu.system) / 1000 / wallMs,
              serverCpuMs: stats.cpuMs,
              serverElu: stats.eventLoopUtilization,
              storage: signs,
              counters: stats.counters[target],
            });
            log(`round ${i + 1} ${target}: ${fmt(r['2xx'] / r.duration)} req/s, p99 ${r.latency.p99} ms`);
          }
        }
      } finally {
        await server.stop();
      }
    } finally {
      await storage.stop();
    }
  } finally {
    await database.drop();
    await rm(storageDir, { recursive: true, force: true });
  }

  const agg = Object.fromEntries(TARGETS.map((t) => [t, galleryAggregate(rounds[t])])) as Record<Target, Aggregate>;
  // The cold variant must really sign every page through Storage, or it measures the cache.
  if (agg.cold.signRequestsPerRequest < 0.99) {
    throw new Error(`the cold API signed through Storage on only ${pct(agg.cold.signRequestsPerRequest)} of requests: the URL cache now reuses URLs across TTLs; update the cold variant in bench/servers/gallery-server.ts`);
  }
  const ratio = agg.api.rps / agg.bare.rps;
  const coldRatio = agg.cold.rps / agg.bare.rps;
  const roundRatios = rounds.api.map((r, i) => r.rps / rounds.bare[i]!.rps);
  const row = (target: Target) => {
    const r = agg[target];
    return [
      LABELS[target],
      fmt(r.rps),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.bytesPerResponse / 1000, 1),
      fmt(r.statementsPerRequest, 2),
      fmt(r.pathsSignedPerRequest, 0),
      fmt(r.serverCpuUsPerRequest),
      fmt(r.storageCpuUsPerRequest),
      pct(r.serverElu),
      pct(r.loadGenCpu),
    ];
  };
  const checks = throughputChecks('GET /api/v1/generations?limit=50', GALLERY_BUDGET, ratio, agg.api.p99);
  const { plans, otherRowsInUnscopedPage } = found;
  const firstLine = (plan: string | undefined) => (plan ?? '').split('\n').find((l) => /Scan|Sort/.test(l))?.trim() ?? '';
  const execTime = (plan: string | undefined) => /Execution Time: ([\d.]+) ms/.exec(plan ?? '')?.[1] ?? '?';
  return {
    name: 'gallery',
    title:
      `GET /api/v1/generations?limit=50 (${fmt(seeded.images)} images) vs bare SELECT — ${database.label}, pool ${database.kind === 'postgres' ? poolMax : 1}, ` +
      `${opts.connections} connections, ${opts.rounds} rounds, ${fmt(opts.durationSec)} s per server (+${opts.warmupSec} s warm-up)`,
    completed: true,
    table: {
      columns: ['route', 'req/s', 'p50 ms', 'p99 ms', 'kB/resp', 'DB stmts/req', 'URLs signed/req', 'server CPU µs/req', 'Storage CPU µs/req', 'server ELU', 'load-gen CPU'],
      rows: [...TARGETS.map(row), ['ours / bare', pct(ratio), '', '', '', '', '', '', '', '', ''], ['ours cold / bare', pct(coldRatio), '', '', '', '', '', '', '', '', '']],
    },
    checks,
    notes: [
      `Per-round ratios (ours / bare): ${roundRatios.map(pct).join(', ')}. p50 is the rounds' mean, p99 the worst round's.`,
      `The budget is checked on ours as shipped: its signed-URL cache serves the page after the first request (${fmt(agg.api.pathsSignedPerRequest, 1)} URLs signed per request under load). ` +
        `The cold row signs all ${fmt(agg.cold.pathsSignedPerRequest, 0)} URLs of the page through Storage on every request (${fmt(agg.cold.signRequestsPerRequest, 2)} Storage calls per request); it is shown, not budgeted.`,
      `First views, one request at a time (the first ${GALLERY_SEED.coldPages} pages, medians): ${fmt(median(firstViews.coldMs), 1)} ms signing through Storage, ${fmt(median(firstViews.warmMs), 1)} ms from the cache.`,
      `Plans (EXPLAIN ANALYZE, first page): ours as the user — ${firstLine(plans.api)}, ${execTime(plans.api)} ms; bare — ${firstLine(plans.bare)}, ${execTime(plans.bare)} ms; unscoped — ${firstLine(plans.unscoped)}, ${execTime(plans.unscoped)} ms.`,
      `The bare route runs repo.listGenerations' SQL plus \`g.owner_subject = $2\`, the predicate RLS adds, and returns exactly the rows the API shows. Without it (unscoped) the same text returns every user's rows: ${otherRowsInUnscopedPage} of its ${GALLERY_SEED.page + 1} belonged to the other user.`,
      `At ${opts.connections} connections each connection waits for its answer before it asks again, so the mean latency is ${opts.connections} / req/s: ` +
        `p99 < ${GALLERY_BUDGET.maxP99Ms} ms needs well over ${fmt(opts.connections / (GALLERY_BUDGET.maxP99Ms / 1000))} req/s; the bare route did ${fmt(agg.bare.rps)} (p99 ${fmt(agg.bare.p99, 1)} ms).`,
      'DB stmts/req: statements sent per request (a transaction adds BEGIN and COMMIT). Storage CPU: the emulator process, on the same 2 cores.',
      "server ELU: the servers' event loop's busy share (near 100% = CPU-bound); load-gen CPU: autocannon's share of a core.",
      `Seed: ${fmt(seeded.generations)} generations × ${GALLERY_SEED.imagesPerGeneration} images for the user, ${fmt(GALLERY_SEED.otherGenerations)} × ${GALLERY_SEED.imagesPerGeneration} for another; ${fmt(seeded.objects)} objects in Storage.`,
      ...(database.kind === 'pglite' ? ['PGlite runs one query at a time in the server process: concurrent requests queue for it.'] : []),
      ...(profiles.length ? [`CPU profiles: ${profiles.join(', ')} (summarise with node bench/profile-summary.ts <files>)`] : []),
    ],
    data: { database: database.kind, poolMax, options: opts, seed: { ...GALLERY_SEED, ...seeded }, ratio, coldRatio, roundRatios, ...agg, firstViews, plans, otherRowsInUnscopedPage, budget: GALLERY_BUDGET },
    durationMs: performance.now() - started,
  };
}
