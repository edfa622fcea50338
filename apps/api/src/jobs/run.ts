import type { Queryable } from '../db/database.ts';
import { deleteJob, failJob, requeueJob, type ClaimedJob, type Lease } from './repository.ts';
import type { JobContext, JobFailureReporter, JobLogger, Registration } from './types.ts';

const MAX_RETRY_DELAY_MS = 10 * 60_000;
const MAX_ERROR_LENGTH = 1000;

/** The dedupe key that keeps one pending instance of a recurring job. */
export const everyKey = (name: string) => `every:${name}`;

/**
 * How long a claim holds a job. Longer than the handler's timeout, so that a worker
 * whose handler timed out records the failure (and its backoff) before another
 * replica can take the job over; a crashed worker's job waits this long.
 */
export const leaseMsFor = (timeoutMs: number) => timeoutMs + Math.min(timeoutMs, 5_000);

/** backoff × 2^(attempt−1), ±20% jitter so that failed jobs do not retry in lockstep, capped. */
export function retryDelayMs(backoffMs: number, attempt: number): number {
  const jitter = 0.8 + Math.random() * 0.4;
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, backoffMs * 2 ** (attempt - 1) * jitter));
}

export class JobTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`The job did not finish within its ${timeoutMs} ms timeout.`);
    this.name = 'JobTimeoutError';
  }
}

/** What is stored as last_error: the message only, never a stack (it may name paths and code). */
function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
}

function withBindings(log: JobLogger, bindings: object): JobLogger {
  return {
    debug: (obj, msg) => log.debug({ ...bindings, ...obj }, msg),
    info: (obj, msg) => log.info({ ...bindings, ...obj }, msg),
    warn: (obj, msg) => log.warn({ ...bindings, ...obj }, msg),
    error: (obj, msg) => log.error({ ...bindings, ...obj }, msg),
  };
}

/** Runs the handler; rejects with a JobTimeoutError, after aborting its signal, when it takes too long. */
async function runHandler(reg: Registration, job: ClaimedJob, ctx: Omit<JobContext, 'signal'>): Promise<void> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new JobTimeoutError(reg.timeoutMs);
      controller.abort(err);
      reject(err);
    }, reg.timeoutMs);
  });
  try {
    // A late settlement of the handler after a timeout is ignored; race() keeps it handled.
    const run = Promise.resolve().then(() => reg.handler(job.payload, { ...ctx, signal: controller.signal }));
    await Promise.race([run, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one claimed job and records its outcome. Never rejects: a failure to record
 * leaves the job leased, and it runs again once the lease expires.
 */
export async function runClaimedJob(
  env: { db: Queryable; log: JobLogger; workerId: string; onFailure?: JobFailureReporter },
  job: ClaimedJob,
  reg: Registration,
): Promise<void> {
  const lease: Lease = { id: job.id, workerId: env.workerId, attempt: job.attempts };
  const log = withBindings(env.log, { jobId: job.id, job: job.name, attempt: job.attempts });
  let failure: { err: unknown; message: string } | null = null;
  if (job.attempts > job.maxAttempts) {
    // Its last attempt's worker stopped or crashed mid-run: do not run it yet again.
    const err = new Error('The last attempt did not finish before its lease expired (the worker stopped or crashed).');
    failure = { err, message: errorMessage(err) };
  } else {
    try {
      await runHandler(reg, job, { id: job.id, name: job.name, attempt: job.attempts, log });
    } catch (err) {
      failure = { err, message: errorMessage(err) };
    }
  }

  try {
    const error = failure?.message ?? null;
    let held: boolean;
    if (reg.recurring && job.dedupeKey === everyKey(job.name)) {
      held = await requeueJob(env.db, lease, { delayMs: reg.recurring.everyMs, error, resetAttempts: true });
      if (held && failure) {
        log.warn({ err: failure.err }, 'recurring job failed; it runs again at its next time');
        report(env.onFailure, failure.err, job, log);
      }
    } else if (error === null) {
      held = await deleteJob(env.db, lease);
    } else if (job.attempts < job.maxAttempts) {
      const delayMs = retryDelayMs(reg.backoffMs, job.attempts);
      held = await requeueJob(env.db, lease, { delayMs, error, resetAttempts: false });
      if (held) log.warn({ err: failure?.err, retryInMs: delayMs }, 'job failed; it will be retried');
    } else {
      held = await failJob(env.db, lease, error);
      if (held) {
        log.error({ err: failure?.err }, 'job failed on its last attempt');
        report(env.onFailure, failure?.err, job, log);
      }
    }
    if (!held) log.warn({}, 'job finished after another worker took it over; that attempt decides the outcome');
    else if (error === null) log.debug({}, 'job done');
  } catch (err) {
    log.error({ err }, 'could not record the outcome of a job; it runs again when its lease expires');
  }
}

/** Hands a final failure to the reporter (Sentry); a reporter that throws costs only a log line. */
function report(onFailure: JobFailureReporter | undefined, err: unknown, job: ClaimedJob, log: JobLogger): void {
  if (!onFailure) return;
  try {
    onFailure(err, { id: job.id, name: job.name, attempt: job.attempts });
  } catch (reportErr) {
    log.warn({ err: reportErr }, 'could not report a job failure');
  }
}
