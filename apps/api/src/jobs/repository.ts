import type { Queryable } from '../db/database.ts';

/**
 * The job queue's SQL. Every time is the database's `now()`, never the process
 * clock, so replicas agree on what is due and when a lease has expired. Each
 * statement runs on its own: nothing here holds a transaction open.
 */

export interface ClaimedJob {
  id: string;
  name: string;
  payload: unknown;
  /** This attempt's number, from 1; above maxAttempts when the last attempt's lease expired. */
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
}

/** Who holds a job and for which attempt; a finish only applies while both still match. */
export interface Lease {
  id: string;
  workerId: string;
  attempt: number;
}

export async function insertJob(
  tx: Queryable,
  job: { name: string; payload: unknown; runAt?: Date; delayMs?: number; dedupeKey?: string; maxAttempts: number },
): Promise<string | null> {
  // Text then jsonb: the drivers would otherwise turn a JS array into a Postgres array.
  const { rows } = await tx.query<{ id: string }>(
    `insert into jobs (name, payload, run_at, max_attempts, dedupe_key)
     values ($1, $2::text::jsonb, coalesce($3::timestamptz, now() + $4::float8 * interval '1 millisecond'), $5, $6)
     on conflict (dedupe_key) where dedupe_key is not null and status in ('queued', 'running') do nothing
     returning id`,
    [job.name, JSON.stringify(job.payload ?? null), job.runAt ?? null, job.delayMs ?? 0, job.maxAttempts, job.dedupeKey ?? null],
  );
  return rows[0]?.id ?? null;
}

/**
 * Claims up to `limit` jobs in one statement: due queued jobs and running jobs
 * whose lease expired (their worker died), for the given names only. SKIP LOCKED
 * lets replicas claim side by side without waiting for or taking each other's rows.
 * `dueBy` (a database timestamp as text) bounds what counts as due; default now().
 */
export async function claimJobs(
  db: Queryable,
  opts: { workerId: string; leaseMs: ReadonlyMap<string, number>; limit: number; dueBy?: string | null },
): Promise<ClaimedJob[]> {
  if (opts.leaseMs.size === 0 || opts.limit <= 0) return [];
  const { rows } = await db.query<ClaimedJob>(
    `with handlers as (
       select * from unnest($2::text[], $3::float8[]) as h (name, lease_ms)
     ), due as materialized (
       select j.id from jobs j
        where j.name = any ($2::text[])
          and ((j.status = 'queued' and j.run_at <= coalesce($5::timestamptz, now()))
            or (j.status = 'running' and j.locked_until < coalesce($5::timestamptz, now())))
        order by j.run_at
        limit $4
        for update skip locked
     )
     update jobs j
        set status = 'running', attempts = j.attempts + 1, locked_by = $1, updated_at = now(),
            locked_until = now() + h.lease_ms * interval '1 millisecond'
       from due, handlers h
      where j.id = due.id and h.name = j.name
     returning j.id, j.name, j.payload, j.attempts, j.max_attempts as "maxAttempts", j.dedupe_key as "dedupeKey"`,
    [opts.workerId, [...opts.leaseMs.keys()], [...opts.leaseMs.values()], opts.limit, opts.dueBy ?? null],
  );
  return rows;
}

const HELD = `id = $1 and locked_by = $2 and attempts = $3 and status = 'running'`;

/** A finished one-off job is deleted. False when the lease was lost (another worker took the job over). */
export async function deleteJob(db: Queryable, lease: Lease): Promise<boolean> {
  const res = await db.query(`delete from jobs where ${HELD}`, [lease.id, lease.workerId, lease.attempt]);
  return res.rowCount > 0;
}

/**
 * Back to 'queued', due after `delayMs`: a retry (attempts kept), or the next run
 * of a recurring job (attempts reset). `error` is kept for inspection; null clears it.
 */
export async function requeueJob(
  db: Queryable,
  lease: Lease,
  next: { delayMs: number; error: string | null; resetAttempts: boolean },
): Promise<boolean> {
  const res = await db.query(
    `update jobs
        set status = 'queued', run_at = now() + $4::float8 * interval '1 millisecond', last_error = $5,
            attempts = case when $6::boolean then 0 else attempts end,
            locked_until = null, locked_by = null, updated_at = now()
      where ${HELD}`,
    [lease.id, lease.workerId, lease.attempt, next.delayMs, next.error, next.resetAttempts],
  );
  return res.rowCount > 0;
}

/** Out of attempts: kept as 'failed' with the last error; locked_by tells who ran it last. */
export async function failJob(db: Queryable, lease: Lease, error: string): Promise<boolean> {
  const res = await db.query(
    `update jobs
        set status = 'failed', last_error = $4, attempts = least(attempts, max_attempts),
            locked_until = null, updated_at = now()
      where ${HELD}`,
    [lease.id, lease.workerId, lease.attempt, error],
  );
  return res.rowCount > 0;
}

/**
 * Makes every running job claimable at once. Only for the embedded database: one
 * process at a time can open it, so a job still marked running at start was left by a
 * process that crashed, and waiting for its lease (up to minutes) would help no one.
 */
export async function expireAllLeases(db: Queryable): Promise<number> {
  const res = await db.query(`update jobs set locked_until = now() where status = 'running' and locked_until > now()`);
  return res.rowCount;
}

/** The database's current time, as text so that no precision is lost on the way back. */
export async function databaseNow(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ now: string }>('select now()::text as now');
  return rows[0]!.now;
}
