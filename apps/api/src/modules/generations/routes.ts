import { Type } from 'typebox';
import {
  CreateGenerationRequest,
  EnhancePromptRequest,
  EnhancePromptResponse,
  GeneratedImage,
  Generation,
  GenerationList,
  GenerationListQuery,
  PresetList,
  UpdateImageRequest,
} from '@visiona/shared';
import type { Config } from '../../config.ts';
import { withClaims, type Database } from '../../db/index.ts';
import { NotFound } from '../../lib/errors.ts';
import type { App } from '../../lib/http.ts';
import { IdParams, withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import { withTriggerWord, type PromptEnhancer } from '../prompts/enhancer.ts';
import { PRESETS } from '../prompts/presets.ts';
import type { GenerationService } from './service.ts';

const CreateHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Send the same key when you retry: one generation, one charge.' })),
  prefer: Type.Optional(Type.String({ description: '`wait` or `wait=<seconds>`: answer when the images are stored (capped by `generation.maxWaitSeconds`).' })),
});

/** `Prefer: wait` / `wait=n` (RFC 7240), capped. */
function preferredWait(header: string | undefined, max: number): number | null {
  const m = header ? /(?:^|[,;\s])wait(?:=(\d+))?(?:$|[,;\s])/i.exec(header) : null;
  if (!m) return null;
  return Math.min(max, m[1] ? Number(m[1]) : max);
}

export default async function generationRoutes(
  app: App,
  opts: { generations: GenerationService; enhancer: PromptEnhancer; db: Database; config: Config },
) {
  // On shutdown a `Prefer: wait` request answers at once (202, still Processing) instead
  // of holding the drain: its generation goes on in the queue, on this or another replica.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  app.post(
    '/api/v1/generations',
    {
      schema: {
        tags: ['generations'],
        operationId: 'createGeneration',
        summary: 'Generate images of you with a Ready model. Answers 202 with the generation in status `Processing`.',
        description:
          'Costs `generation.creditsPerImage` × `numOutputs` credits (see `GET /api/v1/config`), refunded if it fails. The trigger word is added when the prompt lacks it. ' +
          'With `Prefer: wait` the answer comes when the images are stored (201), or after the wait with the generation still `Processing` (202). Errors: 402 not enough credits, 403 `plan_limit` (more images than your plan makes at once), 409 `model_not_ready`, 429 `too_many_running` (your plan’s generations at once are running; see Retry-After).',
        security: requireScope('generate'),
        headers: CreateHeaders,
        body: CreateGenerationRequest,
        response: withErrors({ 201: Generation, 202: Generation }),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const wait = preferredWait(request.headers.prefer, opts.config.generation.maxWaitSeconds);
      const abort = new AbortController();
      request.raw.once('close', () => abort.abort());
      const { generation, replayed } = await opts.generations.create(request.user!, request.body, {
        idempotencyKey: typeof key === 'string' ? key : null,
        waitSeconds: wait,
        signal: abort.signal,
        stopWaiting: AbortSignal.any([abort.signal, closing.signal]),
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      if (wait !== null) reply.header('preference-applied', `wait=${wait}`);
      return reply.code(generation.status === 'Processing' ? 202 : 201).send(generation);
    },
  );

  app.get(
    '/api/v1/generations',
    {
      schema: {
        tags: ['generations'],
        operationId: 'listGenerations',
        summary: 'Your gallery: generations with their images, newest first, with cursor pagination and filters.',
        security: requireScope('read'),
        querystring: GenerationListQuery,
        response: withErrors({ 200: GenerationList }),
      },
    },
    async (request, reply) => {
      const page = await opts.generations.list(request.user!, request.query);
      // present() builds every field explicitly, so nothing can leak; JSON.stringify is much
      // faster than the schema serializer on a page of long signed URLs (bench/README.md).
      // A custom serializer leaves the content type unset: name it.
      return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(page);
    },
  );

  app.get(
    '/api/v1/generations/:id',
    {
      schema: {
        tags: ['generations'],
        operationId: 'getGeneration',
        summary: 'One generation: status, progress, prompts, options and images.',
        security: requireScope('read'),
        params: IdParams,
        response: withErrors({ 200: Generation }),
      },
    },
    async (request) => opts.generations.get(request.user!, request.params.id),
  );

  app.delete(
    '/api/v1/generations/:id',
    {
      schema: {
        tags: ['generations'],
        operationId: 'deleteGeneration',
        summary: 'Delete a generation and its images (rows and bytes).',
        security: requireScope('generate'),
        params: IdParams,
        response: withErrors({ 204: Type.Null({ description: 'Deleted.' }) }),
      },
    },
    async (request, reply) => {
      await opts.generations.remove(request.user!, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/api/v1/images/:id',
    {
      schema: {
        tags: ['generations'],
        operationId: 'updateImage',
        summary: 'Favourite an image, or stop favouriting it.',
        security: requireScope('generate'),
        params: IdParams,
        body: UpdateImageRequest,
        response: withErrors({ 200: GeneratedImage }),
      },
    },
    async (request) => opts.generations.setFavorite(request.user!, request.params.id, request.body.favorite),
  );

  app.post(
    '/api/v1/prompts/enhance',
    {
      schema: {
        tags: ['generations'],
        operationId: 'enhancePrompt',
        summary: 'Preview an enhanced prompt without generating. Never fails because of the LLM: `enhancement` says when it was unavailable.',
        security: requireScope('generate'),
        body: EnhancePromptRequest,
        response: withErrors({ 200: EnhancePromptResponse }),
      },
    },
    async (request) => {
      let trigger: string | null = null;
      if (request.body.modelId) {
        const { rows } = await withClaims(opts.db, { sub: request.user!.subject }, (tx) =>
          tx.query<{ trigger_word: string }>('select trigger_word from models where id = $1', [request.body.modelId]),
        );
        if (!rows[0]) throw new NotFound('model');
        trigger = rows[0].trigger_word;
      }
      const prompt = withTriggerWord(request.body.prompt, trigger);
      const result = await opts.enhancer.enhance(prompt, trigger);
      return result.enhancement === 'enhanced'
        ? { prompt, enhancedPrompt: result.prompt, enhancement: 'enhanced' as const, model: result.model }
        : { prompt, enhancedPrompt: null, enhancement: 'unavailable' as const, model: null };
    },
  );

  app.get(
    '/api/v1/presets',
    {
      schema: {
        tags: ['generations'],
        operationId: 'listPresets',
        summary: 'Curated styles: prompt templates with `{trigger}` for your trigger word.',
        security: requireScope('read'),
        response: withErrors({ 200: PresetList }),
      },
    },
    async () => ({ items: PRESETS }),
  );
}
