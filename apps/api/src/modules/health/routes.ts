import { HealthStatus } from '@visiona/shared';
import type { Database } from '../../db/index.ts';
import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';

export interface Lifecycle {
  shuttingDown: boolean;
}

export default async function healthRoutes(app: App, opts: { db: Database; lifecycle: Lifecycle }) {
  app.get(
    '/livez',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        operationId: 'getLiveness',
        summary: 'Liveness: the process is up.',
        response: withErrors({ 200: HealthStatus }),
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        operationId: 'getReadiness',
        summary: 'Readiness: the database answers and the process is not shutting down.',
        response: { ...withErrors({ 200: HealthStatus }), 503: HealthStatus },
      },
    },
    async (_request, reply) => {
      if (opts.lifecycle.shuttingDown) {
        return reply.code(503).send({ status: 'unavailable' as const, checks: { shutdown: 'failed' as const } });
      }
      try {
        await opts.db.query('select 1');
        return { status: 'ok' as const, checks: { database: 'ok' as const } };
      } catch {
        return reply.code(503).send({ status: 'unavailable' as const, checks: { database: 'failed' as const } });
      }
    },
  );
}
