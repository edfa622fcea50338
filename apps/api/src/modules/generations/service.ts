import { randomUUID } from 'node:crypto';
import type { CreateGenerationRequest, GeneratedImage, Generation, GenerationList, GenerationListQuery, GenerationOptions } from '@visiona/shared';
import { GENERATION_DEFAULTS } from '@visiona/shared';
import type { Config } from '../../config.ts';
import { withClaims, type Database, type Queryable } from '../../db/index.ts';
import type { ObjectStorage } from '../../integrations/storage.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { AppError, NotFound, sqlState } from '../../lib/errors.ts';
import { readIdempotencyKey } from '../../lib/idempotency.ts';
import { insertAudit } from '../auth/repository.ts';
import type { AuthUser } from '../auth/types.ts';
import { spendCredits } from '../credits/ledger.ts';
import { checkImagesPerGeneration, checkRunningGenerations, currentPlan, lockUsage } from '../billing/limits.ts';
import type { PlanCatalog } from '../billing/plans.ts';
import { withTriggerWord, type PromptEnhancer } from '../prompts/enhancer.ts';
import * as repo from './repository.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';

export function createGenerationService(deps: { db: Database; storage: ObjectStorage; queue: JobQueue; enhancer: PromptEnhancer; config: Config; plans: PlanCatalog }) {
  const { db, storage, queue, enhancer, config, plans } = deps;
  const ttl = config.storage.signedUrlTtlSeconds;
  const asUser = <T>(user: AuthUser, fn: (tx: Queryable) => Promise<T>) => withClaims(db, { sub: user.subject }, fn);

  async function present(rows: repo.GenerationRow[]): Promise<Generation[]> {
    const paths = rows.flatMap((r) => r.images.flatMap((i) => [i.storage_path, i.thumb_path]));
    const { urls, expiresAt } = await storage.signedUrls(paths, ttl);
    const expires = expiresAt?.toISOString() ?? null;
    return rows.map((r) => ({
      id: r.id,
      modelId: r.model_id,
      modelName: r.model_name,
      status: r.status,
      prompt: r.prompt,
      enhancedPrompt: r.enhanced_prompt,
      enhancement: r.enhancement,
      presetId: r.preset_id,
      options: { ...GENERATION_DEFAULTS, ...r.parameters },
      creditsCost: r.credits_cost,
      progress: r.status === 'Processing' ? r.progress : r.status === 'Succeeded' ? 100 : null,
      error: r.error,
      images: r.images.map((i): GeneratedImage => {
        const url = urls.get(i.storage_path) ?? '';
        const name = `visiona-${r.id.slice(0, 8)}-${i.idx + 1}.${i.storage_path.split('.').pop()}`;
        return {
          id: i.id,
          index: i.idx,
          contentType: i.content_type,
          width: i.width,
          height: i.height,
          byteSize: i.byte_size,
          favorite: i.favorite,
          url,
          thumbnailUrl: urls.get(i.thumb_path) ?? '',
          downloadUrl: url ? `${url}&download=${encodeURIComponent(name)}` : '',
        };
      }),
      urlExpiresAt: expires,
      createdAt: r.created_at.toISOString(),
      completedAt: r.completed_at?.toISOString() ?? null,
    }));
  }

  async function get(user: AuthUser, id: string): Promise<Generation> {
    const row = await asUser(user, (tx) => repo.findGeneration(tx, id));
    if (!row) throw new NotFound('generation');
    return (await present([row]))[0]!;
  }

  /** Waits (polling the row) until the generation has ended or `seconds` pass. */
  async function waitFor(user: AuthUser, id: string, seconds: number, signal: AbortSignal): Promise<Generation> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const row = await asUser(user, (tx) => repo.findGeneration(tx, id));
      if (!row) throw new NotFound('generation');
      if (row.status !== 'Processing' || Date.now() >= until || signal.aborted) return (await present([row]))[0]!;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return {
    get,

    /**
     * Starts a generation: enhances the prompt if asked (never failing because of it),
     * reserves the credits atomically and queues the prediction, in one transaction as
     * the user. With `waitSeconds`, answers when the images are stored (or the wait ends).
     */
    async create(
      user: AuthUser,
      input: CreateGenerationRequest,
      opts: { idempotencyKey: string | null; waitSeconds: number | null; signal: AbortSignal; stopWaiting?: AbortSignal },
    ): Promise<{ generation: Generation; replayed: boolean }> {
      const key = readIdempotencyKey(opts.idempotencyKey);
      const { model, plan } = await asUser(user, async (tx) => ({
        model: (await tx.query<{ id: string; name: string; trigger_word: string; status: string }>('select id, name, trigger_word, status from models where id = $1', [input.modelId])).rows[0],
        plan: await currentPlan(tx, plans),
      }));
      if (!model) throw new NotFound('model');
      if (model.status !== 'Ready') throw new AppError(409, 'model_not_ready', `The model “${model.name}” is ${model.status.toLowerCase()}, not ready: generate with a Ready model.`);
      if (key) {
        const earlier = await asUser(user, (tx) => repo.findByIdempotencyKey(tx, key));
        if (earlier) return { generation: (await present([earlier]))[0]!, replayed: true };
      }

      const options: GenerationOptions = { ...GENERATION_DEFAULTS, ...input.options };
      checkImagesPerGeneration(options.numOutputs, plan, plans);

      const prompt = withTriggerWord(input.prompt, model.trigger_word);
      let enhanced: string | null = null;
      let enhancement: repo.GenerationRow['enhancement'] = 'none';
      if (input.enhancedPrompt) {
        enhanced = withTriggerWord(input.enhancedPrompt, model.trigger_word);
        enhancement = 'enhanced';
      } else if (input.enhance) {
        const result = await enhancer.enhance(prompt, model.trigger_word, opts.signal);
        enhancement = result.enhancement;
        enhanced = result.enhancement === 'enhanced' ? result.prompt : null;
      }

      const cost = options.numOutputs * config.generation.creditsPerImage;
      const id = randomUUID();
      try {
        const row = await asUser(user, async (tx) => {
          // One request at a time per person past here, so the running count holds under races.
          await checkRunningGenerations(tx, await lockUsage(tx, plans), plans);
          await spendCredits(tx, cost, 'generation', id, `${options.numOutputs === 1 ? 'An image' : `${options.numOutputs} images`}`);
          await repo.insertGeneration(tx, {
            id,
            subject: user.subject,
            modelId: model.id,
            modelName: model.name,
            prompt,
            enhancedPrompt: enhanced,
            enhancement,
            presetId: input.presetId ?? null,
            options,
            cost,
            idempotencyKey: key,
          });
          await tx.query('select enqueue_generation_job($1)', [id]);
          await insertAudit(tx, user.subject, 'generation.requested', { generationId: id, modelId: model.id, images: options.numOutputs, credits: cost });
          return (await repo.findGeneration(tx, id))!;
        });
        queue.wake();
        const generation = opts.waitSeconds ? await waitFor(user, id, opts.waitSeconds, opts.stopWaiting ?? opts.signal) : (await present([row]))[0]!;
        return { generation, replayed: false };
      } catch (err) {
        if (key && sqlState(err) === '23505') {
          const earlier = await asUser(user, (tx) => repo.findByIdempotencyKey(tx, key));
          if (earlier) return { generation: (await present([earlier]))[0]!, replayed: true };
        }
        throw err;
      }
    },

    async list(user: AuthUser, q: GenerationListQuery): Promise<GenerationList> {
      const limit = q.limit ?? 24;
      // One statement: run with its claims in a single round trip (the gallery is the hot path).
      const claims = { sub: user.subject };
      const oneTrip: Queryable = { query: (text, params) => db.queryAsUser(claims, text, params), exec: () => Promise.reject(new Error('not supported')) };
      const rows = await repo.listGenerations(oneTrip, {
        limit: limit + 1,
        after: q.cursor ? decodeCursor(q.cursor) : null,
        modelId: q.modelId,
        favorites: q.favorites,
        status: q.status,
      });
      const page = rows.slice(0, limit);
      return { items: await present(page), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!.cursor_at, page.at(-1)!.id) : null };
    },

    /** Deletes a generation that has ended: its row, its images' rows and their bytes. */
    async remove(user: AuthUser, id: string): Promise<void> {
      const paths = await asUser(user, async (tx) => {
        // No row lock: the app role may not update generations, and `delete … where status <> 'Processing'` decides.
        const row = await repo.findGeneration(tx, id);
        if (!row) throw new NotFound('generation');
        const gone = await tx.query(`delete from generations where id = $1 and status <> 'Processing'`, [id]);
        if (gone.rowCount === 0) throw new AppError(409, 'generation_running', 'This generation is still running. Delete it once its images have arrived.', { headers: { 'retry-after': '5' } });
        await insertAudit(tx, user.subject, 'generation.deleted', { generationId: id, images: row.images.length });
        return row.images.flatMap((i) => [i.storage_path, i.thumb_path]);
      });
      // The rows are gone first: if removing the bytes fails, the sweeper removes them later.
      await storage.remove(paths);
    },

    async setFavorite(user: AuthUser, imageId: string, favorite: boolean): Promise<GeneratedImage> {
      const generationId = await asUser(user, async (tx) => {
        const { rows } = await tx.query<{ generation_id: string }>('update images set favorite = $2 where id = $1 returning generation_id', [imageId, favorite]);
        return rows[0]?.generation_id;
      });
      if (!generationId) throw new NotFound('image');
      const generation = await get(user, generationId);
      return generation.images.find((i) => i.id === imageId)!;
    },
  };
}

export type GenerationService = ReturnType<typeof createGenerationService>;
