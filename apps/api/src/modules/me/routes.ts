import { DeleteAccountRequest, DeleteAccountResponse, Me } from '@visiona/shared';
import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { MeService } from './service.ts';

export default async function meRoutes(app: App, opts: { me: MeService }) {
  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['account'],
        operationId: 'getMe',
        summary: 'The signed-in user.',
        security: requireScope('read'),
        response: withErrors({ 200: Me }),
      },
    },
    async (request) => opts.me.getMe(request.user!),
  );

  app.delete(
    '/api/v1/me',
    {
      schema: {
        tags: ['account'],
        operationId: 'deleteMe',
        summary: 'Delete the account and everything in it.',
        description:
          "Irreversible. The body repeats the account's email address. The account closes at once (every session and token stops working) and a background job removes every row, every stored photo and image, the Replicate models and trainings, and cancels the Stripe subscription and deletes the Stripe customer; payment records are kept without the owner, as the law requires. Export first with `GET /api/v1/me/export`. Clerk's `user.deleted` webhook starts the same deletion.",
        security: requireScope('account'),
        body: DeleteAccountRequest,
        response: withErrors({ 202: DeleteAccountResponse }),
      },
    },
    async (request, reply) => reply.code(202).send(await opts.me.deleteAccount(request.user!, request.body.confirm)),
  );
}
