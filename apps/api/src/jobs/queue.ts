/**
 * The job queue: rows in Postgres, claimed with SKIP LOCKED under a lease, the same on
 * a server and on in-process PGlite (docs/decisions/0016-postgres-job-queue.md).
 *
 * Delivery is AT LEAST ONCE, so every handler must be idempotent: a job runs again
 * when its worker crashes mid-run (the lease expires), when it times out, and when it
 * finished but its worker could not record that. Key outside calls and ledger entries
 * by the job's own data so that a second run has no second effect.
 *
 * Handlers run outside any transaction: they call outside services, and on PGlite,
 * whose transactions are serialised, an open one would stall every other query.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/database.ts';
import { claimJobs, databaseNow, insertJob, type ClaimedJob } from './repository.ts';
import { everyKey, leaseMsFor, runClaimedJob } from './run.ts';
import { JOB_DEFAULTS, type JobFailureReporter, type JobHandler, type JobLogger, type JobQueue, type Registration } from './types.ts';

export { JOB_DEFAULTS };
export type { JobContext, JobFailureReporter, JobHandler, JobLogger, JobQueue } from './types.ts';

const WAKE_DELAY_MS = 10;
// Recurring rows are reused from run to run and never deleted; re-checking now and then
// brings one back if someone cleared the table, without waiting for a restart.
const ENSURE_RECURRING_EVERY_MS = 60_000;
const MAX_POLL_BACKOFF_MS = 30_000;

function positive(name: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) throw new Error(`Job queue: ${name} must be a number ≥ ${min}, got ${value}.`);
  return value;
}

export function createJobQueue(deps: {
  db: Database;
  log: JobLogger;
  workerId?: string;
  pollIntervalMs?: number;
  concurrency?: number;
  /** Told of jobs that failed for good (Sentry, when configured). */
  onFailure?: JobFailureReporter;
}): JobQueue {
  const { db, log, onFailure } = deps;
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollIntervalMs = positive('pollIntervalMs', deps.pollIntervalMs ?? JOB_DEFAULTS.pollIntervalMs);
  const concurrency = positive('concurrency', deps.concurrency ?? JOB_DEFAULTS.concurrency);
  const registry = new Map<string, Registration>();
  const leaseMs = new Map<string, number>();
  const inFlight = new Set<Promise<unknown>>();
  let active = 0;
  /** After stop(), drain() takes no more jobs either. */
  let state: 'idle' | 'polling' | 'stopped' = 'idle';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = 0;
  let polling = false;
  let pollAgain = false;
  let pollFailures = 0;
  let moreMayBeDue = false;
  let recurringEnsuredAt: number | null = null;
  let stopped: Promise<void> | null = null;

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    const forget = () => inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  function add(name: string, reg: Registration) {
    if (registry.has(name)) throw new Error(`Job queue: a handler for "${name}" is already registered.`);
    registry.set(name, reg);
    leaseMs.set(name, leaseMsFor(reg.timeoutMs));
  }

  function runJob(job: ClaimedJob): Promise<void> {
    active++;
    return track(runClaimedJob({ db, log, workerId, onFailure }, job, registry.get(job.name)!).finally(() => active--));
  }

  async function ensureRecurring(): Promise<void> {
    for (const [name, reg] of registry) {
      if (!reg.recurring) continue;
      const { initialDelayMs: delayMs } = reg.recurring;
      await insertJob(db, { name, payload: null, delayMs, dedupeKey: everyKey(name), maxAttempts: reg.maxAttempts });
    }
  }

  async function poll(): Promise<void> {
    if (recurringEnsuredAt === null || Date.now() - recurringEnsuredAt > ENSURE_RECURRING_EVERY_MS) {
      await ensureRecurring();
      recurringEnsuredAt = Date.now();
    }
    while (state === 'polling' && active < concurrency) {
      const limit = concurrency - active;
      const jobs = await claimJobs(db, { workerId, leaseMs, limit });
      moreMayBeDue = jobs.length === limit;
      // A finished job frees a slot: claim again at once while jobs may be waiting.
      for (const job of jobs) {
        void runJob(job).then(() => {
          if (moreMayBeDue) schedule(0);
        });
      }
      if (!moreMayBeDue) return;
    }
  }

  async function tick() {
    timer = undefined;
    if (state !== 'polling') return;
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    try {
      await track(poll());
      pollFailures = 0;
    } catch (err) {
      pollFailures++;
      log.error({ err, failures: pollFailures }, 'job queue: polling failed; retrying');
    } finally {
      polling = false;
    }
    if (pollAgain) {
      pollAgain = false;
      schedule(0);
    } else {
      schedule(Math.min(MAX_POLL_BACKOFF_MS, pollIntervalMs * 2 ** pollFailures));
    }
  }

  /** One timer: a request for an earlier poll replaces a later one, never the reverse. */
  function schedule(ms: number) {
    if (state !== 'polling') return;
    const due = Date.now() + ms;
    if (timer !== undefined) {
      if (timerDue <= due) return;
      clearTimeout(timer);
    }
    timerDue = due;
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  }

  return {
    async enqueue(tx, name, payload, opts = {}) {
      const maxAttempts = opts.maxAttempts ?? registry.get(name)?.maxAttempts ?? JOB_DEFAULTS.maxAttempts;
      return insertJob(tx, { name, payload, runAt: opts.runAt, delayMs: opts.delayMs, dedupeKey: opts.dedupeKey, maxAttempts });
    },

    register<P>(name: string, handler: JobHandler<P>, opts: { timeoutMs?: number; maxAttempts?: number; backoffMs?: number } = {}) {
      add(name, {
        handler: handler as JobHandler<unknown>,
        timeoutMs: positive('timeoutMs', opts.timeoutMs ?? JOB_DEFAULTS.timeoutMs),
        maxAttempts: Math.floor(positive('maxAttempts', opts.maxAttempts ?? JOB_DEFAULTS.maxAttempts)),
        backoffMs: positive('backoffMs', opts.backoffMs ?? JOB_DEFAULTS.backoffMs, 0),
        recurring: null,
      });
    },

    every(name, everyMs, handler, opts = {}) {
      add(name, {
        handler: (_payload, ctx) => handler(ctx),
        timeoutMs: positive('timeoutMs', opts.timeoutMs ?? JOB_DEFAULTS.timeoutMs),
        maxAttempts: JOB_DEFAULTS.maxAttempts,
        backoffMs: 0,
        recurring: { everyMs: positive('everyMs', everyMs), initialDelayMs: positive('initialDelayMs', opts.initialDelayMs ?? 0, 0) },
      });
    },

    start() {
      if (state === 'polling') return;
      state = 'polling';
      recurringEnsuredAt = null;
      schedule(0);
    },

    stop(graceMs = JOB_DEFAULTS.graceMs) {
      // Later calls wait for the first one, with its deadline (shutdown, then the app's close hooks).
      stopped ??= (async () => {
        state = 'stopped';
        clearTimeout(timer);
        timer = undefined;
        const deadline = Date.now() + graceMs;
        while (inFlight.size > 0) {
          const left = deadline - Date.now();
          if (left <= 0) {
            log.warn({ running: active }, 'job queue stopped with jobs still running; they run again when their lease expires');
            return;
          }
          let graceTimer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (graceTimer = setTimeout(resolve, left)))]);
          clearTimeout(graceTimer);
        }
      })();
      return stopped;
    },

    async drain() {
      await ensureRecurring();
      // Due by the database's time now: a job re-enqueued during the drain waits for the next one.
      const dueBy = await databaseNow(db);
      let ran = 0;
      while (state !== 'stopped') {
        const jobs = await claimJobs(db, { workerId, leaseMs, limit: concurrency, dueBy });
        if (jobs.length === 0) break;
        await Promise.all(jobs.map(runJob));
        ran += jobs.length;
      }
      return ran;
    },

    wake() {
      schedule(WAKE_DELAY_MS);
    },
  };
}
