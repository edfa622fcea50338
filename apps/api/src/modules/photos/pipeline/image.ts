import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import type { PhotoSourceFormat } from '@visiona/shared';
import { decodeHeic } from './heic.ts';
import type { IngestLimits } from './limits.ts';
import { measureImage, type PhotoMetrics, type RawImage } from './metrics.ts';
import { refuse } from './refusals.ts';

const MAX_SIDE = 2048;
const THUMB_SIDE = 512;

export interface EncodedImage {
  width: number;
  height: number;
  byteSize: number;
  sha256: string;
  metrics: PhotoMetrics;
}

function isPixelLimitError(err: unknown): boolean {
  return err instanceof Error && /pixel limit/i.test(err.message);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Opens a sharp pipeline on the file after checking its declared size: the
 * header is read without decoding, so a pixel bomb costs no memory. libvips'
 * own `limitInputPixels` backs this up.
 */
async function openUpright(path: string, name: string, limits: IngestLimits) {
  const options = { limitInputPixels: limits.maxPixels, failOn: 'error' } as const;
  let meta: Metadata;
  try {
    // Header only, so no pixel limit here: it would hide the size this check reports.
    meta = await sharp(path, { ...options, limitInputPixels: false }).metadata();
  } catch (err) {
    throw isPixelLimitError(err) ? refuse.pixelBombUnknownSize(name, limits) : refuse.notReadable(name);
  }
  const { width, height } = meta;
  if (!width || !height) throw refuse.notReadable(name);
  if (width * height > limits.maxPixels) throw refuse.pixelBomb(name, width, height, limits);
  const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5–8 swap width and height
  return { pipeline: sharp(path, options).rotate(), width: turned ? height : width, height: turned ? width : height };
}

/** Decodes any accepted image to upright sRGB pixels, at most 2048 px on its longest side. */
async function decodeBounded(
  src: { path: string; format: PhotoSourceFormat; name: string },
  limits: IngestLimits,
): Promise<{ image: RawImage; shortSide: number }> {
  let opened: { pipeline: Sharp; width: number; height: number };
  if (src.format === 'heic') {
    const rgba = await decodeHeic(src.path, src.name, limits);
    const raw = { width: rgba.width, height: rgba.height, channels: rgba.channels };
    opened = { pipeline: sharp(rgba.data, { raw, limitInputPixels: limits.maxPixels }), width: rgba.width, height: rgba.height };
  } else {
    opened = await openUpright(src.path, src.name, limits);
  }
  try {
    const { data, info } = await opened.pipeline
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const image: RawImage = { data, width: info.width, height: info.height, channels: info.channels };
    return { image, shortSide: Math.min(opened.width, opened.height) };
  } catch (err) {
    if (isPixelLimitError(err)) throw refuse.pixelBombUnknownSize(src.name, limits);
    throw src.format === 'heic' ? refuse.heicNotReadable(src.name) : refuse.notReadable(src.name);
  }
}

/**
 * Re-encodes one image: upright (EXIF orientation applied), longest side at
 * most 2048 px, JPEG quality 90, plus a 512 px WebP thumbnail, both written
 * straight to disk by libvips. Re-encoding from raw pixels drops every piece
 * of metadata (EXIF, GPS, XMP, ICC). Measures the quality metrics on the way.
 */
export async function encodeImage(
  src: { path: string; format: PhotoSourceFormat; name: string },
  out: { photoPath: string; thumbPath: string },
  limits: IngestLimits,
): Promise<EncodedImage> {
  const { image, shortSide } = await decodeBounded(src, limits);
  const raw = { raw: { width: image.width, height: image.height, channels: image.channels } };
  const photo = await sharp(image.data, raw).jpeg({ quality: 90, mozjpeg: false }).toFile(out.photoPath);
  await sharp(image.data, raw)
    .resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 })
    .toFile(out.thumbPath);
  const metrics = await measureImage(image, shortSide);
  return { width: photo.width, height: photo.height, byteSize: photo.size, sha256: await sha256File(out.photoPath), metrics };
}
