import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importFrom } from './common.ts';

interface SharpInstance {
  jpeg(opts: { quality: number }): SharpInstance;
  toBuffer(): Promise<Buffer>;
}
type SharpFactory = (input: Buffer, opts: { raw: { width: number; height: number; channels: 3 } }) => SharpInstance;

export interface PhotoSpec {
  count: number;
  width: number;
  height: number;
  /** Each file's size lands in [minBytes, maxBytes]. */
  minBytes: number;
  maxBytes: number;
}

/**
 * Photo-like pixels: a smooth colour gradient, soft waves (large shapes) and
 * per-pixel sensor noise, different for every seed. The noise amplitude sets
 * how well it compresses, which is how the file size is steered.
 */
function photoPixels(seed: number, width: number, height: number, noise: number): Buffer {
  let s = (seed * 2654435761) >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const base = [40 + rnd() * 150, 40 + rnd() * 150, 40 + rnd() * 150];
  const dx = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5].map((v) => (v * 120) / width);
  const dy = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5].map((v) => (v * 120) / height);
  // Waves precomputed per column and per row: wave(x, y) = col[x] + row[y].
  const periodX = 150 + rnd() * 400;
  const periodY = 150 + rnd() * 400;
  const col = Float32Array.from({ length: width }, (_, x) => 30 * Math.sin(x / periodX + seed));
  const row = Float32Array.from({ length: height }, (_, y) => 30 * Math.sin(y / periodY + 2 * seed));
  const out = Buffer.allocUnsafe(width * height * 3);
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const wave = col[x]! + row[y]!;
      for (let c = 0; c < 3; c++) {
        const v = base[c]! + dx[c]! * x + dy[c]! * y + wave * (c === 1 ? 0.7 : 1) + (rnd() - 0.5) * noise;
        out[i++] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

/**
 * `spec.count` photo-like JPEGs, generated with sharp once and cached in the
 * temp folder (generation takes a few seconds per photo). Returns their paths.
 */
export async function photoFixtures(spec: PhotoSpec, log: (line: string) => void = () => {}): Promise<string[]> {
  const dir = path.join(os.tmpdir(), 'visiona-bench-photos', `v1-${spec.width}x${spec.height}-${spec.minBytes}-${spec.maxBytes}`);
  await mkdir(dir, { recursive: true });
  const name = (i: number) => path.join(dir, `photo-${String(i + 1).padStart(3, '0')}.jpg`);
  const have = new Set(await readdir(dir));
  const missing: number[] = [];
  for (let i = 0; i < spec.count; i++) {
    if (!have.has(path.basename(name(i)))) missing.push(i);
    else {
      const { size } = await stat(name(i));
      if (size < spec.minBytes || size > spec.maxBytes) missing.push(i);
    }
  }
  if (missing.length > 0) {
    log(`generating ${missing.length} photo-like JPEGs of ${spec.width}×${spec.height} into ${dir} (cached for later runs)`);
    const sharp = (await importFrom<{ default: SharpFactory }>('api', 'sharp')).default;
    const target = (spec.minBytes + spec.maxBytes) / 2;
    let noise = 60;
    let quality = 95;
    for (const i of missing) {
      let data: Buffer | null = null;
      for (let attempt = 0; attempt < 12 && !data; attempt++) {
        const pixels = photoPixels(i + 1, spec.width, spec.height, noise);
        const encoded = await sharp(pixels, { raw: { width: spec.width, height: spec.height, channels: 3 } })
          .jpeg({ quality })
          .toBuffer();
        if (encoded.length >= spec.minBytes && encoded.length <= spec.maxBytes) data = encoded;
        else {
          // Size grows slower than the noise: steer the noise by the cube of the miss, within what is sensible.
          const next = noise * (target / encoded.length) ** 3;
          if (next > 250 && quality < 100) quality += 1;
          else if (next < 5 && quality > 70) quality -= 5;
          noise = Math.min(250, Math.max(5, next));
        }
      }
      if (!data) throw new Error(`could not generate a ${spec.width}×${spec.height} JPEG of ${spec.minBytes}–${spec.maxBytes} bytes`);
      await writeFile(`${name(i)}.tmp`, data);
      await rename(`${name(i)}.tmp`, name(i));
    }
  }
  return Array.from({ length: spec.count }, (_, i) => name(i));
}
