import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ingestUpload } from '../../src/modules/photos/pipeline/ingest.ts';
import * as f from './fixtures.ts';
import { expectRefused, ingestWith, leftovers, limits, MB, useTmpDir, type FakeItem } from './harness.ts';

const tmp = useTmpDir();
const ingest = (items: FakeItem[], over: Partial<Parameters<typeof ingestUpload>[1]> = {}) => ingestWith(tmp(), items, over);
const upload = (zip: Buffer, over: Partial<Parameters<typeof ingestUpload>[1]> = {}) =>
  ingest([{ name: 'photos.zip', data: zip, mimetype: 'application/zip' }], over);

let jpeg: Buffer;
let png: Buffer;
const small = async () => {
  jpeg ??= await f.photoLikeJpeg({ width: 320, height: 240, seed: 11 });
  png ??= await f.photoLike({ width: 320, height: 240, seed: 12 }).png().toBuffer();
  return { jpeg, png };
};

describe('zips of photos', () => {
  it('unpacks the photos one by one and silently skips folders and junk', async () => {
    const { jpeg, png } = await small();
    const zip = await f.zipOf([
      { name: 'holiday/', data: Buffer.alloc(0) },
      { name: 'holiday/a.jpg', data: jpeg },
      { name: 'holiday/b.png', data: png, compress: false },
      { name: '__MACOSX/holiday/._a.jpg', data: Buffer.from('resource fork') },
      { name: 'holiday/._b.png', data: Buffer.from('resource fork') },
      { name: '.DS_Store', data: Buffer.from('finder') },
      { name: 'holiday/Thumbs.db', data: Buffer.from('explorer') },
    ]);
    const { photos, cleanup } = await upload(zip);
    expect(photos.map((p) => [p.originalName, p.sourceFormat, p.width, p.height])).toEqual([
      ['a.jpg', 'jpeg', 320, 240],
      ['b.png', 'png', 320, 240],
    ]);
    await cleanup();
    expect(await leftovers(tmp())).toEqual([]);
  });

  it('accepts images and a zip in the same upload, and counts zip entries towards the photo limits', async () => {
    const { jpeg, png } = await small();
    const zip = await f.zipOf([{ name: 'a.jpg', data: jpeg }, { name: 'b.png', data: png }]);
    const { photos, cleanup } = await ingest([{ name: 'single.jpg', data: jpeg }, { name: 'more.zip', data: zip }]);
    expect(photos.map((p) => p.originalName)).toEqual(['single.jpg', 'a.jpg', 'b.png']);
    await cleanup();
    await expectRefused(ingest([{ name: 'single.jpg', data: jpeg }, { name: 'more.zip', data: zip }], { limits: { ...limits, maxFiles: 2 } }), tmp(), 413, /at least 3 photos/);
    await expectRefused(upload(zip, { remainingPhotos: 1 }), tmp(), 413, /room for 1 more photo/);
  });
});

// Where an unsafe entry follows a .txt, a 422 (not the .txt's 415) shows the walk ran before any extraction.
const notes = { name: 'notes.txt', data: Buffer.from('not a photo') };

describe('unsafe zips are refused before anything is extracted, and nothing is left behind', () => {
  it.each([
    ['a zip-slip name', '../evil.jpg'],
    ['an absolute name', '/x/evil.jpg'],
    ['a backslash name', 'xx\\evil.jpg'],
  ])('%s (422)', async (_kind, name) => {
    const { jpeg } = await small();
    const zip = f.renameEntry(await f.zipOf([notes, { name: 'xx/evil.jpg', data: jpeg }]), 'xx/evil.jpg', name);
    const escaped = name.replace(/[.\\/]/g, (c) => `\\${c}`);
    await expectRefused(upload(zip), tmp(), 422, new RegExp(`“photos\\.zip” has an entry with an unsafe name \\(“${escaped}”\\)`));
  });

  it('a symlink entry (422)', async () => {
    const { jpeg } = await small();
    const zip = await f.zipOf([notes, { name: 'a.jpg', data: jpeg }, { name: 'link.jpg', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]);
    await expectRefused(upload(zip), tmp(), 422, /contains a link \(“link\.jpg”\)/);
  });

  it('a nested archive, by name or by its bytes (422)', async () => {
    const { jpeg } = await small();
    const inner = await f.zipOf([{ name: 'a.jpg', data: jpeg }]);
    await expectRefused(upload(await f.zipOf([notes, { name: 'inner.zip', data: inner }])), tmp(), 422, /another archive \(“inner\.zip”\)/);
    await expectRefused(upload(await f.zipOf([{ name: 'b.tar.gz', data: randomBytes(100) }])), tmp(), 422, /another archive \(“b\.tar\.gz”\)/);
    await expectRefused(upload(await f.zipOf([{ name: 'a.jpg', data: jpeg }, { name: 'inner.jpg', data: inner }])), tmp(), 422, /another archive \(“inner\.jpg”\)/);
  });

  it('a bomb: one entry compressed over 100× (422)', async () => {
    const zip = await f.zipOf([notes, { name: 'zeros.jpg', data: Buffer.alloc(16 * MB) }]);
    expect(zip.length).toBeLessThan(100_000);
    await expectRefused(upload(zip, { limits: { ...limits, maxFileBytes: 20 * MB } }), tmp(), 422, /zip bomb/);
  });

  it('a bomb: many small entries that together declare more than maxRequestBytes (422)', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ name: `${i}.jpg`, data: Buffer.alloc(1_000_000) }));
    await expectRefused(upload(await f.zipOf(entries), { limits: { ...limits, maxRequestBytes: 5 * MB } }), tmp(), 422, /more than 5 MB.*zip bomb/);
  });

  it('a bomb that lies about its sizes is stopped by the real inflated bytes (422)', async () => {
    const { jpeg } = await small();
    const honest = await f.zipOf([{ name: 'a.jpg', data: Buffer.concat([jpeg, Buffer.alloc(2 * MB)]) }]);
    await expectRefused(upload(f.lieAboutSizes(honest, jpeg.length)), tmp(), 422, /“a\.jpg” in the zip “photos\.zip” cannot be unpacked/);
  });

  it('more entries than maxZipEntries (422), junk included', async () => {
    const { jpeg } = await small();
    const entries = [{ name: 'a.jpg', data: jpeg }, ...Array.from({ length: 5 }, (_, i) => ({ name: `__MACOSX/._${i}`, data: Buffer.from('x') }))];
    await expectRefused(upload(await f.zipOf(entries), { limits: { ...limits, maxZipEntries: 5 } }), tmp(), 422, /has 6 entries; at most 5/);
  });

  it('an entry larger than maxFileBytes (413)', async () => {
    const zip = await f.zipOf([{ name: 'huge.jpg', data: randomBytes(6 * MB), compress: false }]);
    await expectRefused(upload(zip), tmp(), 413, /“huge\.jpg” in the zip “photos\.zip” is larger than 5 MB/);
  });

  it('a non-image entry (415), named', async () => {
    const { jpeg } = await small();
    const zip = await f.zipOf([{ name: 'a.jpg', data: jpeg }, { name: 'notes/readme.txt', data: Buffer.from('hello') }]);
    await expectRefused(upload(zip), tmp(), 415, /“notes\/readme\.txt” in the zip “photos\.zip” is not an accepted file type/);
  });

  it('a zip without photos (422): empty, or junk only', async () => {
    await expectRefused(upload(await f.zipOf([])), tmp(), 422, /“photos\.zip” contains no photos/);
    await expectRefused(upload(await f.zipOf([{ name: '.DS_Store', data: Buffer.from('x') }, { name: 'empty/', data: Buffer.alloc(0) }])), tmp(), 422, /contains no photos/);
  });

  it('a damaged zip (422)', async () => {
    const { jpeg } = await small();
    const zip = await f.zipOf([{ name: 'a.jpg', data: jpeg }]);
    await expectRefused(upload(zip.subarray(0, zip.length - 30)), tmp(), 422, /“photos\.zip” cannot be opened/);
  });
});
