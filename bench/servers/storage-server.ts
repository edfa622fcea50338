/**
 * The Supabase Storage emulator in a process of its own, so that its memory
 * and CPU are not counted as the API's (bench/upload-memory.ts) or as the zip
 * builder's (bench/training-zip.ts).
 *
 * Env: BENCH_STORAGE_DIR (its data folder), BENCH_SERVICE_KEY, and optionally
 * BENCH_MAX_FILE_SIZE (the per-object cap in bytes; the emulator's default, like
 * Supabase's, is 50 MiB).
 * IPC (bench/lib/child.ts): sends {type:'ready', port}; answers 'uploads' with
 * how every object upload since the last 'reset' arrived (method, path, status,
 * Content-Length or chunked), and 'reset'.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createStorageEmulator } from '../../apps/emulators/src/storage/server.ts';
import { serveParent } from '../lib/child.ts';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

export interface UploadSeen {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  /** The declared length; null when the body came chunked (streamed with no length up front). */
  contentLength: number | null;
  chunked: boolean;
}

const maxFileSize = process.env.BENCH_MAX_FILE_SIZE ? Number(process.env.BENCH_MAX_FILE_SIZE) : undefined;
const app = await createStorageEmulator({
  dataDir: required('BENCH_STORAGE_DIR'),
  serviceKey: required('BENCH_SERVICE_KEY'),
  ...(maxFileSize ? { maxFileSize } : {}),
});

// Watches requests on the HTTP server itself (a second 'request' listener, next to
// Fastify's), so the emulator runs unchanged. Object uploads are POST or PUT on
// /storage/v1/object/<bucket>/<path> (not sign/, list/, move, copy).
let uploads: UploadSeen[] = [];
const UPLOAD = /^\/storage\/v1\/object\/(?!sign\/|list\/|info\/|upload\/|move$|copy$)[^/?]+\/[^?]+/;
app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  if ((req.method !== 'POST' && req.method !== 'PUT') || !UPLOAD.test(req.url ?? '')) return;
  const length = req.headers['content-length'];
  const seen: UploadSeen = {
    method: req.method,
    path: decodeURIComponent((req.url ?? '').split('?')[0]!.replace('/storage/v1/object/', '')),
    status: 0,
    contentType: req.headers['content-type'] ?? null,
    contentLength: length === undefined ? null : Number(length),
    chunked: /chunked/i.test(String(req.headers['transfer-encoding'] ?? '')),
  };
  res.once('finish', () => {
    seen.status = res.statusCode;
    uploads.push(seen);
  });
});

await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;

serveParent(
  { port },
  {
    uploads: () => ({ uploads }),
    reset: () => {
      uploads = [];
      return {};
    },
  },
  () => app.close(),
);
