import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, expect } from 'vitest';
import { AppError } from '../../src/lib/errors.ts';
import { ingestUpload, type IncomingPart, type IngestLimits, type IngestOptions } from '../../src/modules/photos/pipeline/ingest.ts';

/** Feeding fixtures to the pipeline the way `request.parts()` would, and checking what it leaves behind. */

export type FakeItem = { name: string; data: Buffer | Readable; mimetype?: string; truncated?: boolean } | { field: string; value: unknown };

/** An `IncomingPart` iterable like `request.parts()`; `progress.finished` turns true once it was read to the end. */
export function partsOf(items: FakeItem[], progress: { finished: boolean } = { finished: false }): AsyncIterable<IncomingPart> {
  return (async function* () {
    for (const item of items) {
      if ('field' in item) {
        yield { type: 'field', fieldname: item.field, value: item.value };
        continue;
      }
      const file = Buffer.isBuffer(item.data) ? Readable.from(chunked(item.data), { objectMode: false }) : item.data;
      if (item.truncated) Object.assign(file, { truncated: true });
      yield { type: 'file', fieldname: 'files', filename: item.name, mimetype: item.mimetype ?? 'image/jpeg', file };
    }
    progress.finished = true;
  })();
}

function* chunked(data: Buffer, size = 64 * 1024) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}


export const MB = 1024 * 1024;

export const limits: IngestLimits = {
  maxFiles: 10,
  maxFileBytes: 5 * MB,
  maxRequestBytes: 20 * MB,
  maxZipEntries: 20,
  maxPixels: 40_000_000,
  minRecommendedSide: 512,
};

/** A fresh `tmpDir` for each test, removed afterwards. */
export function useTmpDir(): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'visiona-pipeline-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

export const leftovers = (dir: string) => readdir(dir, { recursive: true });

export function ingestWith(tmpDir: string, items: FakeItem[], over: Partial<IngestOptions> = {}) {
  return ingestUpload(partsOf(items), { limits, tmpDir, remainingPhotos: 100, remainingBytes: 1e9, ...over });
}

/** Asserts the refusal (status and message) and that the upload left no file behind. */
export async function expectRefused(run: Promise<unknown>, tmpDir: string, status: number, message: RegExp): Promise<AppError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).statusCode).toBe(status);
  expect((err as AppError).message).toMatch(message);
  expect(await leftovers(tmpDir)).toEqual([]);
  return err as AppError;
}

/** Peak RSS growth over a baseline, sampled every 5 ms until `stop()`. */
export function sampleRss() {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) - base;
    },
  };
}
