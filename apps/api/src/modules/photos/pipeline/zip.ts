import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { PhotoSourceFormat } from '@visiona/shared';
import { AppError } from '../../../lib/errors.ts';
import type { Budget } from './budget.ts';
import type { IngestLimits } from './limits.ts';
import { describeEntry, sanitizeName } from './names.ts';
import { refuse } from './refusals.ts';
import { sniffType } from './sniff.ts';
import { spoolToFile } from './spool.ts';

/** An entry is a bomb when it is large and compressed more than this. Photos barely compress (≈1–1.2×). */
const BOMB_RATIO = 100;
const BOMB_MIN_BYTES = 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const ARCHIVE_NAME = /\.(zip|rar|7z|tar|gz|tgz|bz2|xz|zst)$/i;
const YAUZL_UNSAFE_NAME = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/s;

export interface ZipImage {
  path: string;
  format: PhotoSourceFormat;
  /** Basename, for display. */
  name: string;
}

export interface ZipContext {
  limits: IngestLimits;
  budget: Budget;
  signal?: AbortSignal | undefined;
  newPath(kind: string): string;
}

function isUnsafeName(name: string): boolean {
  return name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name) || name.split('/').includes('..');
}

/** Files that zip tools add on their own (macOS resource forks, Finder and Explorer caches). */
function isJunk(name: string): boolean {
  const segments = name.split('/');
  const base = segments[segments.length - 1] ?? '';
  return segments.includes('__MACOSX') || base === '.DS_Store' || base.startsWith('._') || base.toLowerCase() === 'thumbs.db';
}

/**
 * Walks every entry before anything is extracted and refuses the whole zip if
 * one is unsafe. Returns the entries that may be photos, in zip order.
 */
async function listCandidates(zip: ZipFile, zipName: string, limits: IngestLimits): Promise<Entry[]> {
  if (zip.entryCount > limits.maxZipEntries) throw refuse.zipTooManyEntries(zipName, zip.entryCount, limits);
  const candidates: Entry[] = [];
  let declaredBytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const label = describeEntry(entry.fileName);
      if (isUnsafeName(entry.fileName)) throw refuse.zipUnsafeName(zipName, label);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw refuse.zipLink(zipName, label);
      if (entry.fileName.endsWith('/') || isJunk(entry.fileName)) continue;
      if (ARCHIVE_NAME.test(entry.fileName)) throw refuse.zipNested(zipName, label);
      if (entry.isEncrypted()) throw refuse.zipEncrypted(zipName, label);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw refuse.zipMethod(zipName, label);
      if (entry.uncompressedSize > limits.maxFileBytes) throw refuse.zipEntryTooLarge(zipName, label, limits);
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize >= BOMB_MIN_BYTES && ratio > BOMB_RATIO) throw refuse.zipBomb(zipName, limits);
      declaredBytes += entry.uncompressedSize;
      if (declaredBytes > limits.maxRequestBytes) throw refuse.zipBomb(zipName, limits);
      candidates.push(entry);
    }
  } catch (err) {
    const unsafe = err instanceof Error ? YAUZL_UNSAFE_NAME.exec(err.message) : null;
    if (unsafe) throw refuse.zipUnsafeName(zipName, describeEntry(unsafe[2] ?? ''));
    if (err instanceof AppError) throw err;
    throw refuse.zipUnreadable(zipName);
  }
  return candidates;
}

async function extractEntry(zip: ZipFile, entry: Entry, dest: string, zipName: string, ctx: ZipContext): Promise<PhotoSourceFormat> {
  const label = describeEntry(entry.fileName);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch {
    throw refuse.zipEntryBroken(zipName, label);
  }
  let format: PhotoSourceFormat | undefined;
  await spoolToFile(stream, dest, {
    onHead(head) {
      const type = sniffType(head);
      if (type === 'zip') throw refuse.zipNested(zipName, label);
      if (type === undefined) throw refuse.zipEntryNotAccepted(zipName, label);
      format = type;
      return ctx.limits.maxFileBytes;
    },
    onBytes: (bytes) => ctx.budget.addInflatedBytes(bytes, zipName),
    tooLarge: () => refuse.zipEntryTooLarge(zipName, label, ctx.limits),
    // yauzl checks the real inflated size against the declared one (validateEntrySizes).
    sourceError: () => refuse.zipEntryBroken(zipName, label),
    onFailure: 'destroy',
    signal: ctx.signal,
  });
  return format!;
}

/**
 * Opens a spooled zip, refuses it if any entry is unsafe, then extracts its
 * photos one at a time (streaming, counting the real inflated bytes) and hands
 * each to `handle` before extracting the next. Directories and junk are skipped.
 */
export async function forEachZipImage(
  zipPath: string,
  zipName: string,
  ctx: ZipContext,
  handle: (image: ZipImage) => Promise<void>,
): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, autoClose: false });
  } catch {
    throw refuse.zipUnreadable(zipName);
  }
  zip.on('error', () => {}); // reported through eachEntry or the read streams
  try {
    const entries = await listCandidates(zip, zipName, ctx.limits);
    if (entries.length === 0) throw refuse.zipNoPhotos(zipName);
    ctx.budget.addImages(entries.length);
    for (const entry of entries) {
      ctx.signal?.throwIfAborted();
      const path = ctx.newPath('entry');
      const format = await extractEntry(zip, entry, path, zipName, ctx);
      await handle({ path, format, name: sanitizeName(entry.fileName) });
    }
  } finally {
    zip.close();
  }
}
