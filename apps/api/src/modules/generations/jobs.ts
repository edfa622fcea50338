import type { Config } from '../../config.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import type { Database } from '../../db/index.ts';
import { isPermanentReplicateError, isTerminalStatus, type ReplicateGateway } from '../../integrations/replicate.ts';
import type { ObjectStorage } from '../../integrations/storage.ts';
import type { JobContext, JobQueue } from '../../jobs/queue.ts';
import { insertAudit, ownerUserId } from '../auth/repository.ts';
import { applyPredictionUpdate, failGeneration } from './lifecycle.ts';
import { downloadOutput, OutputRefused } from './outputs.ts';
import * as repo from './repository.ts';

/** Where a generation's images live in the private bucket. */
export const generationPrefix = (userId: string, generationId: string) => `users/${userId}/generations/${generationId}`;

const SUBMIT_ATTEMPTS = 6;
const STORE_ATTEMPTS = 8;

/**
 * A generation's background work, on the privileged connection; every handler is
 * idempotent (a job may run again after a crash or a lost lease).
 */
export function registerGenerationJobs(deps: { db: Database; queue: JobQueue; storage: ObjectStorage; replicate: ReplicateGateway; config: Config; cipher: ColumnCipher }): void {
  const { db, queue, storage, replicate, config, cipher } = deps;
  const fail = (id: string, reason: string) =>
    db.transaction(async (tx) => {
      const gen = await repo.findGeneration(tx, id, { forUpdate: true });
      if (gen) await failGeneration(tx, gen, 'Failed', reason);
    });

  async function adoptablePrediction(request: { version: string; input: Record<string, unknown> }, createdAt: Date) {
    // A minute's slack for the difference between Replicate's clock and the database's.
    const candidates = await replicate.findRecentPredictions(request, new Date(createdAt.getTime() - 60_000));
    for (const candidate of candidates) {
      const taken = await db.query('select 1 from generations where prediction_id = $1', [candidate.id]);
      if (taken.rowCount === 0) return candidate;
    }
    return null;
  }

  async function submit(payload: { generationId: string }, ctx: JobContext): Promise<void> {
    const gen = await repo.findGeneration(db, payload.generationId);
    if (!gen || gen.status !== 'Processing' || gen.prediction_id) return;
    const model = gen.model_id
      ? (await db.query<{ replicate_version: string | null; status: string }>('select replicate_version, status from models where id = $1', [gen.model_id])).rows[0]
      : undefined;
    const version = model?.status === 'Ready' ? cipher.decryptNullable(model.replicate_version)?.split(':')[1] : undefined;
    if (!version) return void (await fail(gen.id, 'the model is no longer available'));
    const o = gen.parameters;
    const request = {
      version,
      input: {
        prompt: gen.enhanced_prompt ?? gen.prompt,
        num_outputs: o.numOutputs,
        aspect_ratio: o.aspectRatio,
        output_format: o.outputFormat,
        guidance_scale: o.guidanceScale,
        num_inference_steps: o.numInferenceSteps,
        lora_scale: o.loraScale,
        ...(o.seed === null ? {} : { seed: o.seed }),
        model: 'dev',
      },
    };
    try {
      // An earlier attempt may have created the prediction and then lost its answer (a crash,
      // a timeout): adopt it rather than run (and pay for) a second one. One that another
      // generation recorded is that generation's.
      let prediction = ctx.attempt > 1 ? await adoptablePrediction(request, gen.created_at) : null;
      if (prediction) ctx.log.info({ generationId: gen.id, predictionId: prediction.id }, 'adopting the prediction of an interrupted attempt');
      prediction ??= await replicate.createPrediction({ ...request, webhook: `${config.publicApiUrl}/api/v1/webhooks/replicate` });
      await db.query(
        `update generations set prediction_id = $2, replicate_status = $3, last_event_at = now() where id = $1 and prediction_id is null`,
        [gen.id, prediction.id, prediction.status],
      );
      ctx.log.info({ generationId: gen.id, predictionId: prediction.id }, 'prediction started');
      // An adopted prediction may have ended while its webhooks found no generation to apply to.
      if (isTerminalStatus(prediction.status)) {
        const snap = prediction;
        await db.transaction((tx) => applyPredictionUpdate(tx, queue, snap));
        queue.wake();
      }
    } catch (err) {
      const permanent = isPermanentReplicateError(err);
      if (permanent || ctx.attempt >= SUBMIT_ATTEMPTS) {
        return void (await fail(gen.id, permanent ? `Replicate refused it (${(err as Error).message.slice(0, 200)})` : 'Replicate could not be reached'));
      }
      throw err;
    }
  }

  /** Copies every output into private storage, then marks the generation Succeeded. */
  async function store(payload: { generationId: string }, ctx: JobContext): Promise<void> {
    const gen = await repo.findGeneration(db, payload.generationId);
    if (!gen || gen.status !== 'Processing' || !gen.output_urls) return;
    const userId = await ownerUserId(db, gen.owner_subject);
    if (!userId) return;
    const prefix = generationPrefix(userId, gen.id);
    const rows: { idx: number; path: string; thumb: string; type: string; width: number; height: number; size: number }[] = [];
    try {
      for (const [idx, url] of gen.output_urls.entries()) {
        const out = await downloadOutput(url, {
          allowedHosts: config.generation.outputHosts,
          maxBytes: config.generation.maxOutputBytes,
          timeoutMs: config.generation.downloadTimeoutMs,
          signal: ctx.signal,
        });
        const path = `${prefix}/${idx}.${out.extension}`;
        const thumb = `${prefix}/${idx}.thumb.webp`;
        // A retry after a crash may find the objects of the previous attempt: replace them.
        await storage.remove([path, thumb]);
        await storage.upload(path, out.bytes, out.contentType);
        await storage.upload(thumb, out.thumbnail, 'image/webp');
        rows.push({ idx, path, thumb, type: out.contentType, width: out.width, height: out.height, size: out.bytes.length });
      }
    } catch (err) {
      if (err instanceof OutputRefused || ctx.attempt >= STORE_ATTEMPTS) {
        await storage.remove(rows.flatMap((r) => [r.path, r.thumb])).catch(() => {});
        return void (await fail(gen.id, err instanceof OutputRefused ? `its output was refused (${err.message})` : 'its images could not be downloaded in time'));
      }
      throw err;
    }
    await db.transaction(async (tx) => {
      const current = await repo.findGeneration(tx, gen.id, { forUpdate: true });
      if (!current || current.status !== 'Processing') return;
      for (const r of rows) {
        await tx.query(
          `insert into images (owner_subject, generation_id, idx, storage_path, thumb_path, content_type, width, height, byte_size)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (generation_id, idx) do nothing`,
          [gen.owner_subject, gen.id, r.idx, r.path, r.thumb, r.type, r.width, r.height, r.size],
        );
      }
      await tx.query(`update generations set status = 'Succeeded', output_urls = null, completed_at = now(), last_event_at = now() where id = $1`, [gen.id]);
      await insertAudit(tx, gen.owner_subject, 'generation.succeeded', { generationId: gen.id, images: rows.length });
    });
  }

  /** Finishes generations whose webhook never came, well inside Replicate's one-hour output retention. */
  async function reconcile(ctx: JobContext): Promise<void> {
    const { rows } = await db.query<{ id: string; prediction_id: string | null; output_urls: unknown; stale_submit: boolean }>(
      `select g.id, g.prediction_id, g.output_urls,
              (g.prediction_id is null and g.created_at < now() - interval '10 minutes'
               and not exists (select 1 from jobs j where j.dedupe_key = 'generation.submit:' || g.id and j.status in ('queued', 'running'))) as stale_submit
         from generations g
        where g.status = 'Processing' and g.last_event_at < now() - make_interval(secs => $1::float8 / 1000)
        order by g.last_event_at limit 200`,
      [config.jobs.reconcileAfterMs],
    );
    for (const row of rows) {
      try {
        if (row.output_urls) await queue.enqueue(db, 'generation.store', { generationId: row.id }, { dedupeKey: `generation.store:${row.id}` });
        else if (row.prediction_id) {
          const snap = await replicate.getPrediction(row.prediction_id);
          await db.transaction((tx) => applyPredictionUpdate(tx, queue, snap));
        } else if (row.stale_submit) await fail(row.id, 'it could not be started');
      } catch (err) {
        ctx.log.warn({ err, generationId: row.id }, 'reconcile: could not refresh a generation');
      }
    }
    queue.wake();
  }

  const backoffMs = config.jobs.retryBaseMs;
  queue.register('generation.submit', submit, { timeoutMs: 60_000, maxAttempts: SUBMIT_ATTEMPTS, backoffMs });
  queue.register('generation.store', store, { timeoutMs: 5 * 60_000, maxAttempts: STORE_ATTEMPTS, backoffMs });
  queue.every('generation.reconcile', config.jobs.reconcileEveryMs, reconcile, { timeoutMs: 5 * 60_000 });
}
