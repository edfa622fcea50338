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
 * Content-Length or chunked), 'reset', 'signs' (batch signing requests and paths
 * signed since the last 'reset', and this process's CPU time since then), and
 * 'seed' {bucket, paths, bytes}: writes a small object at each path through the
 * emulator's own on-disk store, as an upload would leave it (bench/gallery-throughput.ts
 * needs 20,000 objects, which over HTTP would take minutes).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createStorageEmulator } from '../../apps/emulators/src/storage/server.ts';
import { DiskStore } from '../../apps/emulators/src/storage/store.ts';
import { serveParent } from '../lib/child.ts';
import { required } from '../lib/common.ts';

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
const dataDir = required('BENCH_STORAGE_DIR');
const app = await createStorageEmulator({
  dataDir,
  serviceKey: required('BENCH_SERVICE_KEY'),
  ...(maxFileSize ? { maxFileSize } : {}),
});

// Watches requests on the HTTP server itself (a second 'request' listener, next to
// Fastify's), so the emulator runs unchanged. Object uploads are POST or PUT on
// /storage/v1/object/<bucket>/<path> (not sign/, list/, move, copy).
let uploads: UploadSeen[] = [];
const UPLOAD = /^\/storage\/v1\/object\/(?!sign\/|list\/|info\/|upload\/|move$|copy$)[^/?]+\/[^?]+/;
// Batch signing (createSignedUrls): POST /storage/v1/object/sign/<bucket> with {paths, expiresIn}.
const SIGN_BATCH = /^\/storage\/v1\/object\/sign\/[^/?]+\/?(?:\?|$)/;
const signs = { requests: 0, paths: 0 };
let cpuAtReset = process.cpuUsage();
app.addHook('preHandler', async (request) => {
  if (request.method !== 'POST' || !SIGN_BATCH.test(request.url)) return;
  signs.requests += 1;
  const paths = (request.body as { paths?: unknown } | null)?.paths;
  if (Array.isArray(paths)) signs.paths += paths.length;
});
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
      Object.assign(signs, { requests: 0, paths: 0 });
      cpuAtReset = process.cpuUsage();
      return {};
    },
    signs: () => {
      const cpu = process.cpuUsage(cpuAtReset);
      return { ...signs, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
    async seed(msg) {
      const bucket = msg.bucket as string;
      const paths = msg.paths as string[];
      const body = Buffer.from(msg.bytes as string, 'base64');
      const etag = createHash('md5').update(body).digest('hex');
      const store = new DiskStore(dataDir, () => new Date());
      await store.getBucket(bucket);
      let next = 0;
      const worker = async () => {
        while (next < paths.length) {
          const key = paths[next++]!;
          const tmpPath = store.tmpFile();
          await writeFile(tmpPath, body);
          await store.commitObject({ bucketId: bucket, key, tmpPath, size: body.length, etag, mimetype: 'image/webp', cacheControl: '3600', upsert: false, userMetadata: null });
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      return { objects: paths.length };
    },
  },
  () => app.close(),
);
