import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PhotoMetrics } from '../../src/modules/photos/pipeline/ingest.ts';
import { assessQuality, DEFAULT_QUALITY_THRESHOLDS, hammingDistance } from '../../src/modules/photos/pipeline/quality.ts';
import * as f from './fixtures.ts';
import { ingestWith, useTmpDir } from './harness.ts';

const tmp = useTmpDir();
const codes = (metrics: PhotoMetrics, others: { id: string; dhash: string }[] = []) =>
  assessQuality({ id: 'self', metrics }, others).map((w) => w.code);

/** Runs fixtures through the real pipeline and returns the metrics it measured. */
async function measure(images: Record<string, Buffer>): Promise<Record<string, PhotoMetrics>> {
  const names = Object.keys(images);
  const { photos, cleanup } = await ingestWith(tmp(), names.map((name) => ({ name, data: images[name]! })));
  await cleanup();
  return Object.fromEntries(photos.map((p) => [p.originalName, p.metrics]));
}

describe('quality warnings on real pixels', () => {
  let m: Record<string, PhotoMetrics>;
  beforeAll(async () => {
    const photo = await f.photoLikeJpeg();
    m = await measure({
      photo,
      other: await f.photoLikeJpeg({ seed: 2 }),
      large: await f.photoLikeJpeg({ seed: 3, width: 2400, height: 1600 }),
      blurred: await f.blurredJpeg(),
      flat: await f.flatJpeg(),
      dark: await f.photoLike().linear(0.15, 0).jpeg().toBuffer(),
      bright: await f.photoLike().linear(0.2, 210).jpeg().toBuffer(),
      small: await f.photoLikeJpeg({ width: 300, height: 300, seed: 4 }),
      copy: await sharp(photo).resize({ width: 700 }).jpeg({ quality: 50 }).toBuffer(),
    });
  }, 60_000);

  it('a sharp photo gets no warning, whatever its resolution', () => {
    for (const name of ['photo', 'other', 'large']) expect(codes(m[name]!), name).toEqual([]);
  });

  it('the blurry threshold separates sharp photos from the same photo blurred with .blur(8), with margin', () => {
    const { minSharpness } = DEFAULT_QUALITY_THRESHOLDS;
    for (const name of ['photo', 'other', 'large']) expect(m[name]!.sharpness, name).toBeGreaterThan(2 * minSharpness);
    expect(m.blurred!.sharpness).toBeLessThan(minSharpness / 2);
    expect(codes(m.blurred!)).toEqual(['blurry']);
    expect(codes(m.flat!)).toEqual(['blurry']);
  });

  it('too dark and too bright, without a blurry warning the contrast would cause', () => {
    expect(m.dark!.brightness).toBeLessThan(40);
    expect(codes(m.dark!)).toEqual(['too_dark']);
    expect(m.bright!.brightness).toBeGreaterThan(220);
    expect(codes(m.bright!)).toEqual(['too_bright']);
  });

  it('too small below the recommended side, which a caller can change', () => {
    expect(codes(m.small!)).toEqual(['too_small']);
    expect(assessQuality({ id: 'x', metrics: m.small! }, [], { minRecommendedSide: 256 })).toEqual([]);
  });

  it('a resized, recompressed copy is a near duplicate of its original; a different photo is not', () => {
    const others = [{ id: 'other', dhash: m.other!.dhash }, { id: 'original', dhash: m.photo!.dhash }];
    const warnings = assessQuality({ id: 'copy', metrics: m.copy! }, others);
    expect(warnings).toEqual([expect.objectContaining({ code: 'near_duplicate', duplicateOf: 'original' })]);
    expect(hammingDistance(m.photo!.dhash, m.other!.dhash)).toBeGreaterThan(DEFAULT_QUALITY_THRESHOLDS.maxDuplicateDistance);
    expect(assessQuality({ id: 'original', metrics: m.photo! }, [{ id: 'original', dhash: m.photo!.dhash }])).toEqual([]);
  });
});

describe('assessQuality', () => {
  const ok: PhotoMetrics = { sharpness: 500, brightness: 120, dhash: '0123456789abcdef', shortSide: 1024 };

  it('applies each threshold at its edge', () => {
    expect(codes({ ...ok, shortSide: 511 })).toEqual(['too_small']);
    expect(codes({ ...ok, shortSide: 512 })).toEqual([]);
    expect(codes({ ...ok, brightness: 39.9 })).toEqual(['too_dark']);
    expect(codes({ ...ok, brightness: 220.1 })).toEqual(['too_bright']);
    expect(codes({ ...ok, sharpness: 49.9 })).toEqual(['blurry']);
    expect(codes(ok, [{ id: 'a', dhash: '0123456789abcdd0' }])).toEqual(['near_duplicate']); // 6 bits apart
    expect(codes(ok, [{ id: 'a', dhash: '0123456789abcd90' }])).toEqual([]); // 7 bits apart
  });

  it('reports the first near duplicate, and says what to do in every message', () => {
    const all = assessQuality({ id: 'self', metrics: { sharpness: 1, brightness: 100, dhash: ok.dhash, shortSide: 100 } }, [
      { id: 'first', dhash: ok.dhash },
      { id: 'second', dhash: ok.dhash },
    ]);
    expect(all.map((w) => w.code)).toEqual(['too_small', 'blurry', 'near_duplicate']);
    expect(all[2]!.duplicateOf).toBe('first');
    for (const w of all) expect(w.message).toMatch(/Replace|Upload/);
  });
});

describe('hammingDistance', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('f0f0f0f0f0f0f0f0', 'f0f0f0f0f0f0f0f1')).toBe(1);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(() => hammingDistance('00', '000')).toThrow(RangeError);
    expect(() => hammingDistance('zz', '00')).toThrow(RangeError);
  });

  it('is a metric on 64-bit hashes', () => {
    const hash = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => n.toString(16).padStart(16, '0'));
    fc.assert(
      fc.property(hash, hash, hash, (a, b, c) => {
        const bits = (BigInt(`0x${a}`) ^ BigInt(`0x${b}`)).toString(2).replaceAll('0', '').length;
        expect(hammingDistance(a, b)).toBe(bits);
        expect(hammingDistance(a, b)).toBe(hammingDistance(b, a));
        expect(hammingDistance(a, a)).toBe(0);
        expect(hammingDistance(a, c)).toBeLessThanOrEqual(hammingDistance(a, b) + hammingDistance(b, c));
      }),
    );
  });
});
