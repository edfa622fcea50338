import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ingestUpload } from '../../src/modules/photos/pipeline/ingest.ts';
import * as f from './fixtures.ts';
import { expectRefused, ingestWith, leftovers, limits, sampleRss, MB, useTmpDir, type FakeItem } from './harness.ts';

const tmp = useTmpDir();
const ingest = (items: FakeItem[], over: Partial<Parameters<typeof ingestUpload>[1]> = {}) => ingestWith(tmp(), items, over);

describe('accepted uploads', () => {
  it('re-encodes every accepted format to a JPEG of at most 2048 px with a 512 px WebP thumbnail', async () => {
    const big = f.photoLike({ width: 2400, height: 1600, seed: 3 });
    const avif = await f.photoLike({ width: 640, height: 480, seed: 4 }).avif({ effort: 0 }).toBuffer();
    const avifAsMif1 = Buffer.from(avif).fill('mif1', 8, 12); // generic HEIF brand, AV1 inside
    const items = [
      { name: 'big.jpg', data: await big.clone().jpeg().toBuffer(), format: 'jpeg' },
      { name: 'p.png', data: await f.photoLike({ seed: 5 }).png().toBuffer(), format: 'png' },
      { name: 'w.webp', data: await f.photoLike({ seed: 6 }).webp().toBuffer(), format: 'webp' },
      { name: 'a.avif', data: avif, format: 'avif' },
      { name: 'm.heif', data: avifAsMif1, format: 'avif' },
      { name: 't.tiff', data: await f.photoLike({ seed: 7 }).tiff().toBuffer(), format: 'tiff' },
    ];
    const { photos, cleanup } = await ingest(items.map(({ name, data }) => ({ name, data })));
    expect(photos.map((p) => [p.originalName, p.sourceFormat])).toEqual(items.map((i) => [i.name, i.format]));
    expect(photos[0]).toMatchObject({ width: 2048, height: 1365, metrics: { shortSide: 1600 } });
    expect(photos[1]).toMatchObject({ width: 1024, height: 768, metrics: { shortSide: 768 } });
    for (const p of photos) {
      const bytes = await readFile(p.photoPath);
      expect((await sharp(bytes).metadata()).format).toBe('jpeg');
      expect(p.byteSize).toBe((await stat(p.photoPath)).size);
      expect(p.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      const thumb = await sharp(p.thumbPath).metadata();
      expect(thumb.format).toBe('webp');
      expect(Math.max(thumb.width!, thumb.height!)).toBe(512);
    }
    await cleanup();
    expect(await leftovers(tmp())).toEqual([]);
  });

  it('strips EXIF and GPS and keeps the photo upright (orientation 6: 200×100 stored, 100×200 out)', async () => {
    const input = await f.gpsSidewaysJpeg();
    const before = await sharp(input).metadata();
    expect(before).toMatchObject({ width: 200, height: 100, orientation: 6 });
    expect(f.readGps(before.exif)).toEqual({ latitudeRef: 'N', latitude: [51, 30, 0] });

    const { photos } = await ingest([{ name: 'holiday.jpg', data: input }]);
    const [photo] = photos;
    for (const file of [photo!.photoPath, photo!.thumbPath]) {
      const after = await sharp(file).metadata();
      expect(after.exif).toBeUndefined();
      expect(f.readGps(after.exif)).toBeUndefined();
      expect(after.xmp).toBeUndefined();
      expect(after.icc).toBeUndefined();
      expect(after.orientation).toBeUndefined();
    }
    expect(photo).toMatchObject({ width: 100, height: 200 });
    const { data } = await sharp(photo!.photoPath).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    expect(at(50, 10)[0]).toBeGreaterThan(200); // the left (red) half is now on top
    expect(at(50, 190)[2]).toBeGreaterThan(200); // and the right (blue) half at the bottom
  });

  it('keeps only a clean basename of the file name, for display', async () => {
    const data = await f.photoLikeJpeg({ width: 64, height: 64 });
    const { photos } = await ingest([
      { name: '../../etc/\u0000bad\u202ename\u0007.jpg', data },
      { name: `${'a'.repeat(300)}.jpg`, data },
      { field: 'note', value: 'fields between files are ignored' },
      { name: 'C:\\Users\\me\\face.jpg', data },
    ]);
    expect(photos.map((p) => p.originalName)).toEqual(['badname.jpg', 'a'.repeat(200), 'face.jpg']);
  });
});

describe('refused by type (415), nothing left behind', () => {
  it.each([
    ['a PDF named .jpg', 'scan.jpg', f.pdf()],
    ['an SVG', 'logo.svg', f.svg()],
    ['a GIF', 'anim.gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
    ['an MP4 video', 'clip.jpg', Buffer.from('\0\0\0\x18ftypisom\0\0\x02\0isomiso2', 'latin1')],
  ])('%s', async (_kind, name, data) => {
    await expectRefused(ingest([{ name, data, mimetype: 'image/jpeg' }]), tmp(), 415, new RegExp(`“${name.replace('.', '\\.')}” is not an accepted file type.*JPEG, PNG, WebP, HEIC, AVIF or TIFF`));
  });

  it('a PNG header followed by HTML: the magic matches but it does not decode', async () => {
    await expectRefused(ingest([{ name: 'x.png', data: f.pngThenHtml() }]), tmp(), 415, /“x\.png” looks like an image but cannot be read/);
  });

  it('an empty file', async () => {
    await expectRefused(ingest([{ name: 'empty.jpg', data: Buffer.alloc(0) }]), tmp(), 415, /“empty\.jpg” is empty/);
  });

  it('an unreadable HEIC, with the iPhone advice (conversion of real HEVC photos is not covered offline)', async () => {
    await expectRefused(ingest([{ name: 'IMG_0001.HEIC', data: f.heicGarbage() }]), tmp(), 415, /IMG_0001\.HEIC.*Settings › Camera › Formats › Most Compatible/);
  });

  it('one bad file refuses the whole upload and removes the photos already prepared', async () => {
    const good = await f.photoLikeJpeg();
    await expectRefused(ingest([{ name: 'good.jpg', data: good }, { name: 'bad.jpg', data: f.pdf() }]), tmp(), 415, /bad\.jpg/);
  });

  it('no file at all is a 400', async () => {
    await expectRefused(ingest([{ field: 'x', value: 'y' }]), tmp(), 400, /no files/);
  });
});

describe('pixel bombs (422)', () => {
  it('a tiny PNG declaring 14000×14000 px is refused from its header; memory stays flat', async () => {
    const bomb = f.pngBomb(14000);
    expect(bomb.length).toBeLessThan(100_000);
    const rss = sampleRss();
    await expectRefused(ingest([{ name: 'bomb.png', data: bomb }]), tmp(), 422, /“bomb\.png” is 14000 × 14000 pixels \(196 megapixels\); the largest accepted is 40 megapixels/);
    expect(rss.stop()).toBeLessThan(100 * MB);
  });

  it('the limit is the configured one', async () => {
    const data = await f.photoLikeJpeg({ width: 200, height: 100 });
    await (await ingest([{ name: 'ok.jpg', data }], { limits: { ...limits, maxPixels: 20_000 } })).cleanup();
    await expectRefused(ingest([{ name: 'big.jpg', data }], { limits: { ...limits, maxPixels: 19_999 } }), tmp(), 422, /largest accepted is 0\.02 megapixels/);
  });

  it('a HEIC declaring 14000×14000 px is refused before any pixel is decoded', async () => {
    await expectRefused(ingest([{ name: 'bomb.heic', data: await f.heicDeclaringHuge() }]), tmp(), 422, /“bomb\.heic” is 14000 × 14000 pixels/);
  });
});
