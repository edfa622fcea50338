import { Type } from 'typebox';
import { ApiTokenList, CreateTokenRequest, CreatedApiToken } from '@visiona/shared';
import type { App } from '../../lib/http.ts';
import { IdParams, withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { TokenService } from './service.ts';


export default async function tokenRoutes(app: App, opts: { tokens: TokenService }) {
  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'createToken',
        summary: 'Create a personal API token. The secret is returned once, in this response.',
        security: requireScope('tokens'),
        body: CreateTokenRequest,
        response: withErrors({ 201: CreatedApiToken }),
      },
    },
    async (request, reply) => reply.code(201).send(await opts.tokens.create(request.user!, request.body)),
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'listTokens',
        summary: 'Your API tokens that have not been revoked, newest first.',
        security: requireScope('tokens'),
        response: withErrors({ 200: ApiTokenList }),
      },
    },
    async (request) => ({ items: await opts.tokens.list(request.user!) }),
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'revokeToken',
        summary: 'Revoke an API token. It stops working at once.',
        security: requireScope('tokens'),
        params: IdParams,
        response: withErrors({ 204: Type.Null({ description: 'Revoked.' }) }),
      },
    },
    async (request, reply) => {
      await opts.tokens.revoke(request.user!, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
