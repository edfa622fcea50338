import { AuditList, AuditListQuery } from '@visiona/shared';
import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { AuditService } from './service.ts';

export default async function auditRoutes(app: App, opts: { audit: AuditService }) {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['account'],
        operationId: 'listAuditEvents',
        summary: 'Your audit history: sign-ins, tokens, trainings, generations, plan changes, credits and payments, newest first.',
        description: 'Append-only: nobody can change or remove an entry through the API. Page with `nextCursor`.',
        security: requireScope('read'),
        querystring: AuditListQuery,
        response: withErrors({ 200: AuditList }),
      },
    },
    async (request) => opts.audit.list(request.user!, request.query),
  );
}
