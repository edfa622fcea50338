import sharp from 'sharp';

export interface PhotoMetrics {
  /** Variance of the Laplacian of a 256-px-wide greyscale copy: low means blurry or flat. */
  sharpness: number;
  /** Mean luma, 0..255. */
  brightness: number;
  /** 64-bit difference hash (9×8 greyscale), 16 hex digits. */
  dhash: string;
  /** Shorter side of the original image, upright, before any downscale. */
  shortSide: number;
}

/** Decoded pixels, as sharp's raw output describes them. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** Metrics are measured at a fixed width so that they barely depend on the photo's resolution. */
const METRICS_WIDTH = 256;

export function meanLuma(pixels: Uint8Array): number {
  let sum = 0;
  for (const p of pixels) sum += p;
  return pixels.length === 0 ? 0 : sum / pixels.length;
}

/** Variance of the 4-neighbour Laplacian over the interior pixels of a greyscale image. */
export function laplacianVariance(pixels: Uint8Array, width: number, height: number): number {
  let sum = 0;
  let sumSquares = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = 4 * pixels[i]! - pixels[i - 1]! - pixels[i + 1]! - pixels[i - width]! - pixels[i + width]!;
      sum += l;
      sumSquares += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSquares / n - mean * mean;
}

/** 64-bit difference hash of a 9×8 greyscale image: one bit per horizontal neighbour pair, brighter to the right. */
export function differenceHash(pixels: Uint8Array): string {
  if (pixels.length !== 72) throw new RangeError('differenceHash needs 9×8 greyscale pixels');
  let hex = '';
  for (let y = 0; y < 8; y++) {
    let byte = 0;
    for (let x = 0; x < 8; x++) {
      byte = (byte << 1) | (pixels[y * 9 + x + 1]! > pixels[y * 9 + x]! ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Measures a decoded image (already upright and downscaled); `shortSide` is taken from the original. */
export async function measureImage(image: RawImage, shortSide: number): Promise<PhotoMetrics> {
  const raw = { raw: { width: image.width, height: image.height, channels: image.channels } };
  const grey = await sharp(image.data, raw).greyscale().resize({ width: METRICS_WIDTH }).raw().toBuffer({ resolveWithObject: true });
  const tiny = await sharp(image.data, raw).greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer();
  return {
    sharpness: Math.round(laplacianVariance(grey.data, grey.info.width, grey.info.height) * 10) / 10,
    brightness: Math.round(meanLuma(grey.data) * 10) / 10,
    dhash: differenceHash(tiny),
    shortSide,
  };
}
