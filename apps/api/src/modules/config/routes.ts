import { PublicConfig } from '@visiona/shared';
import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';

export default async function configRoutes(app: App, opts: { publicConfig: PublicConfig }) {
  app.get(
    '/api/v1/config',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        operationId: 'getConfig',
        summary: 'What a client needs to know before sign-in: auth mode and enabled features.',
        response: withErrors({ 200: PublicConfig }),
      },
    },
    async () => opts.publicConfig,
  );
}
