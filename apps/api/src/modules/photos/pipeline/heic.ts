import { readFile } from 'node:fs/promises';
import type { IngestLimits } from './limits.ts';
import type { RawImage } from './metrics.ts';
import { refuse } from './refusals.ts';

interface HeifImageHandle {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}

/**
 * Decodes the primary image of a HEIC file to RGBA with heic-decode (libheif
 * in wasm, offline): sharp's prebuilt libvips reads AVIF but not HEVC. The
 * image list is parsed first and its declared size checked against the pixel
 * limit before any pixel is decoded. libheif applies the HEIF rotation and
 * mirror boxes itself, so the pixels come out upright.
 */
export async function decodeHeic(path: string, name: string, limits: IngestLimits): Promise<RawImage> {
  const buffer = await readFile(path); // bounded by maxFileBytes while spooling
  const { default: heicDecode } = await import('heic-decode'); // ~3 MB of wasm: loaded on the first HEIC only
  let images: HeifImageHandle[] & { dispose?: () => void };
  try {
    images = (await heicDecode.all({ buffer })) as unknown as HeifImageHandle[] & { dispose?: () => void };
  } catch {
    throw refuse.heicNotReadable(name);
  }
  try {
    const primary = images[0];
    if (!primary || !(primary.width > 0) || !(primary.height > 0)) throw refuse.heicNotReadable(name);
    if (primary.width * primary.height > limits.maxPixels) throw refuse.pixelBomb(name, primary.width, primary.height, limits);
    let decoded: Awaited<ReturnType<HeifImageHandle['decode']>>;
    try {
      decoded = await primary.decode();
    } catch {
      throw refuse.heicNotReadable(name);
    }
    const data = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
    return { data, width: decoded.width, height: decoded.height, channels: 4 };
  } finally {
    images.dispose?.();
  }
}
