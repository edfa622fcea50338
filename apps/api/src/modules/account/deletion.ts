import type { Config } from '../../config.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import type { Database, Queryable } from '../../db/index.ts';
import type { ClerkGateway } from '../../integrations/clerk.ts';
import { isTerminalStatus, replicateErrorStatus, type ReplicateGateway, type ReplicateStatus } from '../../integrations/replicate.ts';
import type { ObjectStorage } from '../../integrations/storage.ts';
import type { StripeGateway } from '../../integrations/stripe.ts';
import type { JobContext, JobQueue } from '../../jobs/queue.ts';
import { AppError } from '../../lib/errors.ts';
import { destinationName } from '../models/training-jobs.ts';
import { SUBJECT_HASH_SQL } from './tombstone.ts';

/**
 * Account deletion (docs/decisions/0020). Closing the account is immediate and
 * transactional: a tombstone, and every session, token and password removed, so
 * nothing signs in again. Removing the data is a job, because it calls Replicate,
 * Stripe and storage: each step is idempotent (already gone counts as done), the
 * outside world is cleaned before the rows that name it are deleted, and the job
 * can run any number of times, from the API or from Clerk's `user.deleted`.
 */

export const ACCOUNT_DELETE_JOB = 'account.delete';

export interface AccountDeletionPayload {
  subject: string;
  /** Storage prefixes are by user id; absent when Clerk deletes a user Visiona never saw. */
  userId: string | null;
  /** `clerk`: Clerk's `user.deleted` started it, so the identity is already gone there. */
  source: 'api' | 'clerk';
}

export interface AccountDeletionDeps {
  db: Database;
  queue: JobQueue;
  storage: ObjectStorage;
  replicate: ReplicateGateway;
  stripe: StripeGateway;
  config: Config;
  cipher: ColumnCipher;
  /** Clerk mode: the identity is deleted at Clerk too. */
  clerk?: ClerkGateway | null;
}

/**
 * Closes the account inside the caller's transaction and enqueues the removal.
 * Returns false when it was already closed (a rerun is harmless either way).
 */
export async function closeAccount(tx: Queryable, queue: JobQueue, subject: string, source: AccountDeletionPayload['source']): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into deleted_subjects (subject_sha256) values (${SUBJECT_HASH_SQL('$1')}) on conflict do nothing`,
    [subject],
  );
  const { rows } = await tx.query<{ id: string }>('select id from users where auth_subject = $1', [subject]);
  const userId = rows[0]?.id ?? null;
  await tx.query('delete from sessions where owner_subject = $1', [subject]);
  await tx.query('delete from api_tokens where owner_subject = $1', [subject]);
  await tx.query('delete from local_credentials where auth_subject = $1', [subject]);
  const payload: AccountDeletionPayload = { subject, userId, source };
  await queue.enqueue(tx, ACCOUNT_DELETE_JOB, payload, { dedupeKey: `${ACCOUNT_DELETE_JOB}:${subject}`, maxAttempts: 20 });
  return rowCount === 1;
}

export function registerAccountDeletion(deps: AccountDeletionDeps): { run(payload: AccountDeletionPayload, log?: JobContext['log']): Promise<void> } {
  const { db, storage, replicate, stripe, config } = deps;
  const quiet: JobContext['log'] = { debug() {}, info() {}, warn() {}, error() {} };

  async function removeReplicateModels(subject: string, log: JobContext['log']): Promise<number> {
    const { rows } = await db.query<{ id: string; training_id: string | null; replicate_status: ReplicateStatus | null; replicate_model: string | null }>(
      'select id, training_id, replicate_status, replicate_model from models where owner_subject = $1',
      [subject],
    );
    for (const m of rows) {
      // A training still running would write a new version into the model being deleted.
      if (m.training_id && (!m.replicate_status || !isTerminalStatus(m.replicate_status))) {
        await replicate.cancelTraining(m.training_id).catch((err: unknown) => {
          const status = replicateErrorStatus(err);
          // 404: gone; 4xx: already finished. Anything else is retried with the job.
          if (status === null || status >= 500 || status === 429) throw err;
        });
      }
      const [owner, name] = (deps.cipher.decryptNullable(m.replicate_model) ?? `${config.replicate.owner}/${destinationName(m.id)}`).split('/') as [string, string];
      await replicate.deleteModel(owner, name);
    }
    if (rows.length) log.info({ models: rows.length }, 'account deletion: Replicate models deleted');
    return rows.length;
  }

  async function closeStripeCustomer(subject: string, log: JobContext['log']): Promise<void> {
    const { rows } = await db.query<{ stripe_customer_id: string }>('select stripe_customer_id from billing_customers where owner_subject = $1', [subject]);
    for (const r of rows) {
      try {
        await stripe.closeCustomer(deps.cipher.decrypt(r.stripe_customer_id));
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'stripe_not_found')) throw err;
      }
      log.info({}, 'account deletion: Stripe subscriptions canceled and customer deleted');
    }
  }

  async function removeObjects(userId: string): Promise<number> {
    const prefix = `users/${userId}`;
    let removed = 0;
    // Listing after removing confirms the prefix is empty (a late upload is caught on the next pass).
    for (let pass = 0; pass < 3; pass++) {
      const objects = await storage.listTree(prefix);
      if (objects.length === 0) return removed;
      await storage.remove(objects.map((o) => o.path));
      removed += objects.length;
    }
    throw new Error(`storage still holds objects under ${prefix} after three passes`);
  }

  async function removeRows(subject: string, userId: string | null): Promise<void> {
    await db.transaction(async (tx) => {
      // Pending work that names the user's models or generations would only fail later.
      await tx.query(
        `delete from jobs where name <> $3 and (
           payload->>'modelId' in (select id::text from models where owner_subject = $1)
           or payload->>'generationId' in (select id::text from generations where owner_subject = $1)
           or ($2::text is not null and payload->>'userId' = $2::text))`,
        [subject, userId, ACCOUNT_DELETE_JOB],
      );
      // Everything the user owns goes with the users row (on delete cascade); payments stay,
      // as the law requires, with their owner set to null by the foreign key.
      await tx.query('delete from users where auth_subject = $1', [subject]);
    });
  }

  async function run(payload: AccountDeletionPayload, log: JobContext['log'] = quiet): Promise<void> {
    const { subject } = payload;
    let userId = payload.userId;
    if (!userId) {
      const { rows } = await db.query<{ id: string }>('select id from users where auth_subject = $1', [subject]);
      userId = rows[0]?.id ?? null;
    }
    await removeReplicateModels(subject, log);
    await closeStripeCustomer(subject, log);
    if (deps.clerk && payload.source === 'api') await deps.clerk.deleteUser(subject);
    const objects = userId ? await removeObjects(userId) : 0;
    await removeRows(subject, userId);
    // A generation job that was already running may have stored an image after the first pass.
    if (userId) await removeObjects(userId);
    log.info({ objects }, 'account deleted');
  }

  deps.queue.register<AccountDeletionPayload>(ACCOUNT_DELETE_JOB, (payload, ctx) => run(payload, ctx.log), {
    timeoutMs: 10 * 60_000,
    maxAttempts: 20,
    backoffMs: 10_000,
  });
  return { run };
}
