import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { withClaims, type Database } from '../../db/index.ts';
import type { ObjectStorage } from '../../integrations/storage.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { insertAudit } from '../auth/repository.ts';
import type { AuthUser } from '../auth/types.ts';
import { readAccountData, type AccountData, type ExportFile } from './repository.ts';
import { createExportZip } from './zip.ts';

/** Seconds a person is asked to wait when an export of theirs is still streaming. */
export const EXPORT_RETRY_AFTER_SECONDS = 60;

export class ExportInProgress extends AppError {
  constructor() {
    super(429, 'export_in_progress', 'An export of your data is already downloading. Let it finish (or cancel it), then try again.', {
      headers: { 'retry-after': String(EXPORT_RETRY_AFTER_SECONDS) },
    });
  }
}

function readme(email: string, exportedAt: Date): string {
  return `Your Visiona data
=================

Exported for ${email} on ${exportedAt.toISOString().replace(/\.\d+Z$/, 'Z')} (UTC).

data.json
  Everything Visiona keeps about you, as JSON: your profile and plan; your credit
  balance and every credit movement; your models (name, trigger word, status,
  training settings); your generations (prompt, enhanced prompt, preset and
  options, status, favourites, and where each image is in this folder); the photos
  still stored; your payments and subscriptions; your API tokens (name, first
  characters, scopes and dates, never the token itself); and your whole account
  activity log. Times are ISO 8601, in UTC. Amounts are in the currency's smallest
  unit (cents).

images/<generation id>/<n>.<extension>
  Every image you generated that is still stored, numbered from 1 within its
  generation, exactly as stored.

photos/<photo id>.jpg
  Your uploaded photos that are still stored. Training photos are deleted when
  their training ends, so photos of finished trainings are not here.

If Storage no longer had a file, data.json lists it under "missingFiles" and its
"file" is null.
`;
}

/** data.json: the account's data, with the files Storage no longer had marked as such. */
function dataJson(data: AccountData, exportedAt: Date, missing: ExportFile[]): Buffer {
  const gone = new Set(missing.map((f) => f.name));
  const present = (file: string | null) => (file && gone.has(file) ? null : file);
  const doc = {
    format: 'visiona-export',
    version: 1,
    exportedAt: exportedAt.toISOString(),
    ...data,
    generations: data.generations.map((g) => ({ ...g, images: g.images.map((i) => ({ ...i, file: present(i.file) })) })),
    photos: data.photos.map((p) => ({ ...p, file: present(p.file) })),
    missingFiles: missing.map((f) => f.name),
  };
  return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * GET /api/v1/me/export: the person's data and files as one zip, streamed. Reads run as the
 * person (RLS), in one transaction so that data.json is one consistent snapshot.
 */
export function createExportService(deps: { db: Database; storage: ObjectStorage; clock: Clock }) {
  // One export at a time per person, per process: it stops one person from tying up Storage and
  // bandwidth with parallel downloads. Behind several replicas a second one can still start on
  // another replica; that bounds the load at one per replica, which is enough for this purpose
  // and cheaper than holding a database lock for the whole download.
  const running = new Map<string, object>();

  return {
    async start(user: AuthUser, log: FastifyBaseLogger): Promise<{ filename: string; stream: Readable }> {
      if (running.has(user.id)) throw new ExportInProgress();
      const ticket = {};
      running.set(user.id, ticket);
      // Only this export's own entry: never one that started after it ended.
      const release = () => running.get(user.id) === ticket && running.delete(user.id);
      let stream: Readable | undefined;
      try {
        const exportedAt = deps.clock.now();
        const { data, files } = await withClaims(deps.db, { sub: user.subject }, (tx) => readAccountData(tx, user.id));
        stream = await createExportZip({
          storage: deps.storage,
          head: [{ name: 'README.txt', data: Buffer.from(readme(data.profile.email, exportedAt)) }],
          files,
          tail: (missing) => [{ name: 'data.json', data: dataJson(data, exportedAt, missing) }],
          log,
        });
        stream.once('close', release);
        const images = data.generations.reduce((n, g) => n + g.images.length, 0);
        await withClaims(deps.db, { sub: user.subject }, (tx) =>
          insertAudit(tx, user.subject, 'account.exported', { images, photos: data.photos.length, via: user.via }),
        );
        return { filename: `visiona-export-${exportedAt.toISOString().slice(0, 10)}.zip`, stream };
      } catch (err) {
        stream?.destroy();
        release();
        throw err;
      }
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
