import type { Database } from '../../db/index.ts';
import { toPredictionSnapshot, toTrainingSnapshot, type ReplicateGateway } from '../../integrations/replicate.ts';
import { applyPredictionUpdate } from '../generations/lifecycle.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, ServiceUnavailable, ValidationFailed } from '../../lib/errors.ts';
import { verifyStandardWebhook } from '../../lib/standard-webhooks.ts';
import { applyTrainingUpdate } from '../models/lifecycle.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import { claimWebhookEvent, type WebhookOutcome } from './clerk-service.ts';

/**
 * Replicate's training webhooks. Verified over the raw body (Standard Webhooks,
 * ±5 min, constant time), processed once per `webhook-id` in the same
 * transaction as the effects, and quick: slow work (the photo purge) is a job.
 */
export function createReplicateWebhookService(deps: { db: Database; queue: JobQueue; replicate: ReplicateGateway; clock: Clock; secret: string | null; cipher: ColumnCipher }) {
  const { db, queue, clock } = deps;
  let secret: Promise<string> | null = deps.secret ? Promise.resolve(deps.secret) : null;

  /** The signing secret: configured, or asked of Replicate once (and again after a failure). */
  function signingSecret(): Promise<string> {
    if (!secret) {
      secret = deps.replicate.webhookSecret();
      secret.catch(() => {
        secret = null;
      });
    }
    return secret;
  }

  return {
    async handle(raw: string, headers: Record<string, string | string[] | undefined>): Promise<WebhookOutcome> {
      let key: string;
      try {
        key = await signingSecret();
      } catch {
        throw new ServiceUnavailable('The webhook signing secret could not be fetched from Replicate; retry later.', 30);
      }
      const verified = verifyStandardWebhook(key, raw, headers, clock.now().getTime());
      if (!verified) throw new AppError(400, 'invalid_signature', 'Webhook signature, timestamp or headers are invalid.');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new ValidationFailed('Webhook body is not JSON.');
      }
      const snap = toTrainingSnapshot(body);
      const prediction = toPredictionSnapshot(body);
      if (!snap || !prediction) throw new ValidationFailed('Webhook body is not a Replicate training or prediction.');
      const outcome = await db.transaction(async (tx): Promise<WebhookOutcome> => {
        if (!(await claimWebhookEvent(tx, 'replicate', verified.id, snap.status))) return 'duplicate';
        // A prediction id names a generation; anything else may be a training.
        const applied = (await applyPredictionUpdate(tx, queue, prediction)) === 'processed' ? 'processed' : await applyTrainingUpdate(tx, queue, snap, deps.cipher);
        return applied === 'processed' ? 'processed' : 'ignored';
      });
      if (outcome === 'processed') queue.wake();
      return outcome;
    },
  };
}

export type ReplicateWebhookService = ReturnType<typeof createReplicateWebhookService>;
