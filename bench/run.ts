/**
 * Visiona's benchmarks (QUALITY.md, speed). Usage:
 *
 *   pnpm bench                 every benchmark
 *   pnpm bench me              GET /api/v1/me throughput vs a bare route (DATABASE_URL selects Postgres, else PGlite)
 *   pnpm bench gallery         GET /api/v1/generations?limit=50 for a user with 10,000 images vs a bare route (DATABASE_URL too)
 *   pnpm bench spa             first-route JavaScript of the SPA, gzipped
 *   pnpm bench upload          API peak RSS while 20 photos of 8 MB are uploaded; streamed to Storage
 *   pnpm bench zip             training zip throughput vs reading the same 30 photos from Storage
 *   pnpm bench lighthouse      Lighthouse performance and accessibility of the landing page and the gallery
 *   pnpm bench me --duration=20 --warmup=5 --connections=64 --rounds=4   (me and gallery)
 *   pnpm bench upload zip --runs=5   repetitions of the upload and of each zip pass (and Lighthouse audits per page)
 *
 * Prints a table per benchmark, writes bench/results/<timestamp>.json and exits
 * 1 if a budget is missed or a benchmark fails.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { GALLERY_DEFAULTS, type GalleryOptions, runGalleryThroughput } from './gallery-throughput.ts';
import { type BenchResult, renderTable } from './lib/common.ts';
import { LIGHTHOUSE_DEFAULTS, type LighthouseOptions, runLighthouse } from './lighthouse.ts';
import { ME_DEFAULTS, type MeOptions, runMeThroughput } from './me-throughput.ts';
import { runSpaSize } from './spa-size.ts';
import { runTrainingZip, ZIP_DEFAULTS, type ZipOptions } from './training-zip.ts';
import { runUploadMemory, UPLOAD_DEFAULTS, type UploadOptions } from './upload-memory.ts';

const BENCHES = ['me', 'gallery', 'spa', 'upload', 'zip', 'lighthouse'] as const;
type BenchName = (typeof BENCHES)[number];

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nUsage: pnpm bench [${BENCHES.join('|')} ...] [--duration=s] [--warmup=s] [--connections=n] [--rounds=n] [--runs=n]\n`,
  );
  process.exit(2);
}

const selected: BenchName[] = [];
const meOptions: MeOptions = { ...ME_DEFAULTS };
const galleryOptions: GalleryOptions = { ...GALLERY_DEFAULTS };
const uploadOptions: UploadOptions = { ...UPLOAD_DEFAULTS };
const zipOptions: ZipOptions = { ...ZIP_DEFAULTS };
const lighthouseOptions: LighthouseOptions = { ...LIGHTHOUSE_DEFAULTS };
for (const arg of process.argv.slice(2)) {
  const flag = /^--(duration|warmup|connections|rounds|runs)=(\d+)$/.exec(arg);
  if (flag) {
    const n = Number(flag[2]);
    if (flag[1] === 'runs') uploadOptions.runs = zipOptions.runs = lighthouseOptions.runs = Math.max(1, n);
    else if (flag[1] === 'duration') meOptions.durationSec = galleryOptions.durationSec = Math.max(1, n);
    else if (flag[1] === 'warmup') meOptions.warmupSec = galleryOptions.warmupSec = n;
    else if (flag[1] === 'rounds') meOptions.rounds = galleryOptions.rounds = Math.max(1, n);
    else meOptions.connections = galleryOptions.connections = Math.max(1, n);
  } else if ((BENCHES as readonly string[]).includes(arg)) {
    if (!selected.includes(arg as BenchName)) selected.push(arg as BenchName);
  } else if (arg !== '--') {
    usage(`Unknown argument: ${arg}`);
  }
}
const toRun = selected.length > 0 ? selected : [...BENCHES];

const progress = (line: string) => process.stdout.write(`  ${line}\n`);

const runners: Record<BenchName, () => Promise<BenchResult>> = {
  me: () => runMeThroughput(meOptions),
  gallery: () => runGalleryThroughput(galleryOptions, progress),
  spa: () => runSpaSize(),
  upload: () => runUploadMemory(uploadOptions, progress),
  zip: () => runTrainingZip(zipOptions, progress),
  lighthouse: () => runLighthouse(lighthouseOptions, progress),
};

const startedAt = new Date();
const results: BenchResult[] = [];
for (const name of toRun) {
  process.stdout.write(`\n▶ ${name} …\n`);
  let result: BenchResult;
  const benchStarted = performance.now();
  try {
    result = await runners[name]();
  } catch (err) {
    result = {
      name,
      title: name,
      completed: false,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      table: { columns: [], rows: [] },
      checks: [],
      notes: [],
      data: {},
      durationMs: performance.now() - benchStarted,
    };
  }
  results.push(result);

  process.stdout.write(`\n${result.title}\n\n`);
  if (result.table.rows.length > 0) process.stdout.write(`${renderTable(result.table.columns, result.table.rows)}\n\n`);
  if (result.error) process.stdout.write(`ERROR  ${result.error}\n\n`);
  for (const c of result.checks) {
    process.stdout.write(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.actual} (target ${c.target})\n`);
  }
  for (const n of result.notes) process.stdout.write(`  · ${n}\n`);
  process.stdout.write(`  (${(result.durationMs / 1000).toFixed(1)} s)\n`);
}

const failed = results.filter((r) => !r.completed || r.checks.some((c) => !c.pass));

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
const cpus = os.cpus();
await writeFile(
  file,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      argv: process.argv.slice(2),
      machine: {
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? 'unknown',
        availableParallelism: os.availableParallelism(),
        memoryBytes: os.totalmem(),
      },
      databaseUrlSet: Boolean(process.env.DATABASE_URL),
      ok: failed.length === 0,
      results,
    },
    null,
    2,
  )}\n`,
);

process.stdout.write(`\nResults: ${path.relative(process.cwd(), file)}\n`);
if (failed.length > 0) {
  process.stdout.write(`Budget missed or benchmark failed: ${failed.map((r) => r.name).join(', ')}\n`);
  process.exit(1);
}
process.stdout.write('All budgets met.\n');
