/**
 * Upload of 20 photos of 8 MB in one request: how much the API process's peak
 * resident memory grows, and whether the bytes reach Storage as streams.
 *
 * Three processes, so that each one's memory is its own:
 *   bench (this)  generates the photos once (cached), signs up, sends the
 *                 multipart request streamed from disk, samples the API's RSS
 *   API           bench/servers/upload-server.ts: the real API, production configuration
 *   Storage       bench/servers/storage-server.ts: the Supabase Storage emulator,
 *                 which also records how each object upload arrived
 *
 * The API's RSS is read from /proc/<pid>/status every 20 ms, and the kernel's
 * high-water mark (VmHWM, reset through clear_refs before each run) catches any
 * peak between samples. Each run uploads for a fresh user (the per-user quota
 * is 50 photos); growth is measured against the idle API's RSS before the first
 * run, after two full GCs, so a later run's leftovers count against it too.
 *
 * Streaming is checked twice: Storage records that every object arrived chunked
 * (no Content-Length: sent as a stream), and after the runs a 200 MB probe goes
 * through the API's own storage.upload() while the API process reports the most
 * memory its JavaScript buffers held (a stream holds a few chunks at a time).
 */
import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startChild } from './lib/child.ts';
import { type BenchResult, type Check, fmt } from './lib/common.ts';
import { MB, mb, readMemory, sampleRss } from './lib/memory.ts';
import { photoFixtures, type PhotoSpec } from './lib/photos.ts';
import { createThrowawayDatabase } from './me-throughput.ts';
import type { UploadSeen } from './servers/storage-server.ts';

/**
 * QUALITY.md: peak RSS grows by less than 150 MB, and the bytes stream to
 * Storage without being buffered whole: a 200 MB probe through the API's
 * storage.upload() may hold at most a quarter of itself in buffers at once.
 */
export const UPLOAD_BUDGET = { maxGrowthBytes: 150 * MB, probeBytes: 200 * MB, maxProbeHeldShare: 0.25 };

export interface UploadOptions {
  runs: number;
}
export const UPLOAD_DEFAULTS: UploadOptions = { runs: 2 };

/** 20 phone-sized photos: 12 MP, JPEG quality ~95, 8.0–8.8 MB each. */
export const UPLOAD_PHOTOS: PhotoSpec = { count: 20, width: 4000, height: 3000, minBytes: 8_000_000, maxBytes: 8_800_000 };

const SERVICE_KEY = 'bench-service-key';
const UPLOAD_SERVER = fileURLToPath(new URL('./servers/upload-server.ts', import.meta.url));
const STORAGE_SERVER = fileURLToPath(new URL('./servers/storage-server.ts', import.meta.url));

interface MemoryBreakdown {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

interface Run {
  /** Idle RSS just before this run (after two GCs). */
  baselineRss: number;
  peakRss: number;
  /** Peak minus this run's own baseline. */
  growth: number;
  /** Peak minus the baseline before the first run: what the budget checks. */
  growthFromStart: number;
  seconds: number;
  sentBytes: number;
  storedBytes: number;
  rssSamples: number;
  /** The API's own view: after two GCs before the run, the highest values during it, and right after it. */
  before: MemoryBreakdown;
  peaks: { heapUsed: number; external: number; arrayBuffers: number };
  after: MemoryBreakdown;
  sharpCacheBytes: number;
}

async function json(res: Response, expected: number, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${what}: expected ${expected}, got ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function runUploadMemory(opts: UploadOptions = UPLOAD_DEFAULTS, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const started = performance.now();
  const files = await photoFixtures(UPLOAD_PHOTOS, log);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);

  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-bench-storage-'));
  const database = await createThrowawayDatabase(process.env.DATABASE_URL || undefined);
  const runs: Run[] = [];
  let uploadsSeen: UploadSeen[] = [];
  // What the API reports when it is ready: its upload limits, and libvips' threads per image.
  const reported = { limits: {} as Record<string, number>, sharpConcurrency: 0 };
  let startRss = 0;
  const probe = { held: 0, rssGrowth: 0, seconds: 0 };
  try {
    const storage = await startChild<{ port: number }>(STORAGE_SERVER, {
      // The probe is one 200 MB object, over the emulator's default 50 MiB per object.
      env: { BENCH_STORAGE_DIR: storageDir, BENCH_SERVICE_KEY: SERVICE_KEY, BENCH_MAX_FILE_SIZE: String(1024 * MB) },
    });
    try {
      const api = await startChild<{ port: number; uploads: Record<string, number>; sharpConcurrency: number }>(UPLOAD_SERVER, {
        execArgv: ['--expose-gc'],
        env: {
          ...database.env,
          BENCH_STORAGE_URL: `http://127.0.0.1:${storage.ready.port}`,
          BENCH_SERVICE_KEY: SERVICE_KEY,
          BENCH_SESSION_SECRET: randomBytes(32).toString('base64url'),
          // As `pnpm start` and the API image run it (MALLOC_ARENA_MAX=2 unless set).
          MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
        },
      });
      try {
        reported.limits = api.ready.uploads;
        reported.sharpConcurrency = api.ready.sharpConcurrency;
        const { limits } = reported;
        // The production defaults must let this upload through; the benchmark does not raise them.
        const tooBig = sizes.find((s) => s > limits.maxFileBytes!);
        if (tooBig !== undefined) throw new Error(`a ${mb(tooBig)} photo exceeds UPLOAD_MAX_FILE_BYTES (${mb(limits.maxFileBytes!)})`);
        if (totalBytes > limits.maxRequestBytes!) throw new Error(`${mb(totalBytes)} exceeds UPLOAD_MAX_REQUEST_BYTES (${mb(limits.maxRequestBytes!)})`);

        const base = `http://127.0.0.1:${api.ready.port}`;
        for (let run = 0; run < opts.runs; run++) {
          const signup = await json(
            await fetch(`${base}/api/v1/auth/signup`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: `bench.upload.${randomBytes(6).toString('hex')}@example.com`, password: 'correct horse battery staple' }),
            }),
            201,
            'POST /api/v1/auth/signup',
          );
          const auth = { authorization: `Bearer ${signup.token as string}` };
          await storage.ask('reset');

          // File-backed Blobs: fetch streams each file from disk as it sends the body.
          const form = new FormData();
          for (const [i, file] of files.entries()) {
            form.append('files', await openAsBlob(file, { type: 'image/jpeg' }), `IMG_${String(i + 1).padStart(4, '0')}.jpg`);
          }

          const settled = await api.ask<{ memory: MemoryBreakdown }>('settle');
          await api.ask('track');
          const baselineRss = readMemory(api.pid).rss;
          if (run === 0) startRss = baselineRss;
          const sampling = sampleRss(api.pid, 20);
          const t0 = performance.now();
          let body: Record<string, unknown>;
          let seconds: number;
          let mem: ReturnType<typeof sampling.stop>;
          try {
            body = await json(await fetch(`${base}/api/v1/photos`, { method: 'POST', headers: auth, body: form }), 201, 'POST /api/v1/photos');
            seconds = (performance.now() - t0) / 1000;
          } finally {
            mem = sampling.stop();
          }
          const peakRss = Math.max(mem.maxSampled, mem.peak ?? 0);

          const items = body.items as { byteSize: number }[];
          if (items.length !== files.length) throw new Error(`POST /api/v1/photos stored ${items.length} photos, expected ${files.length}`);
          const list = await json(await fetch(`${base}/api/v1/photos`, { headers: auth }), 200, 'GET /api/v1/photos');
          if (list.count !== files.length) throw new Error(`GET /api/v1/photos: count ${String(list.count)}, expected ${files.length}`);

          const { uploads } = await storage.ask<{ uploads: UploadSeen[] }>('uploads');
          uploadsSeen = uploads;
          const { peaks } = await api.ask<{ peaks: { heapUsed: number; external: number; arrayBuffers: number } }>('untrack');
          const after = await api.ask<{ memory: MemoryBreakdown; sharpCache: { memory: { current: number } } }>('memory');
          runs.push({
            baselineRss,
            peakRss,
            growth: peakRss - baselineRss,
            growthFromStart: peakRss - startRss,
            seconds,
            sentBytes: totalBytes,
            storedBytes: items.reduce((n, p) => n + p.byteSize, 0),
            rssSamples: mem.samples,
            before: settled.memory,
            peaks,
            after: after.memory,
            sharpCacheBytes: after.sharpCache.memory.current * 1024 * 1024,
          });
          log(`run ${run + 1}: peak ${mb(peakRss)} (baseline ${mb(baselineRss)}), ${seconds.toFixed(1)} s`);
        }

        // The streaming probe, last, so that its memory does not flatter the runs' baselines.
        await api.ask('settle');
        const probeBaseline = readMemory(api.pid).rss;
        const sampling = sampleRss(api.pid, 20);
        let r: { ms: number; arrayBuffersBefore: number; arrayBuffersPeak: number };
        try {
          r = await api.ask('probe', { bytes: UPLOAD_BUDGET.probeBytes });
        } finally {
          const mem = sampling.stop();
          probe.rssGrowth = Math.max(mem.maxSampled, mem.peak ?? 0) - probeBaseline;
        }
        probe.held = r.arrayBuffersPeak - r.arrayBuffersBefore;
        probe.seconds = r.ms / 1000;
        log(`probe: ${mb(UPLOAD_BUDGET.probeBytes)} through storage.upload(), buffers held up to ${mb(probe.held)}`);
      } finally {
        await api.stop();
      }
    } finally {
      await storage.stop();
    }
  } finally {
    await database.drop();
    await rm(storageDir, { recursive: true, force: true });
  }

  // Streamed: every object (photo and thumbnail) reached Storage chunked, with no length known up front.
  const objects = uploadsSeen.filter((u) => u.status === 200);
  const streamed = objects.filter((u) => u.chunked && u.contentLength === null);
  const worst = runs.reduce((a, b) => (b.growthFromStart > a.growthFromStart ? b : a));
  const checks: Check[] = [
    {
      name: 'API peak RSS growth, 20 × 8 MB upload',
      target: `< ${mb(UPLOAD_BUDGET.maxGrowthBytes, 0)}`,
      actual: mb(worst.growthFromStart),
      pass: worst.growthFromStart < UPLOAD_BUDGET.maxGrowthBytes,
    },
    {
      name: `buffers held while storage.upload() streams ${mb(UPLOAD_BUDGET.probeBytes, 0)}`,
      target: `< ${mb(UPLOAD_BUDGET.maxProbeHeldShare * UPLOAD_BUDGET.probeBytes, 0)}`,
      actual: mb(probe.held),
      pass: probe.held < UPLOAD_BUDGET.maxProbeHeldShare * UPLOAD_BUDGET.probeBytes,
    },
    {
      name: 'photo objects sent to Storage as streams (chunked, no Content-Length)',
      target: `${files.length * 2} of ${files.length * 2}`,
      actual: `${streamed.length} of ${objects.length}`,
      pass: objects.length === files.length * 2 && streamed.length === objects.length,
    },
  ];
  return {
    name: 'upload',
    title: `POST /api/v1/photos, ${files.length} photos of ${UPLOAD_PHOTOS.width}×${UPLOAD_PHOTOS.height} (${mb(totalBytes)} in all) — ${database.label}, ${opts.runs} runs`,
    completed: true,
    table: {
      columns: ['run', 'baseline RSS', 'peak RSS', 'growth', 'growth from start', 'time s', 'MB/s', 'stored'],
      rows: runs.map((r, i) => [
        `run ${i + 1}`,
        mb(r.baselineRss),
        mb(r.peakRss),
        mb(r.growth),
        mb(r.growthFromStart),
        fmt(r.seconds, 1),
        fmt(r.sentBytes / MB / r.seconds, 1),
        mb(r.storedBytes),
      ]),
    },
    checks,
    notes: [
      `Photos: ${files.length} JPEGs of ${mb(Math.min(...sizes))}–${mb(Math.max(...sizes))}, sent in one multipart request streamed from disk; limits are the production defaults (file ${mb(reported.limits.maxFileBytes ?? 0)}, request ${mb(reported.limits.maxRequestBytes ?? 0)}).`,
      'growth from start: peak RSS minus the idle API before run 1 (what the budget checks); growth: minus the run\'s own baseline.',
      `Where the worst run's growth was (the API's own view, highest during the run vs before it): V8 heap ${mb(worst.before.heapUsed)} → ${mb(worst.peaks.heapUsed)}, ` +
        `external (Buffers) ${mb(worst.before.external)} → ${mb(worst.peaks.external)}; the rest of the RSS is native (libvips, malloc, PGlite). ` +
        `libvips cache after: ${mb(runs.at(-1)!.sharpCacheBytes)}; libvips threads per image: ${reported.sharpConcurrency}.`,
      `Storage saw ${objects.length} object uploads in the last run (photo + thumbnail each), ${streamed.length} chunked with no Content-Length.`,
      `Probe: ${mb(UPLOAD_BUDGET.probeBytes, 0)} generated in 64 KiB chunks through the API's storage.upload() in ${fmt(probe.seconds, 1)} s; the API's JavaScript buffers (arrayBuffers) peaked ${mb(probe.held)} above where they started, its RSS ${mb(probe.rssGrowth)}.`,
      'MB/s: bytes sent over the whole request time (receive, check, re-encode, store, insert rows, answer). 1 MB = 1,000,000 bytes.',
    ],
    data: { runs, sizes, totalBytes, ...reported, uploads: uploadsSeen, probe, budget: UPLOAD_BUDGET, database: database.kind },
    durationMs: performance.now() - started,
  };
}
