import { Readable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ingestUpload } from '../../src/modules/photos/pipeline/ingest.ts';
import * as f from './fixtures.ts';
import { expectRefused, ingestWith, leftovers, limits, MB, partsOf, useTmpDir, type FakeItem } from './harness.ts';

const tmp = useTmpDir();
const ingest = (items: FakeItem[], over: Partial<Parameters<typeof ingestUpload>[1]> = {}) => ingestWith(tmp(), items, over);
const jpegHeaderAnd = (bytes: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(bytes)]);

describe('limits (413), checked while the bytes arrive', () => {
  const photo = () => f.photoLikeJpeg({ width: 64, height: 64 });

  it('more files than one upload allows', async () => {
    const data = await photo();
    const items = [1, 2, 3].map((i) => ({ name: `${i}.jpg`, data }));
    await expectRefused(ingest(items, { limits: { ...limits, maxFiles: 2 } }), tmp(), 413, /at least 3 photos; at most 2/);
  });

  it('more photos than the quota has room for', async () => {
    const data = await photo();
    await expectRefused(ingest([{ name: 'a.jpg', data }, { name: 'b.jpg', data }], { remainingPhotos: 1 }), tmp(), 413, /room for 1 more photo/);
    await expectRefused(ingest([{ name: 'a.jpg', data }], { remainingPhotos: 0 }), tmp(), 413, /already have the most photos/);
  });

  it('a file larger than maxFileBytes, or cut short by busboy', async () => {
    await expectRefused(ingest([{ name: 'huge.jpg', data: jpegHeaderAnd(5 * MB) }]), tmp(), 413, /“huge\.jpg” is larger than 5 MB/);
    await expectRefused(ingest([{ name: 'cut.jpg', data: await photo(), truncated: true }]), tmp(), 413, /“cut\.jpg” is larger/);
  });

  it('a request larger than maxRequestBytes', async () => {
    const padded = Buffer.concat([await photo(), Buffer.alloc(4.5 * MB)]); // decoders ignore bytes after the image
    const items = [1, 2, 3, 4, 5].map((i) => ({ name: `${i}.jpg`, data: padded }));
    await expectRefused(ingest(items), tmp(), 413, /larger than 20 MB in total/);
  });

  it('stored bytes beyond the space left, measured on the re-encoded photos', async () => {
    const data = await f.photoLikeJpeg();
    await expectRefused(ingest([{ name: 'a.jpg', data }], { remainingBytes: 10_000 }), tmp(), 413, /more space than you have left/);
  });

  it('refuses a file as soon as it crosses the limit, then drains the rest of the request', async () => {
    let produced = 0;
    const slow = Readable.from(
      (async function* () {
        yield jpegHeaderAnd(64 * 1024);
        for (; produced < 64 * MB; produced += MB) {
          await setTimeout(5);
          yield Buffer.alloc(MB);
        }
      })(),
      { objectMode: false },
    );
    const later = Readable.from([await photo()], { objectMode: false });
    const progress = { finished: false };
    const parts = partsOf([{ name: 'endless.jpg', data: slow }, { name: 'later.jpg', data: later }], progress);
    let producedAtRefusal = 0;
    const run = ingestUpload(parts, { limits, tmpDir: tmp(), remainingPhotos: 10, remainingBytes: 1e9 }).catch((err: unknown) => {
      producedAtRefusal = produced;
      throw err;
    });
    await expectRefused(run, tmp(), 413, /endless\.jpg/);
    expect(producedAtRefusal).toBeLessThan(16 * MB); // not after the whole 64 MB
    await expect.poll(() => progress.finished && later.readableEnded && produced >= 64 * MB, { timeout: 10_000 }).toBe(true);
  });
});

describe('interrupted uploads', () => {
  it('a zip cut short by busboy is a 413 naming it', async () => {
    const zip = await f.zipOf([{ name: 'a.jpg', data: await f.photoLikeJpeg({ width: 64, height: 64 }) }]);
    await expectRefused(ingest([{ name: 'all.zip', data: zip, truncated: true }]), tmp(), 413, /“all\.zip” is larger than the largest file accepted/);
  });

  it('a part that breaks off (client gone, malformed body) is a 400, not a 500', async () => {
    let reads = 0;
    const breaking = new Readable({
      read() {
        if (reads++ === 0) this.push(jpegHeaderAnd(1024));
        else this.destroy(new Error('Part terminated early'));
      },
    });
    await expectRefused(ingest([{ name: 'half.jpg', data: breaking }]), tmp(), 400, /before “half\.jpg” arrived completely/);
    const gone = new Readable({ read() {} }).on('error', () => {}); // destroyed before the pipeline reaches it
    gone.destroy(new Error('Part terminated early'));
    await expectRefused(ingest([{ name: 'gone.jpg', data: gone }]), tmp(), 400, /before “gone\.jpg” arrived completely/);
  });

  it('an aborted request stops mid-file and leaves nothing behind', async () => {
    const abort = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push(jpegHeaderAnd(1024));
    setImmediate(() => abort.abort(new Error('client went away')));
    const run = ingest([{ name: 'stalled.jpg', data: stalled }], { signal: abort.signal });
    await expect(run).rejects.toThrow('client went away');
    expect(await leftovers(tmp())).toEqual([]);
  });
});
