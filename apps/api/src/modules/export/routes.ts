import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { ExportService } from './service.ts';

/** A zip, documented as binary content rather than a JSON schema. */
const ExportZip = {
  description: 'A zip of your data (`visiona-export/data.json`), your images and your stored photos, with a README.txt.',
  headers: {
    'Content-Disposition': { type: 'string', description: 'attachment; filename="visiona-export-YYYY-MM-DD.zip"' },
  },
  content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
} as const;

export default async function exportRoutes(app: App, opts: { exports: ExportService }) {
  app.get(
    '/api/v1/me/export',
    {
      schema: {
        tags: ['account'],
        operationId: 'exportMyData',
        summary: 'Download all your data as a zip: profile, credits, models, generations with prompts, photos, payments, tokens and the audit log.',
        description:
          'Streamed as it is made, so the download starts at once and has no Content-Length. `data.json` lists every image and photo with its file name in the zip. ' +
          'Errors: 429 `export_in_progress` while another export of yours is downloading (see Retry-After), 503 when file storage is unreachable (see Retry-After). ' +
          'If storage fails midway, the connection is cut and the zip is incomplete: download it again.',
        security: requireScope('account'),
        response: withErrors({ 200: ExportZip }),
      },
    },
    async (request, reply) => {
      const { filename, stream } = await opts.exports.start(request.user!, request.log);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(stream);
    },
  );
}
