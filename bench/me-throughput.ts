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
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../apps/api/src/config.ts';
import { migrate } from '../apps/api/src/db/migrate.ts';
import { createPgliteDatabase } from '../apps/api/src/db/pglite.ts';
import { createPostgresDatabase } from '../apps/api/src/db/postgres.ts';
import { type BenchResult, type Check, fmt, pct } from './lib/common.ts';

export const ME_BUDGET = { minRatio: 0.5, maxP99Ms: 50 };

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
interface Counters {
  requests: number;
  queries: number;
  transactions: number;
}
interface ServerStats {
  api: Counters;
  bare: Counters;
  cpuMs: number;
  wallMs: number;
  eventLoopUtilization: number;
}

interface ServerHandle {
  ports: Record<Target, number>;
  kind: string;
  ask<T>(type: 'reset' | 'stats' | 'user' | 'drain', extra?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

function startServer(env: Record<string, string>): Promise<ServerHandle> {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the server process there (open it in Chrome DevTools).
  const profileDir = process.env.BENCH_PROFILE;
  const child: ChildProcess = fork(SERVER_SCRIPT, [], {
    execPath: process.execPath,
    execArgv: profileDir
      ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`]
      : process.execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null) => reject(new Error(`benchmark server exited with code ${code} before it was ready`));
    child.once('exit', onEarlyExit);
    child.once('message', (msg: { type: string; ports: Record<Target, number>; kind: string }) => {
      if (msg.type !== 'ready') return reject(new Error(`unexpected message from server: ${JSON.stringify(msg)}`));
      child.off('exit', onEarlyExit);
      resolve({
        ports: msg.ports,
        kind: msg.kind,
        ask<T>(type: string, extra: Record<string, unknown> = {}) {
          return new Promise<T>((res, rej) => {
            const onExit = () => rej(new Error('benchmark server exited'));
            child.once('exit', onExit);
            child.once('message', (reply: T & { type: string }) => {
              child.off('exit', onExit);
              if (reply.type === type) res(reply);
              else rej(new Error(`expected ${type}, got ${JSON.stringify(reply)}`));
            });
            child.send({ ...extra, type });
          });
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.send({ type: 'stop' });
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          const code = await exited;
          clearTimeout(timer);
          if (code !== 0) throw new Error(`benchmark server exited with code ${code}`);
        },
      });
    });
  });
}

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

interface Round {
  rps: number;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  loadGenCpu: number;
  serverCpuMs: number;
  serverElu: number;
  counters: Counters;
}

async function getJson(url: string, init: RequestInit, expected: number): Promise<Record<string, unknown>> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url}: expected ${expected}, got ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Rounds summed: throughput over all of them, the mean p50, the worst p99. */
function aggregate(rounds: Round[]) {
  const sum = (f: (r: Round) => number) => rounds.reduce((s, r) => s + f(r), 0);
  const requests = sum((r) => r.requests);
  const served = sum((r) => r.counters.requests);
  return {
    rps: requests / sum((r) => r.seconds),
    requests,
    p50: sum((r) => r.p50) / rounds.length,
    p99: Math.max(...rounds.map((r) => r.p99)),
    max: Math.max(...rounds.map((r) => r.max)),
    statementsPerRequest: (sum((r) => r.counters.queries) + 2 * sum((r) => r.counters.transactions)) / served,
    serverCpuUsPerRequest: (sum((r) => r.serverCpuMs) * 1000) / served,
    serverElu: sum((r) => r.serverElu * r.seconds) / sum((r) => r.seconds),
    loadGenCpu: sum((r) => r.loadGenCpu * r.seconds) / sum((r) => r.seconds),
    rounds,
  };
}

export async function runMeThroughput(opts: MeOptions = ME_DEFAULTS): Promise<BenchResult> {
  const started = performance.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const poolMax = loadConfig({}).databasePoolMax; // the API's default pool
  const database = await createThrowawayDatabase(databaseUrl);
  try {
    const server = await startServer({
      ...database.env,
      BENCH_POOL_MAX: String(poolMax),
      BENCH_SESSION_SECRET: randomBytes(32).toString('base64url'),
    });
    const rounds: Record<Target, Round[]> = { api: [], bare: [] };
    try {
      // Sign up through the real API; the bare route reads the same user's row.
      const apiBase = `http://127.0.0.1:${server.ports.api}`;
      const bareBase = `http://127.0.0.1:${server.ports.bare}`;
      const email = `bench.${randomBytes(6).toString('hex')}@example.com`;
      const session = await getJson(
        `${apiBase}/api/v1/auth/signup`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery staple' }) },
        201,
      );
      const userId = (session.user as { id: string }).id;
      await server.ask('user', { id: userId });
      const headers: Record<Target, Record<string, string>> = {
        api: { authorization: `Bearer ${session.token as string}` },
        bare: {},
      };
      for (const target of ['api', 'bare'] as const) {
        const base = target === 'api' ? apiBase : bareBase;
        const body = await getJson(`${base}/api/v1/me`, { headers: headers[target] }, 200);
        if (body.id !== userId || body.email !== email) throw new Error(`${target}: GET /api/v1/me returned ${JSON.stringify(body)}`);
      }

      const run = async (target: Target, duration: number) => {
        const url = `http://127.0.0.1:${server.ports[target]}/api/v1/me`;
        const r = await autocannon({ url, connections: opts.connections, duration, headers: headers[target], timeout: 10 });
        // Every response must be a 200: a benchmark of 401s or 429s measures nothing.
        const bad = r.non2xx + r.errors + r.timeouts + (r.resets ?? 0);
        if (bad > 0 || r['2xx'] === 0) {
          throw new Error(
            `${target}: GET ${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total} requests ` +
              `(status codes: ${JSON.stringify(r.statusCodeStats ?? {})})`,
          );
        }
        return r;
      };

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
          const stats = await server.ask<ServerStats>('stats');
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
            counters: stats[target],
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
    const checks: Check[] = [
      {
        name: 'GET /api/v1/me throughput vs bare route',
        target: `>= ${pct(ME_BUDGET.minRatio)}`,
        actual: pct(ratio),
        pass: ratio >= ME_BUDGET.minRatio,
      },
      {
        name: 'GET /api/v1/me p99 latency',
        target: `< ${ME_BUDGET.maxP99Ms} ms`,
        actual: `${fmt(ours.p99, 1)} ms`,
        pass: ours.p99 < ME_BUDGET.maxP99Ms,
      },
    ];
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
