import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withClaims, type Database, type QueryResult } from '../../src/db/index.ts';
import { createPostgresDatabase } from '../../src/db/postgres.ts';
import { sqlState } from '../../src/lib/errors.ts';
import { createJobQueue, type JobLogger, type JobQueue } from '../../src/jobs/queue.ts';
import { claimJobs, deleteJob } from '../../src/jobs/repository.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let db: Database;
const replicaPools: Database[] = [];
const queues: JobQueue[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop(5_000)));
  await db.query('delete from jobs');
});
afterAll(async () => {
  await Promise.all(replicaPools.map((pool) => pool.close()));
  await t?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(10);
  }
}

// Compile-time: Fastify's logger (`app.log`) is a JobLogger.
const _fastifyLoggerFits = (log: FastifyBaseLogger): JobLogger => log;

function testLog(): JobLogger & { entries: { level: string; obj: object; msg: string | undefined }[] } {
  const entries: { level: string; obj: object; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function newQueue(opts: { db?: Database; workerId?: string; pollIntervalMs?: number; concurrency?: number; log?: JobLogger } = {}) {
  const queue = createJobQueue({ db, log: testLog(), ...opts });
  queues.push(queue);
  return queue;
}

/** Another replica's connection: its own pool on a server; on PGlite the one in-process database. */
function replicaDb(): Database {
  if (!t.url) return db;
  const pool = createPostgresDatabase(t.url, 5);
  replicaPools.push(pool);
  return pool;
}

interface JobRow {
  id: string;
  status: string;
  attempts: number;
  locked_by: string | null;
  last_error: string | null;
  payload: unknown;
  dedupe_key: string | null;
  /** run_at − updated_at: the delay set by the last change. */
  delay_ms: number;
  due: boolean;
  lease_expired: boolean | null;
}

async function jobRows(name: string): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(
    `select id, status, attempts, locked_by, last_error, payload, dedupe_key,
            (extract(epoch from run_at - updated_at) * 1000)::float8 as delay_ms,
            run_at <= now() as due, locked_until < now() as lease_expired
       from jobs where name = $1 order by created_at`,
    [name],
  );
  return rows;
}

describe(`job queue (${process.env.DATABASE_URL ? 'postgres server' : 'pglite'})`, () => {
  it('enqueues inside the caller’s transaction: a rollback leaves no job, a commit leaves one', async () => {
    const queue = newQueue();
    await expect(
      db.transaction(async (tx) => {
        await queue.enqueue(tx, 'tx-job', { a: 1 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await jobRows('tx-job')).toEqual([]);

    const id = await db.transaction((tx) => queue.enqueue(tx, 'tx-job', { a: [1, 2] }));
    expect(await jobRows('tx-job')).toMatchObject([{ id, status: 'queued', attempts: 0, payload: { a: [1, 2] }, due: true }]);
  });

  it('keeps one pending job per dedupe key, also while it runs, and takes the key again once it is done', async () => {
    const queue = newQueue({ workerId: 'replica-a' });
    const seen: unknown[] = [];
    queue.register('dedupe-job', async (payload) => void seen.push(payload));

    const first = await queue.enqueue(db, 'dedupe-job', { n: 1 }, { dedupeKey: 'k1' });
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await queue.enqueue(db, 'dedupe-job', { n: 2 }, { dedupeKey: 'k1' })).toBeNull();
    expect(await queue.enqueue(db, 'dedupe-job', { n: 3 }, { dedupeKey: 'k2' })).not.toBeNull();
    expect(await queue.drain()).toBe(2);
    expect(seen).toEqual(expect.arrayContaining([{ n: 1 }, { n: 3 }]));
    expect(seen).toHaveLength(2);

    const again = await queue.enqueue(db, 'dedupe-job', { n: 4 }, { dedupeKey: 'k1' });
    expect(again).not.toBeNull();
    expect(again).not.toBe(first);
    await claimJobs(db, { workerId: 'replica-b', leaseMs: new Map([['dedupe-job', 60_000]]), limit: 1 });
    expect(await jobRows('dedupe-job')).toMatchObject([{ status: 'running', dedupe_key: 'k1' }]);
    expect(await queue.enqueue(db, 'dedupe-job', { n: 5 }, { dedupeKey: 'k1' })).toBeNull();
  });

  it('runs a job once, with its payload and attempt, and then deletes its row', async () => {
    const queue = newQueue();
    const calls: unknown[] = [];
    queue.register<{ photoId: string }>('once-job', async (payload, ctx) => {
      calls.push({ payload, id: ctx.id, name: ctx.name, attempt: ctx.attempt, aborted: ctx.signal.aborted });
    });
    const id = await queue.enqueue(db, 'once-job', { photoId: 'p1' });
    expect(await queue.drain()).toBe(1);
    expect(calls).toEqual([{ payload: { photoId: 'p1' }, id, name: 'once-job', attempt: 1, aborted: false }]);
    expect(await jobRows('once-job')).toEqual([]);
    expect(await queue.drain()).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('waits until a job is due, and leaves jobs it has no handler for alone', async () => {
    const queue = newQueue();
    let runs = 0;
    queue.register('later-job', async () => void runs++);
    await queue.enqueue(db, 'later-job', {}, { delayMs: 60_000 });
    await queue.enqueue(db, 'later-job', {}, { runAt: new Date(Date.now() + 60_000) });
    await queue.enqueue(db, 'other-version-job', {});
    expect(await queue.drain()).toBe(0);
    expect(runs).toBe(0);
    const [delayed] = await jobRows('later-job');
    expect(delayed!.delay_ms).toBeCloseTo(60_000, -1);
    expect(await jobRows('other-version-job')).toMatchObject([{ status: 'queued', attempts: 0, locked_by: null }]);

    await queue.enqueue(db, 'later-job', {}, { runAt: new Date(Date.now() - 1_000) });
    expect(await queue.drain()).toBe(1);
    expect(await jobRows('later-job')).toHaveLength(2);
  });

  it('retries a failing handler with growing, jittered backoff, then keeps it failed with the message only', async () => {
    const queue = newQueue();
    let calls = 0;
    queue.register(
      'flaky-job',
      async () => {
        calls++;
        throw new Error(`upstream said no (${calls}) ${'x'.repeat(2_000)}`);
      },
      { maxAttempts: 3, backoffMs: 100 },
    );
    await queue.enqueue(db, 'flaky-job', {});
    const isDue = async () => (await jobRows('flaky-job'))[0]!.due;

    expect(await queue.drain()).toBe(1);
    let [row] = await jobRows('flaky-job');
    expect(row).toMatchObject({ status: 'queued', attempts: 1, locked_by: null, last_error: expect.stringMatching(/^upstream said no \(1\)/) });
    expect(row!.delay_ms).toBeGreaterThanOrEqual(80);
    expect(row!.delay_ms).toBeLessThanOrEqual(120);
    expect(await queue.drain()).toBe(0); // not due yet

    await until(isDue);
    expect(await queue.drain()).toBe(1);
    [row] = await jobRows('flaky-job');
    expect(row).toMatchObject({ status: 'queued', attempts: 2 });
    expect(row!.delay_ms).toBeGreaterThanOrEqual(160);
    expect(row!.delay_ms).toBeLessThanOrEqual(240);

    await until(isDue);
    expect(await queue.drain()).toBe(1);
    [row] = await jobRows('flaky-job');
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row!.last_error).toMatch(/^upstream said no \(3\) x+$/);
    expect(row!.last_error).toHaveLength(1_000);
    expect(await queue.drain()).toBe(0);
    expect(calls).toBe(3);
  });

  it('lets two replicas drain 50 jobs at once and runs each exactly once', async () => {
    const runs = new Map<number, number>();
    const handler = async (payload: { i: number }) => {
      runs.set(payload.i, (runs.get(payload.i) ?? 0) + 1);
      await sleep(2);
    };
    const a = newQueue({ workerId: 'replica-a', concurrency: 4 });
    const b = newQueue({ db: replicaDb(), workerId: 'replica-b', concurrency: 4 });
    a.register('bulk-job', handler);
    b.register('bulk-job', handler);
    await db.transaction(async (tx) => {
      for (let i = 0; i < 50; i++) await a.enqueue(tx, 'bulk-job', { i });
    });

    const [byA, byB] = await Promise.all([a.drain(), b.drain()]);
    expect(byA + byB).toBe(50);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(runs.size).toBe(50);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await jobRows('bulk-job')).toEqual([]);
  });

  it('runs a crashed worker’s job again once its lease expires, and only once', async () => {
    const queue = newQueue({ workerId: 'replica-b' });
    const attempts: number[] = [];
    queue.register('crash-job', async (_payload, ctx) => void attempts.push(ctx.attempt));
    await queue.enqueue(db, 'crash-job', {});
    // Replica A claims the job and dies: it never finishes nor releases it.
    const [claimed] = await claimJobs(db, { workerId: 'replica-a', leaseMs: new Map([['crash-job', 200]]), limit: 1 });
    expect(claimed).toMatchObject({ name: 'crash-job', attempts: 1 });
    expect(await queue.drain()).toBe(0); // still leased

    await until(async () => (await jobRows('crash-job'))[0]!.lease_expired === true);
    expect(await queue.drain()).toBe(1);
    expect(attempts).toEqual([2]);
    expect(await jobRows('crash-job')).toEqual([]);
    expect(await queue.drain()).toBe(0);
  });

  it('does not let a late finisher delete the attempt that took its job over', async () => {
    const queue = newQueue({ workerId: 'replica-b' });
    let release = () => {};
    let started = false;
    queue.register('late-job', async () => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await queue.enqueue(db, 'late-job', {});
    const [stale] = await claimJobs(db, { workerId: 'replica-a', leaseMs: new Map([['late-job', 50]]), limit: 1 });
    await until(async () => (await jobRows('late-job'))[0]!.lease_expired === true);
    const draining = queue.drain();
    await until(() => started);

    // Replica A comes back and reports success for its expired attempt.
    expect(await deleteJob(db, { id: stale!.id, workerId: 'replica-a', attempt: 1 })).toBe(false);
    expect(await jobRows('late-job')).toMatchObject([{ status: 'running', attempts: 2, locked_by: 'replica-b' }]);

    release();
    expect(await draining).toBe(1);
    expect(await jobRows('late-job')).toEqual([]);
  });

  it('aborts a timed-out handler’s signal and counts it as a failure, even if the handler then succeeds', async () => {
    const queue = newQueue();
    let reason: unknown;
    let settledLate = false;
    queue.register(
      'slow-job',
      (_payload, ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            setTimeout(() => {
              settledLate = true;
              resolve();
            }, 20);
          });
        }),
      { timeoutMs: 50, maxAttempts: 2, backoffMs: 60_000 },
    );
    await queue.enqueue(db, 'slow-job', {});
    expect(await queue.drain()).toBe(1);
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toMatch(/within its 50 ms timeout/);

    await until(() => settledLate);
    await sleep(20);
    expect(await jobRows('slow-job')).toMatchObject([
      { status: 'queued', attempts: 1, last_error: expect.stringMatching(/within its 50 ms timeout/) },
    ]);
  });

  it('keeps exactly one pending instance of an `every` job across two replicas, and reschedules it after a failure', async () => {
    const a = newQueue({ workerId: 'replica-a', pollIntervalMs: 20 });
    const b = newQueue({ db: replicaDb(), workerId: 'replica-b', pollIntervalMs: 20 });
    const runs: { start: number; end: number }[] = [];
    let running = 0;
    let overlapped = false;
    const tick = async () => {
      overlapped ||= running > 0;
      running++;
      const run = { start: Date.now(), end: 0 };
      runs.push(run);
      await sleep(5);
      run.end = Date.now();
      running--;
      if (runs.length === 1) throw new Error('first run fails');
    };
    a.every('tick-job', 150, tick);
    b.every('tick-job', 150, tick);

    const counts = new Set<number>();
    const errors = new Set<string | null>();
    a.start();
    b.start();
    await until(async () => (await jobRows('tick-job')).length > 0);
    await until(async () => {
      const rows = await jobRows('tick-job');
      counts.add(rows.length);
      for (const row of rows) errors.add(row.last_error);
      return runs.length >= 3 && runs.at(-1)!.end > 0;
    });
    await Promise.all([a.stop(), b.stop()]);

    expect(counts).toEqual(new Set([1]));
    expect(overlapped).toBe(false);
    expect(errors).toContain('first run fails');
    // Each run starts everyMs after the previous one ended, whether it failed or not.
    expect(runs[1]!.start - runs[0]!.end).toBeGreaterThanOrEqual(140);
    expect(runs[2]!.start - runs[1]!.end).toBeGreaterThanOrEqual(140);
    expect(await jobRows('tick-job')).toMatchObject([{ status: 'queued', attempts: 0, dedupe_key: 'every:tick-job' }]);
  });

  it('stop() waits for a job in flight, then takes no new jobs', async () => {
    const queue = newQueue({ pollIntervalMs: 20 });
    let started = false;
    let finished = false;
    queue.register('stop-job', async () => {
      started = true;
      await sleep(150);
      finished = true;
    });
    await queue.enqueue(db, 'stop-job', { n: 1 });
    queue.start();
    await until(() => started);
    await queue.stop(5_000);
    expect(finished).toBe(true);
    expect(await jobRows('stop-job')).toEqual([]);

    await queue.enqueue(db, 'stop-job', { n: 2 });
    queue.wake();
    await sleep(100);
    expect(await jobRows('stop-job')).toMatchObject([{ status: 'queued', attempts: 0 }]);
  });

  it('stop() gives up after graceMs and leaves the unfinished job leased', async () => {
    const queue = newQueue({ workerId: 'replica-a', pollIntervalMs: 20 });
    let started = false;
    let release = () => {};
    queue.register('stuck-job', async () => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await queue.enqueue(db, 'stuck-job', {});
    queue.start();
    await until(() => started);
    const before = Date.now();
    await queue.stop(50);
    expect(Date.now() - before).toBeLessThan(1_000);
    expect(await jobRows('stuck-job')).toMatchObject([{ status: 'running', locked_by: 'replica-a', lease_expired: false }]);
    release();
    await until(async () => (await jobRows('stuck-job')).length === 0);
  });

  it('wake() makes a started queue poll at once instead of at the next interval', async () => {
    const queue = newQueue({ pollIntervalMs: 60_000 });
    const ran: string[] = [];
    queue.register<{ n: string }>('wake-job', async (payload) => void ran.push(payload.n));
    await queue.enqueue(db, 'wake-job', { n: 'before start' });
    queue.start();
    await until(() => ran.length === 1); // the immediate first poll
    await sleep(20);
    await queue.enqueue(db, 'wake-job', { n: 'woken' });
    queue.wake();
    await until(() => ran.length === 2, 1_000);
    expect(ran).toEqual(['before start', 'woken']);
  });

  it('logs polling errors and keeps polling', async () => {
    let failures = 2;
    const flaky: Database = {
      ...db,
      query: <T,>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>> =>
        failures-- > 0 ? Promise.reject(new Error('connection terminated')) : db.query<T>(text, params),
    };
    const log = testLog();
    const queue = newQueue({ db: flaky, pollIntervalMs: 10, log });
    let ran = false;
    queue.register('after-outage-job', async () => void (ran = true));
    await db.query(`insert into jobs (name) values ('after-outage-job')`);
    queue.start();
    await until(() => ran);
    expect(log.entries.filter((e) => e.level === 'error' && /polling failed/.test(e.msg ?? ''))).toHaveLength(2);
  });

  it('is out of reach of the app role', async () => {
    await db.query(`insert into jobs (name) values ('secret-job')`);
    for (const sql of ['select * from jobs', `insert into jobs (name) values ('user-job')`]) {
      const err = await withClaims(db, { sub: 'user_alice' }, (tx) => tx.query(sql)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(sqlState(err)).toBe('42501');
    }
  });

  // A real crash needs a second process on the same database: a server only.
  it.runIf(Boolean(process.env.DATABASE_URL))('finishes a job once after its worker process is killed with SIGKILL mid-run', async () => {
    const moduleUrl = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
    const script = `
      import { createPostgresDatabase } from ${moduleUrl('../../src/db/postgres.ts')};
      import { createJobQueue } from ${moduleUrl('../../src/jobs/queue.ts')};
      const quiet = () => {};
      const queue = createJobQueue({
        db: createPostgresDatabase(process.env.JOB_TEST_DATABASE_URL, 2),
        log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
        workerId: 'doomed',
        pollIntervalMs: 20,
      });
      queue.register('kill-job', async () => {
        process.stdout.write('started\\n');
        await new Promise(() => {});
      }, { timeoutMs: 500 });
      queue.start();
      setInterval(() => {}, 1000);
    `;
    await db.query(`insert into jobs (name, payload) values ('kill-job', '{"k":1}')`);
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, JOB_TEST_DATABASE_URL: t.url! },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
        child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(await jobRows('kill-job')).toMatchObject([{ status: 'running', locked_by: 'doomed', attempts: 1 }]);

    const queue = newQueue({ workerId: 'restarted' });
    const runs: unknown[] = [];
    queue.register('kill-job', async (payload, ctx) => void runs.push({ payload, attempt: ctx.attempt }));
    await until(async () => (await queue.drain()) > 0);
    expect(runs).toEqual([{ payload: { k: 1 }, attempt: 2 }]);
    expect(await jobRows('kill-job')).toEqual([]);
  });
});
