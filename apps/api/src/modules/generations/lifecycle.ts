import type { Queryable } from '../../db/index.ts';
import { STATUS_RANK, type PredictionSnapshot } from '../../integrations/replicate.ts';
import { lastLineAsSentence } from '../../lib/text.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { insertAudit } from '../auth/repository.ts';
import { grantCredits } from '../credits/ledger.ts';
import { parseTrainerProgress } from '../models/progress.ts';
import * as repo from './repository.ts';


/**
 * Ends a generation that did not produce images: its status, one refund (keyed by
 * the generation), an audit row. A generation that has already ended is left alone.
 */
export async function failGeneration(tx: Queryable, gen: repo.GenerationRow, status: 'Failed' | 'Canceled', reason: string | null): Promise<boolean> {
  if (gen.status !== 'Processing') return false;
  const refund = gen.credits_cost > 0 ? ` Your ${gen.credits_cost} credit${gen.credits_cost === 1 ? ' was' : 's were'} refunded.` : '';
  const error = status === 'Failed' ? `The generation failed: ${lastLineAsSentence(reason ?? 'the model stopped without saying why', 400)}${refund}` : null;
  await tx.query(
    `update generations set status = $2, error = $3, replicate_status = coalesce(replicate_status, 'failed'), completed_at = now(), last_event_at = now()
      where id = $1`,
    [gen.id, status, error],
  );
  await grantCredits(tx, gen.owner_subject, gen.credits_cost, 'generation_refund', gen.id);
  await insertAudit(tx, gen.owner_subject, `generation.${status.toLowerCase()}`, { generationId: gen.id, refundedCredits: gen.credits_cost });
  return true;
}

/**
 * Applies what Replicate says about a prediction (webhook or poll). Forward only; on
 * success the output URLs are kept and the `generation.store` job copies the images
 * into storage at once (Replicate deletes them after an hour).
 */
export async function applyPredictionUpdate(tx: Queryable, queue: JobQueue, snap: PredictionSnapshot): Promise<'processed' | 'ignored'> {
  const gen = await repo.findByPredictionId(tx, snap.id);
  if (!gen || gen.status !== 'Processing') return 'ignored';
  const current = gen.replicate_status ? STATUS_RANK[gen.replicate_status] : -1;
  if (STATUS_RANK[snap.status] < current || (current === 2 && gen.output_urls)) return 'ignored';
  if (snap.status === 'failed' || snap.status === 'canceled') {
    await failGeneration(tx, gen, snap.status === 'failed' ? 'Failed' : 'Canceled', snap.error);
    return 'processed';
  }
  if (snap.status === 'succeeded') {
    if (snap.output.length === 0) {
      await failGeneration(tx, gen, 'Failed', 'the model finished without producing an image');
      return 'processed';
    }
    await tx.query(
      `update generations set replicate_status = 'succeeded', output_urls = $2, progress = 100, last_event_at = now() where id = $1`,
      [gen.id, JSON.stringify(snap.output)],
    );
    await queue.enqueue(tx, 'generation.store', { generationId: gen.id }, { dedupeKey: `generation.store:${gen.id}` });
    return 'processed';
  }
  const parsed = parseTrainerProgress(snap.logs);
  const progress = parsed ? Math.max(parsed.percent, gen.progress ?? 0) : gen.progress;
  await tx.query(`update generations set replicate_status = $2, progress = $3, last_event_at = now() where id = $1`, [
    gen.id,
    STATUS_RANK[snap.status] >= current ? snap.status : gen.replicate_status,
    progress,
  ]);
  return 'processed';
}
