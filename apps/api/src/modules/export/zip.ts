import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyBaseLogger } from 'fastify';
import yazl from 'yazl';
import { StorageError, type ObjectStorage } from '../../integrations/storage.ts';
import type { ExportFile } from './repository.ts';

export const EXPORT_FOLDER = 'visiona-export';

export interface ExportZipInput {
  storage: ObjectStorage;
  /** Small text entries written before the stored objects (README.txt). */
  head: { name: string; data: Buffer }[];
  files: ExportFile[];
  /** The entries written after the objects (data.json), told which objects Storage no longer had. */
  tail: (missing: ExportFile[]) => { name: string; data: Buffer }[];
  log: FastifyBaseLogger;
}

/**
 * Storage answered that this one object does not exist (deleted meanwhile, or lost). Any other
 * refusal (a missing bucket, a wrong key) is an outage of ours, not a gap in the person's data.
 */
const isObjectGone = (err: StorageError) => err.permanent && /object not found|HTTP 404/i.test(err.detail);

/** One stored object, read to its end; null when Storage says it is not there. */
async function download(storage: ObjectStorage, file: ExportFile, signal: AbortSignal): Promise<Buffer[] | null> {
  try {
    const stream = await storage.openRead(file.storagePath, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return chunks;
  } catch (err) {
    if (err instanceof StorageError) {
      if (isObjectGone(err)) return null;
      throw err;
    }
    // The body broke off (reset, timeout, abort): as unavailable as a refused connection.
    throw new StorageError('download', { message: (err as Error).message });
  }
}

/**
 * The export as a zip stream. Stored objects go in one after another: each is read whole
 * from Storage (one object, a few MB at most: our pipeline caps photos and generated images)
 * while the previous one drains to the client, so memory stays flat however many there are,
 * and a slow client never holds a Storage download open past its timeout.
 *
 * The first object is read before this resolves: Storage being down then is a StorageError
 * (503) and nothing has been sent. A failure after that can no longer change the status, so
 * the stream is destroyed with the error: the client gets a truncated zip, never a complete-
 * looking one, and the failure is logged.
 */
export async function createExportZip(input: ExportZipInput): Promise<Readable> {
  const { storage, files, log } = input;
  const abort = new AbortController();
  const missing: ExportFile[] = [];
  let next = 0;

  async function readNext(): Promise<{ file: ExportFile; chunks: Buffer[] } | null> {
    while (next < files.length) {
      const file = files[next++]!;
      const chunks = await download(storage, file, abort.signal);
      if (chunks) return { file, chunks };
      missing.push(file);
      log.warn({ entry: file.name }, 'export: a stored object is missing; listed as missing in data.json');
    }
    return null;
  }

  const first = await readNext();

  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  // The client went away (or the zip ended): stop reading from Storage.
  output.once('close', () => abort.abort());
  // Fastify listens too once it sends the stream; this one keeps an error from ever being unhandled.
  output.on('error', () => undefined);
  zip.on('error', (err: Error) => output.destroy(err));

  const add = (name: string, data: Buffer) => zip.addBuffer(data, `${EXPORT_FOLDER}/${name}`);
  for (const entry of input.head) add(entry.name, entry.data);

  async function pump() {
    let current = first;
    while (current) {
      // Read the next object while this one is written out.
      const following = readNext();
      following.catch(() => undefined);
      const body = Readable.from(current.chunks, { objectMode: false });
      zip.addReadStream(body, `${EXPORT_FOLDER}/${current.file.name}`, {
        compress: false, // JPEG, PNG and WebP do not shrink
        size: current.chunks.reduce((n, c) => n + c.length, 0),
        mtime: current.file.modifiedAt,
      });
      await finished(body, { signal: abort.signal });
      // yazl keeps each entry, and with it this stream and its array, until the zip ends (for the
      // central directory): let the bytes go now, or the whole export would stay in memory.
      current.chunks.length = 0;
      current = await following;
    }
    for (const entry of input.tail(missing)) add(entry.name, entry.data);
    zip.end();
  }

  pump().catch((err: unknown) => {
    if (abort.signal.aborted && output.destroyed) {
      log.info('export: the client closed the connection before the zip was complete');
      return;
    }
    log.error(err instanceof StorageError ? { detail: err.detail } : { err }, 'export: the zip stream failed midway; the client gets a truncated zip');
    output.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return output;
}
