import type { Config } from '../../config.ts';
import type { Database } from '../../db/index.ts';
import { isPermanentReplicateError, type ReplicateGateway, type TrainingSnapshot } from '../../integrations/replicate.ts';
import { StorageError, type ObjectStorage } from '../../integrations/storage.ts';
import type { JobContext, JobQueue } from '../../jobs/queue.ts';
import { insertAudit, ownerUserId } from '../auth/repository.ts';
import { isTerminalStatus } from '../../integrations/replicate.ts';
import { applyTrainingUpdate, finishTraining } from './lifecycle.ts';
import * as repo from './repository.ts';
import { createTrainingZip } from './training-zip.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';

/**
 * The training's background work, on the privileged connection. Every handler is
 * idempotent: a job may run again after a crash or a lost lease.
 */
export interface TrainingJobDeps {
  db: Database;
  queue: JobQueue;
  storage: ObjectStorage;
  replicate: ReplicateGateway;
  config: Config;
  cipher: ColumnCipher;
}

// The jobs table's default, which enqueue_training_job() uses.
const SUBMIT_ATTEMPTS = 5;
const ZIP_URL_TTL_SECONDS = 3600;

export const trainingPrefix = (userId: string, modelId: string) => `users/${userId}/trainings/${modelId}`;
/** Replicate model names: lowercase letters, digits, dashes. One destination per Visiona model. */
export const destinationName = (modelId: string) => `visiona-lora-${modelId}`;

function trainerInput(model: repo.ModelRow, zipUrl: string): Record<string, unknown> {
  const p = model.parameters as Record<string, unknown>;
  return {
    input_images: zipUrl,
    trigger_word: model.trigger_word,
    steps: p['steps'],
    lora_rank: p['loraRank'],
    learning_rate: p['learningRate'],
    batch_size: p['batchSize'],
    resolution: (p['resolution'] as number[]).join(','),
    optimizer: p['optimizer'],
    autocaption: p['autocaption'],
    autocaption_prefix: p['autocaptionPrefix'],
    autocaption_suffix: p['autocaptionSuffix'],
  };
}

export function registerTrainingJobs(deps: TrainingJobDeps): void {
  const { db, queue, storage, replicate, config, cipher } = deps;

  const finish = (modelId: string, end: Parameters<typeof finishTraining>[3]) =>
    db.transaction(async (tx) => {
      const model = await repo.findModel(tx, modelId, { forUpdate: true });
      if (model) await finishTraining(tx, queue, model, end, cipher);
    });

  const apply = (snap: TrainingSnapshot) => db.transaction((tx) => applyTrainingUpdate(tx, queue, snap, cipher));

  async function recordSubmission(model: repo.ModelRow, training: TrainingSnapshot, zipPath: string, ctx: JobContext): Promise<void> {
    const destination = `${config.replicate.owner}/${destinationName(model.id)}`;
    await db.transaction(async (tx) => {
      await tx.query(
        `update models set training_id = $2, replicate_model = $3, replicate_status = $4, zip_path = $5, last_event_at = now(), updated_at = now()
          where id = $1 and training_id is null`,
        [model.id, training.id, cipher.encrypt(destination), training.status, zipPath],
      );
      await insertAudit(tx, model.owner_subject, 'training.started', { modelId: model.id, photos: model.photo_count });
    });
    ctx.log.info({ modelId: model.id, trainingId: training.id }, 'training started on Replicate');
    if (isTerminalStatus(training.status)) await apply(training);
    // A cancel that arrived while this job ran: pass it on now that there is a training to cancel.
    const latest = await repo.findModel(db, model.id);
    if (latest?.cancel_requested_at) {
      await queue.enqueue(db, 'training.cancel', { modelId: model.id }, { dedupeKey: `training.cancel:${model.id}` });
      queue.wake();
    }
  }

  async function submit(payload: { modelId: string }, ctx: JobContext): Promise<void> {
    const model = await repo.findModel(db, payload.modelId);
    if (!model || model.status !== 'Processing' || model.training_id) return;
    if (model.cancel_requested_at) return finish(model.id, { status: 'canceled' });
    const userId = await ownerUserId(db, model.owner_subject);
    if (!userId) return;
    try {
      const zipPath = `${trainingPrefix(userId, model.id)}/photos.zip`;
      // An earlier attempt may have created the training and then lost its answer (a crash,
      // a timeout): adopt that training rather than start (and pay for) a second one.
      const earlier = ctx.attempt > 1 ? await replicate.findRecentTraining(`/${zipPath}`) : null;
      if (earlier) return await recordSubmission(model, earlier, zipPath, ctx);
      const photos = await repo.claimedPhotoPaths(db, model.id);
      // A retry after a crash may find the zip of the previous attempt: replace it.
      await storage.remove([zipPath]);
      await storage.upload(zipPath, createTrainingZip(storage, photos.map((p) => p.storage_path), ctx.signal), 'application/zip');
      const zipUrl = await storage.signedUrl(zipPath, ZIP_URL_TTL_SECONDS);
      const destination = `${config.replicate.owner}/${destinationName(model.id)}` as const;
      await replicate.ensureModel(config.replicate.owner, destinationName(model.id), `Visiona LoRA ${model.id}`);
      const training = await replicate.createTraining({
        destination,
        input: trainerInput(model, zipUrl),
        webhook: `${config.publicApiUrl}/api/v1/webhooks/replicate`,
      });
      await recordSubmission(model, training, zipPath, ctx);
    } catch (err) {
      const storageRefused = err instanceof StorageError && err.permanent;
      if (isPermanentReplicateError(err) || storageRefused || ctx.attempt >= SUBMIT_ATTEMPTS) {
        ctx.log.warn({ err, modelId: model.id }, 'training could not be started');
        const reason = storageRefused
          ? 'Storage refused the training photos (too large together?). Upload fewer photos and try again.'
          : isPermanentReplicateError(err)
            ? `Replicate refused the training (${(err as Error).message.slice(0, 200)}).`
            : err instanceof StorageError
              ? 'File storage could not be reached to prepare the photos.'
              : 'Replicate could not be reached to start it.';
        return finish(model.id, { status: 'failed', error: reason });
      }
      throw err;
    }
  }

  async function cancel(payload: { modelId: string }): Promise<void> {
    const model = await repo.findModel(db, payload.modelId);
    if (!model || model.status !== 'Processing') return;
    // Not on Replicate yet: the submit job sees the request and ends it there.
    if (!model.training_id) return finish(model.id, { status: 'canceled' });
    await apply(await replicate.cancelTraining(model.training_id));
  }

  /** Deletes the training's photos and zip, then lists the prefixes to prove they are gone. */
  async function purge(payload: { modelId: string }): Promise<void> {
    const model = await repo.findModel(db, payload.modelId);
    if (!model || model.photos_purged_at || model.status === 'Processing') return;
    const userId = await ownerUserId(db, model.owner_subject);
    if (!userId) return;
    const photos = await repo.claimedPhotoPaths(db, model.id);
    const prefix = trainingPrefix(userId, model.id);
    const left = await storage.listTree(prefix);
    const paths = [...photos.flatMap((p) => [p.storage_path, ...(p.thumb_path ? [p.thumb_path] : [])]), ...left.map((o) => o.path)];
    await storage.remove(paths);
    const remaining = new Set([...(await storage.listTree(prefix)), ...(await storage.listTree(`users/${userId}/photos`))].map((o) => o.path));
    const stillThere = paths.filter((p) => remaining.has(p));
    if (stillThere.length > 0) throw new Error(`${stillThere.length} training objects are still in storage after removal`);
    await db.transaction(async (tx) => {
      await tx.query('delete from photos where model_id = $1', [model.id]);
      await tx.query('update models set photos_purged_at = now() where id = $1', [model.id]);
      await insertAudit(tx, model.owner_subject, 'training.photos_deleted', {
        modelId: model.id,
        photos: photos.length,
        objects: paths.length,
        verified: true,
      });
    });
  }

  async function reconcile(ctx: JobContext): Promise<void> {
    const { rows } = await db.query<{ id: string; training_id: string | null; stale_submit: boolean }>(
      `select m.id, m.training_id,
              (m.training_id is null and m.created_at < now() - interval '15 minutes'
               and not exists (select 1 from jobs j where j.dedupe_key = 'training.submit:' || m.id and j.status in ('queued', 'running'))) as stale_submit
         from models m
        where m.status = 'Processing' and (m.last_event_at is null or m.last_event_at < now() - make_interval(secs => $1::float8 / 1000))
        order by m.last_event_at nulls first limit 100`,
      [config.jobs.reconcileAfterMs],
    );
    for (const row of rows) {
      try {
        if (row.training_id) await apply(await replicate.getTraining(row.training_id));
        else if (row.stale_submit) await finish(row.id, { status: 'failed', error: 'The training could not be started.' });
      } catch (err) {
        ctx.log.warn({ err, modelId: row.id }, 'reconcile: could not refresh a training');
      }
    }
    // A purge that never got queued or that failed for good is asked for again.
    const pending = await db.query<{ id: string }>(
      `select id from models where status <> 'Processing' and photos_purged_at is null and photo_count > 0 limit 100`,
    );
    for (const { id } of pending.rows) await queue.enqueue(db, 'training.purge', { modelId: id }, { dedupeKey: `training.purge:${id}` });
  }

  const backoffMs = config.jobs.retryBaseMs;
  queue.register('training.submit', submit, { timeoutMs: 5 * 60_000, maxAttempts: SUBMIT_ATTEMPTS, backoffMs });
  queue.register('training.cancel', cancel, { timeoutMs: 60_000, maxAttempts: 8, backoffMs });
  queue.register('training.purge', purge, { timeoutMs: 5 * 60_000, maxAttempts: 10, backoffMs: backoffMs * 2 });
  queue.every('training.reconcile', config.jobs.reconcileEveryMs, reconcile, { timeoutMs: 5 * 60_000 });
}
