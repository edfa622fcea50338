import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PhotoSourceFormat } from '@visiona/shared';
import { AppError } from '../../../lib/errors.ts';
import { createBudget, type Budget } from './budget.ts';
import { encodeImage } from './image.ts';
import type { IngestLimits } from './limits.ts';
import type { PhotoMetrics } from './metrics.ts';
import { sanitizeName } from './names.ts';
import { refuse } from './refusals.ts';
import { sniffType, type SniffedType } from './sniff.ts';
import { spoolToFile } from './spool.ts';
import { forEachZipImage } from './zip.ts';

export type { IngestLimits } from './limits.ts';
export type { PhotoMetrics } from './metrics.ts';

/** What `@fastify/multipart`'s `request.parts()` yields. */
export type IncomingPart =
  | { type: 'file'; fieldname: string; filename: string; mimetype: string; file: NodeJS.ReadableStream & { truncated?: boolean } }
  | { type: 'field'; fieldname: string; value: unknown };

export interface PreparedPhoto {
  /** Sanitised basename of the uploaded file or zip entry, for display. */
  originalName: string;
  sourceFormat: PhotoSourceFormat;
  /** Temp file: the re-encoded JPEG, without metadata. */
  photoPath: string;
  /** Temp file: WebP, longest side 512. */
  thumbPath: string;
  width: number;
  height: number;
  /** Bytes of `photoPath`. */
  byteSize: number;
  /** SHA-256 of `photoPath`, hex. */
  sha256: string;
  metrics: PhotoMetrics;
}

export interface IngestOptions {
  limits: IngestLimits;
  /** A fresh directory is made inside it for this upload. */
  tmpDir: string;
  /** Photos the user may still add (quota). */
  remainingPhotos: number;
  /** Bytes of re-encoded photos the user may still store (quota). */
  remainingBytes: number;
  signal?: AbortSignal;
}

interface Context {
  opts: IngestOptions;
  budget: Budget;
  photos: PreparedPhoto[];
  newPath(kind: string): string;
}

async function addImage(ctx: Context, src: { path: string; format: PhotoSourceFormat; name: string }): Promise<void> {
  const photoPath = ctx.newPath('photo') + '.jpg';
  const thumbPath = ctx.newPath('thumb') + '.webp';
  const encoded = await encodeImage(src, { photoPath, thumbPath }, ctx.opts.limits);
  await rm(src.path, { force: true }); // keep the temp dir small on big uploads
  ctx.budget.addStoredBytes(encoded.byteSize);
  ctx.photos.push({ originalName: src.name, sourceFormat: src.format, photoPath, thumbPath, ...encoded });
}

async function ingestFile(ctx: Context, part: Extract<IncomingPart, { type: 'file' }>): Promise<void> {
  const { limits, signal } = ctx.opts;
  const name = sanitizeName(part.filename ?? '');
  const spooled = ctx.newPath('upload');
  let type: SniffedType | undefined;
  await spoolToFile(part.file, spooled, {
    onHead(head) {
      if (head.length === 0) throw refuse.emptyFile(name);
      type = sniffType(head);
      if (type === undefined) throw refuse.notAccepted(name);
      if (type === 'zip') return limits.maxRequestBytes; // the request budget caps a zip
      ctx.budget.addImages(1);
      return limits.maxFileBytes;
    },
    onBytes: (bytes) => ctx.budget.addRequestBytes(bytes),
    tooLarge: () => (type === 'zip' ? refuse.requestTooLarge(limits) : refuse.fileTooLarge(name, limits)),
    // busboy cut the part short at the caller's fileSize limit.
    truncated: () => (type === 'zip' ? refuse.zipTooLarge(name) : refuse.fileTooLarge(name, limits)),
    // A multipart stream fails when the client goes away or sends a malformed body.
    sourceError: (err) => (err instanceof AppError || 'statusCode' in err ? err : refuse.cutOff(name)),
    onFailure: 'drain',
    signal,
  });
  if (type === 'zip') {
    await forEachZipImage(spooled, name, { limits, budget: ctx.budget, signal, newPath: ctx.newPath }, (image) => addImage(ctx, image));
    await rm(spooled, { force: true });
  } else {
    await addImage(ctx, { path: spooled, format: type!, name });
  }
}

/**
 * Reads the rest of a refused request in the background, so that busboy, and
 * with it the caller's request, can finish; file streams are resumed and
 * discarded. Not awaited: the refusal goes out without waiting for the client
 * to finish sending.
 */
function drainRemaining(parts: AsyncIterator<IncomingPart>): void {
  void (async () => {
    try {
      for (;;) {
        const next = await parts.next();
        if (next.done) return;
        if (next.value.type === 'file') next.value.file.resume();
      }
    } catch {
      // The request failed or was aborted: nothing left to drain.
    }
  })();
}

/**
 * Checks and prepares one upload: images, or zips of images, or a mix. Every
 * limit is checked while the bytes arrive; each image is then re-encoded,
 * one at a time to keep memory flat. All or nothing: on any refusal every
 * temp file is removed before the error is thrown. On success the caller
 * owns the temp files until it calls `cleanup()`.
 */
export async function ingestUpload(
  parts: AsyncIterable<IncomingPart>,
  opts: IngestOptions,
): Promise<{ photos: PreparedPhoto[]; cleanup(): Promise<void> }> {
  const iterator = parts[Symbol.asyncIterator]();
  let dir: string;
  try {
    dir = await mkdtemp(path.join(opts.tmpDir, 'visiona-ingest-'));
  } catch (err) {
    drainRemaining(iterator);
    throw err;
  }
  let counter = 0;
  const ctx: Context = {
    opts,
    budget: createBudget(opts.limits, { photos: opts.remainingPhotos, bytes: opts.remainingBytes }),
    photos: [],
    newPath: (kind) => path.join(dir, `${kind}-${++counter}`),
  };
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let done = false;
  try {
    let files = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      // busboy throws plain errors for a malformed body (no boundary found, a broken part header).
      const next = await iterator.next().catch((err: Error) => {
        throw err instanceof AppError || 'statusCode' in err ? err : refuse.malformed();
      });
      if (next.done) break;
      if (next.value.type !== 'file') continue;
      files++;
      await ingestFile(ctx, next.value);
    }
    done = true;
    if (files === 0) throw refuse.noFiles();
    return { photos: ctx.photos, cleanup };
  } catch (err) {
    if (!done) drainRemaining(iterator);
    await cleanup();
    throw err;
  }
}
