import type { Queryable } from '../db/database.ts';

/** The job queue's public types; `queue.ts` re-exports them with `createJobQueue`. */

/** The part of Fastify's (pino) logger the queue uses; `app.log` fits. */
export interface JobLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobContext {
  id: string;
  name: string;
  /** 1 on the first run. */
  attempt: number;
  /** Aborted when the handler's timeout passes; pass it to outside calls. */
  signal: AbortSignal;
  /** Logs with the job's id, name and attempt. */
  log: JobLogger;
}

/**
 * Told of a job that failed for good: its last attempt, or a run of a recurring job.
 * Failures that will be retried are only logged.
 */
export type JobFailureReporter = (err: unknown, job: { id: string; name: string; attempt: number }) => void;

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export interface JobQueue {
  /** Inside the caller's transaction (tx) so the job exists iff the effects commit. Returns the job id, or null when a pending job with the same dedupeKey exists. Call `wake()` after the commit. */
  enqueue(tx: Queryable, name: string, payload: unknown, opts?: { runAt?: Date; delayMs?: number; dedupeKey?: string; maxAttempts?: number }): Promise<string | null>;
  register<P>(name: string, handler: JobHandler<P>, opts?: { timeoutMs?: number; maxAttempts?: number; backoffMs?: number }): void;
  /** A recurring job: keeps exactly one pending instance (dedupeKey `every:<name>`), re-enqueued `everyMs` after each run ends (success or failure), across any number of replicas. */
  every(name: string, everyMs: number, handler: (ctx: JobContext) => Promise<void>, opts?: { timeoutMs?: number; initialDelayMs?: number }): void;
  /** Begins polling (every pollIntervalMs, plus an immediate poll). */
  start(): void;
  /** Stop taking jobs, abort nothing, wait for in-flight handlers up to graceMs; unfinished ones stay leased and are retried after lease expiry. A second call returns the first call's promise. */
  stop(graceMs?: number): Promise<void>;
  /** Claims and runs every job due now, until none is left (tests and the `wake` path). Returns the number run. */
  drain(): Promise<number>;
  /** Hint that a job was just enqueued: poll soon (debounced). */
  wake(): void;
}

/** One registered job name: its handler and how it is retried. */
export interface Registration {
  handler: JobHandler<unknown>;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** Set for `every` jobs: run again this long after each run ends. */
  recurring: { everyMs: number; initialDelayMs: number } | null;
}

export const JOB_DEFAULTS = { timeoutMs: 60_000, maxAttempts: 5, backoffMs: 5_000, pollIntervalMs: 1_000, concurrency: 2, graceMs: 10_000 };
