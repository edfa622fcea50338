/**
 * The training zip's side of bench/training-zip.ts, alone in its process so
 * that the parent can read its resident memory: the API's own storage client
 * (createObjectStorage, supabase-js) and createTrainingZip, against the Storage
 * emulator in another process (bench/servers/storage-server.ts).
 *
 * Env: BENCH_STORAGE_URL, BENCH_SERVICE_KEY. Run with --expose-gc.
 * The photos are seeded by the parent, so this process starts measuring from idle.
 * IPC (bench/lib/child.ts): sends {type:'ready'}; answers
 *   settle           two full GCs, then the process's memory breakdown
 *   plain {paths}    reads the objects one after another (storage.openRead) into a sink
 *   zip {paths}      createTrainingZip(storage, paths) into the same sink
 *   zipUpload {paths} the zip uploaded back to Storage, as the training job does
 * Each pass returns { bytes, ms }.
 */
import { performance } from 'node:perf_hooks';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createObjectStorage } from '../../apps/api/src/integrations/storage.ts';
import { createTrainingZip } from '../../apps/api/src/modules/models/training-zip.ts';
import { serveParent } from '../lib/child.ts';
import { required } from '../lib/common.ts';

// The API's defaults (config.ts): the private bucket, 10-minute signed URLs.
const storage = createObjectStorage({ url: required('BENCH_STORAGE_URL'), serviceKey: required('BENCH_SERVICE_KEY'), bucket: 'visiona-private', signedUrlTtlSeconds: 600 });
const gc = (globalThis as { gc?: () => void }).gc;

/** Discards what it is given, counting it: /dev/null that reports. */
function sink() {
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  return { stream, bytes: () => bytes };
}

const asPaths = (msg: Record<string, unknown>) => msg.paths as string[];
let zipUploads = 0;

serveParent(
  {},
  {
    async settle() {
      for (let i = 0; i < 2; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 100));
      }
      const m = process.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, gc: Boolean(gc) };
    },
    async plain(msg) {
      let bytes = 0;
      const t0 = performance.now();
      for (const p of asPaths(msg)) {
        const out = sink();
        await pipeline(await storage.openRead(p), out.stream);
        bytes += out.bytes();
      }
      return { bytes, ms: performance.now() - t0 };
    },
    async zip(msg) {
      const out = sink();
      const t0 = performance.now();
      await pipeline(createTrainingZip(storage, asPaths(msg)), out.stream);
      return { bytes: out.bytes(), ms: performance.now() - t0 };
    },
    async zipUpload(msg) {
      let bytes = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      const zipPath = `bench/trainings/${++zipUploads}/photos.zip`;
      const t0 = performance.now();
      const zip = createTrainingZip(storage, asPaths(msg));
      zip.once('error', (err) => counted.destroy(err));
      await storage.upload(zipPath, zip.pipe(counted), 'application/zip');
      const ms = performance.now() - t0;
      await storage.remove([zipPath]);
      return { bytes, ms };
    },
  },
  async () => {},
);
