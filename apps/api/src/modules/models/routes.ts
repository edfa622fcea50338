import { Type } from 'typebox';
import { CreateModelRequest, Model, ModelList } from '@visiona/shared';
import type { App } from '../../lib/http.ts';
import { IdParams, withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { ModelService } from './service.ts';

const CreateHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Send the same key when you retry: the training is started once and the same model comes back.' }),
  ),
});

export default async function modelRoutes(app: App, opts: { models: ModelService }) {
  app.post(
    '/api/v1/models',
    {
      schema: {
        tags: ['models'],
        operationId: 'createModel',
        summary: 'Train a model of you on your waiting photos. Answers at once with the model in status `Processing`.',
        description:
          'Needs at least `training.minPhotos` photos (see `GET /api/v1/config`) and `training.costCredits` credits, which are refunded if the training fails or is canceled. ' +
          'The photos are claimed by this training and deleted, with the training zip, when it ends. Parameters default to the trainer’s. ' +
          'Errors: 402 not enough credits, 403 `plan_limit` (models at once on your plan), 409 `not_enough_photos`.',
        security: requireScope('train'),
        headers: CreateHeaders,
        body: CreateModelRequest,
        response: withErrors({ 201: Model }),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const { model, replayed } = await opts.models.create(request.user!, request.body, typeof key === 'string' ? key : null);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(model);
    },
  );

  app.get(
    '/api/v1/models',
    {
      schema: {
        tags: ['models'],
        operationId: 'listModels',
        summary: 'Your models, newest first, with status and training progress.',
        security: requireScope('read'),
        response: withErrors({ 200: ModelList }),
      },
    },
    async (request) => ({ items: await opts.models.list(request.user!) }),
  );

  app.get(
    '/api/v1/models/:id',
    {
      schema: {
        tags: ['models'],
        operationId: 'getModel',
        summary: 'One model: status, progress (percent, step, ETA from the trainer’s logs), error and parameters.',
        security: requireScope('read'),
        params: IdParams,
        response: withErrors({ 200: Model }),
      },
    },
    async (request) => opts.models.get(request.user!, request.params.id),
  );

  app.post(
    '/api/v1/models/:id/cancel',
    {
      schema: {
        tags: ['models'],
        operationId: 'cancelModelTraining',
        summary: 'Cancel a training. The status becomes `Canceled` once the trainer has stopped, and the credits are refunded.',
        security: requireScope('train'),
        params: IdParams,
        response: withErrors({ 200: Model }),
      },
    },
    async (request) => opts.models.cancel(request.user!, request.params.id),
  );

  app.delete(
    '/api/v1/models/:id',
    {
      schema: {
        tags: ['models'],
        operationId: 'deleteModel',
        summary: 'Delete a model that is no longer training.',
        security: requireScope('train'),
        params: IdParams,
        response: withErrors({ 204: Type.Null({ description: 'Deleted.' }) }),
      },
    },
    async (request, reply) => {
      await opts.models.remove(request.user!, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
