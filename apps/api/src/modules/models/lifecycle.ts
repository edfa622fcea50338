import type { Queryable } from '../../db/index.ts';
import { isTerminalStatus, STATUS_RANK, type TrainingSnapshot } from '../../integrations/replicate.ts';
import { lastLineAsSentence } from '../../lib/text.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import { insertAudit } from '../auth/repository.ts';
import { grantCredits } from '../credits/ledger.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { parseTrainerProgress } from './progress.ts';
import * as repo from './repository.ts';


export type UpdateOutcome = 'processed' | 'ignored';

function failureMessage(error: string | null, cost: number): string {
  const reason = lastLineAsSentence(error ?? 'the trainer stopped without saying why', 500);
  return `The training failed: ${reason}${cost > 0 ? ` Your ${cost} credits were refunded.` : ''}`;
}

/**
 * Ends a training that is still Processing: the status, the refund on failure or
 * cancel (once, keyed by the model), the photo purge job and an audit row, all in
 * the caller's privileged transaction. A model that has already ended is left alone.
 */
export async function finishTraining(
  tx: Queryable,
  queue: JobQueue,
  model: repo.ModelRow,
  end: { status: 'succeeded' | 'failed' | 'canceled'; version?: string | null; error?: string | null },
  cipher: ColumnCipher,
): Promise<boolean> {
  if (model.status !== 'Processing') return false;
  let status: 'Ready' | 'Failed' | 'Canceled';
  let error: string | null = null;
  if (end.status === 'succeeded' && end.version) status = 'Ready';
  else if (end.status === 'canceled') status = 'Canceled';
  else {
    status = 'Failed';
    error = failureMessage(end.status === 'succeeded' ? 'the trainer finished without producing a model version.' : (end.error ?? null), model.credits_cost);
  }
  await tx.query(
    `update models set status = $2, replicate_status = $3, replicate_version = $4, error = $5,
       progress = case when $2 = 'Ready' then 1 else progress end,
       updated_at = now(), completed_at = now(), last_event_at = now()
     where id = $1`,
    [model.id, status, end.status, status === 'Ready' && end.version ? cipher.encrypt(end.version) : null, error],
  );
  if (status !== 'Ready') await grantCredits(tx, model.owner_subject, model.credits_cost, 'training_refund', model.id);
  await queue.enqueue(tx, 'training.purge', { modelId: model.id }, { dedupeKey: `training.purge:${model.id}` });
  await insertAudit(tx, model.owner_subject, `training.${status.toLowerCase()}`, {
    modelId: model.id,
    ...(status !== 'Ready' && model.credits_cost > 0 ? { refundedCredits: model.credits_cost } : {}),
  });
  return true;
}

/**
 * Applies what Replicate says about a training (a webhook or a poll). State only
 * moves forward: a late `processing` after `succeeded` changes nothing, and
 * progress never goes back.
 */
export async function applyTrainingUpdate(tx: Queryable, queue: JobQueue, snap: TrainingSnapshot, cipher: ColumnCipher): Promise<UpdateOutcome> {
  const model = await repo.findByTrainingId(tx, snap.id);
  if (!model || model.status !== 'Processing') return 'ignored';
  if (isTerminalStatus(snap.status)) {
    await finishTraining(tx, queue, model, { status: snap.status as 'succeeded' | 'failed' | 'canceled', version: snap.version, error: snap.error }, cipher);
    return 'processed';
  }
  const current = model.replicate_status ? STATUS_RANK[model.replicate_status] : -1;
  const status = STATUS_RANK[snap.status] >= current ? snap.status : model.replicate_status!;
  const parsed = parseTrainerProgress(snap.logs);
  const before = model.progress_detail?.percent ?? 0;
  const detail: repo.ProgressDetail | null =
    parsed && parsed.percent >= before ? { ...parsed, updatedAt: new Date().toISOString() } : model.progress_detail;
  await tx.query(
    `update models set replicate_status = $2, progress_detail = $3, progress = $4, last_event_at = now(), updated_at = now() where id = $1`,
    [model.id, status, detail ? JSON.stringify(detail) : null, (detail?.percent ?? 0) / 100],
  );
  return 'processed';
}
