/**
 * Authenticated GET /api/v1/me throughput, as a ratio of a bare Fastify route
 * that runs the same SELECT (no auth, no RLS transaction, no response schema).
 *
 * Both servers run in a child process (bench/servers/me-server.ts) on one freshly
 * migrated database; autocannon drives them from this process, one at a time,
 * in interleaved rounds (ours, bare, bare, ours, ...) so that drift in the
 * machine's background load falls on both alike.
 * Database: a throwaway database on the server named by DATABASE_URL, or else
 * embedded PGlite in a temporary folder (one connection, one process).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../apps/api/src/config.ts';
import { migrate } from '../apps/api/src/db/migrate.ts';
import { createPgliteDatabase } from '../apps/api/src/db/pglite.ts';
import { createPostgresDatabase } from '../apps/api/src/db/postgres.ts';
import { startChild } from './lib/child.ts';
import { type BenchResult, fmt, pct } from './lib/common.ts';
import { aggregate, loadRoute, type Round, type ServerStats, type ThroughputBudget, throughputChecks } from './lib/throughput.ts';

export const ME_BUDGET: ThroughputBudget = { minRatio: 0.5, maxP99Ms: 50 };

export interface MeOptions {
  connections: number;
  /** Measured seconds per route, split evenly over the rounds. */
  durationSec: number;
  /** Warm-up seconds per route, before the first round. */
  warmupSec: number;
  rounds: number;
}

export const ME_DEFAULTS: MeOptions = { connections: 32, durationSec: 10, warmupSec: 3, rounds: 2 };

const SERVER_SCRIPT = fileURLToPath(new URL('./servers/me-server.ts', import.meta.url));

type Target = 'api' | 'bare';

export interface Throwaway {
  kind: 'postgres' | 'pglite';
  /** Environment for the server process. */
  env: Record<string, string>;
  label: string;
  drop(): Promise<void>;
}

/** A fresh database migrated with the API's own migrations. */
export async function createThrowawayDatabase(serverUrl: string | undefined): Promise<Throwaway> {
  if (serverUrl) {
    const name = `visiona_bench_${randomBytes(6).toString('hex')}`;
    const admin = createPostgresDatabase(serverUrl, 1);
    try {
      await admin.exec(`create database ${name}`);
    } finally {
      await admin.close();
    }
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const drop = async () => {
      const c = createPostgresDatabase(serverUrl, 1);
      try {
        await c.exec(`drop database if exists ${name} with (force)`);
      } finally {
        await c.close();
      }
    };
    const db = createPostgresDatabase(url.toString(), 1);
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      await drop();
      throw err;
    }
    await db.close();
    return { kind: 'postgres', env: { BENCH_DATABASE_URL: url.toString() }, label: `postgres ${url.host}${url.pathname}`, drop };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visiona-bench-'));
  const drop = () => rm(dir, { recursive: true, force: true });
  const pgliteDir = path.join(dir, 'pgdata');
  try {
    const db = await createPgliteDatabase(pgliteDir);
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
  } catch (err) {
    await drop();
    throw err;
  }
  return { kind: 'pglite', env: { BENCH_PGLITE_DIR: pgliteDir }, label: 'pglite (on disk, temporary folder)', drop };
}

async function getJson(url: string, init: RequestInit, expected: number): Promise<Record<string, unknown>> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url}: expected ${expected}, got ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function runMeThroughput(opts: MeOptions = ME_DEFAULTS): Promise<BenchResult> {
  const started = performance.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const poolMax = loadConfig({}).databasePoolMax; // the API's default pool
  const database = await createThrowawayDatabase(databaseUrl);
  try {
    // BENCH_PROFILE=<dir> writes a V8 CPU profile of the server process there (open it in Chrome DevTools).
    const profileDir = process.env.BENCH_PROFILE;
    const server = await startChild<{ ports: Record<Target, number>; kind: string }>(SERVER_SCRIPT, {
      env: {
        ...database.env,
        BENCH_POOL_MAX: String(poolMax),
        BENCH_SESSION_SECRET: randomBytes(32).toString('base64url'),
      },
      execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [],
    });
    const rounds: Record<Target, Round[]> = { api: [], bare: [] };
    try {
      // Sign up through the real API; the bare route reads the same user's row.
      const apiBase = `http://127.0.0.1:${server.ready.ports.api}`;
      const bareBase = `http://127.0.0.1:${server.ready.ports.bare}`;
      const email = `bench.${randomBytes(6).toString('hex')}@example.com`;
      const session = await getJson(
        `${apiBase}/api/v1/auth/signup`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery staple' }) },
        201,
      );
      const userId = (session.user as { id: string }).id;
      await server.ask('user', { userId });
      const headers: Record<Target, Record<string, string>> = {
        api: { authorization: `Bearer ${session.token as string}` },
        bare: {},
      };
      for (const target of ['api', 'bare'] as const) {
        const base = target === 'api' ? apiBase : bareBase;
        const body = await getJson(`${base}/api/v1/me`, { headers: headers[target] }, 200);
        if (body.id !== userId || body.email !== email) throw new Error(`${target}: GET /api/v1/me returned ${JSON.stringify(body)}`);
      }

      const run = (target: Target, duration: number) =>
        loadRoute(target, `http://127.0.0.1:${server.ready.ports[target]}/api/v1/me`, { connections: opts.connections, duration, headers: headers[target] });

      for (const target of ['api', 'bare'] as const) {
        if (opts.warmupSec > 0) await run(target, opts.warmupSec);
        await server.ask('drain');
      }

      // ABBA: ours, bare, bare, ours, ... cancels a steady drift in background load.
      const perRound = opts.durationSec / opts.rounds;
      for (let i = 0; i < opts.rounds; i++) {
        const order: Target[] = i % 2 === 0 ? ['api', 'bare'] : ['bare', 'api'];
        for (const target of order) {
          await server.ask('reset');
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const r = await run(target, perRound);
          const wallMs = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          // Requests autocannon abandoned at the end still finish: count their work, then start clean.
          await server.ask('drain');
          const stats = await server.ask<ServerStats<Target>>('stats');
          rounds[target].push({
            rps: r['2xx'] / r.duration,
            requests: r['2xx'],
            seconds: r.duration,
            p50: r.latency.p50,
            p99: r.latency.p99,
            max: r.latency.max,
            loadGenCpu: (cpu.user + cpu.system) / 1000 / wallMs,
            serverCpuMs: stats.cpuMs,
            serverElu: stats.eventLoopUtilization,
            counters: stats.counters[target],
          });
        }
      }
    } finally {
      await server.stop();
    }

    const ours = aggregate(rounds.api);
    const bare = aggregate(rounds.bare);
    const ratio = ours.rps / bare.rps;
    const roundRatios = rounds.api.map((r, i) => r.rps / rounds.bare[i]!.rps);
    const row = (label: string, r: ReturnType<typeof aggregate>) => [
      label,
      fmt(r.rps),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.statementsPerRequest, 2),
      fmt(r.serverCpuUsPerRequest),
      pct(r.serverElu),
      pct(r.loadGenCpu),
    ];
    const checks = throughputChecks('GET /api/v1/me', ME_BUDGET, ratio, ours.p99);
    return {
      name: 'me',
      title:
        `GET /api/v1/me vs bare SELECT — ${database.label}, pool ${database.kind === 'postgres' ? poolMax : 1}, ` +
        `${opts.connections} connections, ${opts.rounds} rounds, ${fmt(opts.durationSec)} s per route (+${opts.warmupSec} s warm-up)`,
      completed: true,
      table: {
        columns: ['route', 'req/s', 'p50 ms', 'p99 ms', 'DB stmts/req', 'server CPU µs/req', 'server ELU', 'load-gen CPU'],
        rows: [row('ours: GET /api/v1/me', ours), row('bare: same SELECT', bare), ['ours / bare', pct(ratio), '', '', '', '', '', '']],
      },
      checks,
      notes: [
        `Per-round ratios: ${roundRatios.map(pct).join(', ')}. p50 is the rounds' mean, p99 the worst round's.`,
        'DB stmts/req: statements sent per request (a transaction adds BEGIN and COMMIT); each is one round-trip.',
        'server ELU: the server event loop\'s busy share (near 100% = CPU-bound); load-gen CPU: autocannon\'s share of a core.',
        ...(database.kind === 'pglite' ? ['PGlite runs one query at a time in the server process: concurrent requests queue for it.'] : []),
      ],
      data: { database: database.kind, poolMax, options: opts, ratio, roundRatios, ours, bare, budget: ME_BUDGET },
      durationMs: performance.now() - started,
    };
  } finally {
    await database.drop();
  }
}
