import { createWriteStream } from 'node:fs';
import { SNIFF_BYTES } from './sniff.ts';

export type SpoolSource = NodeJS.ReadableStream & {
  truncated?: boolean;
  destroy?: (err?: Error) => unknown;
  destroyed?: boolean;
  errored?: Error | null;
};

export interface SpoolOptions {
  /** Called once with the first bytes; returns the byte cap of this stream, or throws to refuse it. */
  onHead(head: Buffer): number;
  /** Called for every chunk before it is written; throws when a shared budget is crossed. */
  onBytes(bytes: number): void;
  /** The error for a stream longer than the cap `onHead` returned. */
  tooLarge(): Error;
  /** The error for a stream busboy cut short at the caller's fileSize limit; defaults to `tooLarge`. */
  truncated?(): Error;
  /** Maps an error of the source stream. */
  sourceError?(err: Error): Error;
  /**
   * What happens to the source when spooling fails. Multipart file streams are
   * drained, never destroyed: busboy only moves on to the next part once the
   * current one is consumed. Zip entry streams are destroyed.
   */
  onFailure: 'drain' | 'destroy';
  signal?: AbortSignal | undefined;
}

/**
 * Streams `source` into the new file `dest`, counting bytes as they arrive and
 * stopping (and refusing) as soon as a limit is crossed. Resolves with the
 * byte count once the file is closed. On failure the partial file is closed
 * (its directory is removed by the caller) before the promise rejects.
 */
export function spoolToFile(source: SpoolSource, dest: string, opts: SpoolOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const out = createWriteStream(dest, { flags: 'wx' });
    const head: Buffer[] = [];
    let headLength = 0;
    let cap: number | undefined;
    let bytes = 0;
    let settled = false;
    let writeError: unknown;

    const detach = () => {
      source.removeListener('data', onData);
      source.removeListener('end', onEnd);
      source.removeListener('limit', onLimit);
      source.removeListener('close', onClose);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      detach();
      if (opts.onFailure === 'destroy' && typeof source.destroy === 'function') source.destroy();
      else source.resume(); // with no 'data' listener left, the rest is read and discarded
      const done = () => reject(err);
      if (out.closed) done();
      else {
        out.once('close', done);
        out.destroy();
      }
    };
    const write = (chunk: Buffer) => {
      if (!out.write(chunk)) {
        source.pause();
        out.once('drain', () => {
          if (!settled) source.resume();
        });
      }
    };
    const takeHead = () => {
      cap = opts.onHead(Buffer.concat(head, headLength));
      if (headLength > cap) throw opts.tooLarge();
      for (const chunk of head) write(chunk);
      head.length = 0;
    };
    function onData(data: Buffer | string) {
      try {
        const chunk = typeof data === 'string' ? Buffer.from(data) : data;
        bytes += chunk.length;
        opts.onBytes(chunk.length);
        if (cap === undefined) {
          head.push(chunk);
          headLength += chunk.length;
          if (headLength >= SNIFF_BYTES) takeHead();
          return;
        }
        if (bytes > cap) throw opts.tooLarge();
        write(chunk);
      } catch (err) {
        fail(err);
      }
    }
    function onEnd() {
      try {
        if (cap === undefined) takeHead();
        if (source.truncated) throw (opts.truncated ?? opts.tooLarge)();
      } catch (err) {
        fail(err);
        return;
      }
      settled = true;
      detach();
      out.once('close', () => (writeError ? reject(writeError) : resolve(bytes)));
      out.end();
    }
    function onLimit() {
      fail((opts.truncated ?? opts.tooLarge)());
    }
    /** Closed without 'end': destroyed, possibly before we started listening. */
    function onClose() {
      const err = source.errored ?? new Error('The stream closed before it ended.');
      fail(opts.sourceError ? opts.sourceError(err) : err);
    }
    function onAbort() {
      fail(opts.signal?.reason ?? new Error('The upload was aborted.'));
    }

    // Errors after failing (a destroyed zip stream, busboy) must not crash the process.
    source.on('error', (err: Error) => fail(opts.sourceError ? opts.sourceError(err) : err));
    out.on('error', (err) => {
      writeError = err; // a full disk, say: also after the source ended
      fail(err);
    });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (source.destroyed) return onClose();
    source.on('limit', onLimit); // busboy: the part crossed the caller's fileSize limit
    source.on('close', onClose);
    source.on('end', onEnd);
    source.on('data', onData);
  });
}
