import { Me } from '@visiona/shared';
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
}
