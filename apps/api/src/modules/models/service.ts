import { randomUUID } from 'node:crypto';
import type { CreateModelRequest, Model, TrainingParameters } from '@visiona/shared';
import { TRAINING_DEFAULTS } from '@visiona/shared';
import type { Config } from '../../config.ts';
import { withClaims, type Database, type Queryable } from '../../db/index.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { AppError, Conflict, NotFound, sqlState } from '../../lib/errors.ts';
import { readIdempotencyKey } from '../../lib/idempotency.ts';
import { insertAudit } from '../auth/repository.ts';
import type { AuthUser } from '../auth/types.ts';
import { spendCredits } from '../credits/ledger.ts';
import { checkModelLimit, lockUsage } from '../billing/limits.ts';
import type { PlanCatalog } from '../billing/plans.ts';
import * as repo from './repository.ts';

export function toModel(row: repo.ModelRow): Model {
  const d = row.progress_detail;
  const done = row.status !== 'Processing';
  const phase = done
    ? 'done'
    : !row.training_id
      ? 'queued'
      : row.replicate_status === 'starting' || !d
        ? 'starting'
        : d.percent >= 100
          ? 'finishing'
          : 'training';
  return {
    id: row.id,
    name: row.name,
    triggerWord: row.trigger_word,
    status: row.status,
    progress: {
      phase,
      percent: row.status === 'Ready' ? 100 : (d?.percent ?? 0),
      step: row.status === 'Ready' ? (d?.totalSteps ?? null) : (d?.step ?? null),
      totalSteps: d?.totalSteps ?? null,
      etaSeconds: done ? null : (d?.etaSeconds ?? null),
      updatedAt: d?.updatedAt ?? row.updated_at.toISOString(),
    },
    error: row.error,
    cancelRequestedAt: row.cancel_requested_at?.toISOString() ?? null,
    parameters: row.parameters as TrainingParameters,
    photoCount: row.photo_count,
    creditsCost: row.credits_cost,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

export function createModelService(deps: { db: Database; queue: JobQueue; config: Config; plans: PlanCatalog }) {
  const { db, queue, config, plans } = deps;
  const asUser = <T>(user: AuthUser, fn: (tx: Queryable) => Promise<T>) => withClaims(db, { sub: user.subject }, fn);

  async function get(user: AuthUser, id: string): Promise<Model> {
    const row = await asUser(user, (tx) => repo.findModel(tx, id));
    if (!row) throw new NotFound('model');
    return toModel(row);
  }

  return {
    /**
     * Starts a training: claims the waiting photos, spends the credits and queues
     * the submission, in one transaction as the user. Answers at once; the zip and
     * the call to Replicate happen in the `training.submit` job.
     */
    async create(user: AuthUser, input: CreateModelRequest, idempotencyHeader: string | null): Promise<{ model: Model; replayed: boolean }> {
      const idempotencyKey = readIdempotencyKey(idempotencyHeader);
      const name = input.name.trim();
      if (!name) throw new AppError(400, 'validation_failed', 'Give the model a name.', { details: [{ field: 'body.name', message: 'must not be blank' }] });
      const parameters: TrainingParameters = { ...TRAINING_DEFAULTS, ...input.parameters };
      const id = randomUUID();
      const cost = config.training.costCredits;
      try {
        const row = await asUser(user, async (tx) => {
          if (idempotencyKey) {
            const existing = await repo.findByIdempotencyKey(tx, idempotencyKey);
            if (existing) return { row: existing, replayed: true };
          }
          // One request at a time per person past here, so a count-based plan limit holds under races;
          // of many racing requests, the ones the balance does not cover get 402.
          await checkModelLimit(tx, await lockUsage(tx, plans), plans);
          await spendCredits(tx, cost, 'training', id, 'A training');
          const { count: waiting, bytes } = await repo.unclaimedPhotos(tx);
          // The zip holds the photos as they are (stored, not deflated) plus ~100 bytes of headers each.
          if (bytes + waiting * 100 > config.training.maxZipBytes) {
            const mb = (n: number) => `${Math.ceil(n / (1024 * 1024))} MB`;
            throw new AppError(
              409,
              'training_set_too_large',
              `Your ${waiting} photos add up to ${mb(bytes)}, and a training can take at most ${mb(config.training.maxZipBytes)}. Remove a few photos on the Photos page and try again.`,
            );
          }
          if (waiting < config.training.minPhotos) {
            throw new AppError(
              409,
              'not_enough_photos',
              `Training needs at least ${config.training.minPhotos} photos and you have ${waiting}. Upload ${config.training.minPhotos - waiting} more on the Photos page.`,
            );
          }
          await repo.insertModel(tx, { id, subject: user.subject, name, triggerWord: input.triggerWord, parameters, cost, idempotencyKey, photoCount: waiting });
          const photos = await repo.claimPhotos(tx, id, waiting);
          if (photos < config.training.minPhotos) throw new Conflict('Your photos were just claimed by another training. Upload photos again to train another model.');
          await tx.query('select enqueue_training_job($1, $2)', ['training.submit', id]);
          await insertAudit(tx, user.subject, 'training.requested', { modelId: id, photos, credits: cost });
          return { row: (await repo.findModel(tx, id))!, replayed: false };
        });
        queue.wake();
        return { model: toModel(row.row), replayed: row.replayed };
      } catch (err) {
        // The same key raced in from a retry: answer with the model it created.
        if (idempotencyKey && sqlState(err) === '23505') {
          const existing = await asUser(user, (tx) => repo.findByIdempotencyKey(tx, idempotencyKey));
          if (existing) return { model: toModel(existing), replayed: true };
        }
        throw err;
      }
    },

    async list(user: AuthUser): Promise<Model[]> {
      return (await asUser(user, (tx) => repo.listModels(tx))).map(toModel);
    },

    get,

    /** Asks for a cancel; the `training.cancel` job stops it on Replicate and refunds once it has stopped. */
    async cancel(user: AuthUser, id: string): Promise<Model> {
      const row = await asUser(user, async (tx) => {
        const model = await repo.findModel(tx, id, { forUpdate: true });
        if (!model) throw new NotFound('model');
        if (model.status !== 'Processing') throw new Conflict(`This training has already ended (${model.status}); there is nothing to cancel.`);
        if (!model.cancel_requested_at) {
          await tx.query('update models set cancel_requested_at = now() where id = $1', [id]);
          await tx.query('select enqueue_training_job($1, $2)', ['training.cancel', id]);
          await insertAudit(tx, user.subject, 'training.cancel_requested', { modelId: id });
        }
        return (await repo.findModel(tx, id))!;
      });
      queue.wake();
      return toModel(row);
    },

    async remove(user: AuthUser, id: string): Promise<void> {
      await asUser(user, async (tx) => {
        const model = await repo.findModel(tx, id, { forUpdate: true });
        if (!model) throw new NotFound('model');
        if (model.status === 'Processing') throw new Conflict('This model is still training. Cancel the training first, then delete it.');
        if (!model.photos_purged_at && model.photo_count > 0) {
          throw new AppError(409, 'cleanup_pending', 'This model’s training photos are still being deleted. Try again in a minute.', {
            headers: { 'retry-after': '30' },
          });
        }
        await tx.query('delete from models where id = $1', [id]);
        await insertAudit(tx, user.subject, 'model.deleted', { modelId: id, name: model.name });
      });
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;
