import type { PhotoSourceFormat, UploadLimits } from '@visiona/shared';
import { formatBytes } from '@/lib/format';

export type UploadKind = 'image' | 'zip';

/** What the queue needs to know about a file (a File fits). */
export interface FileLike {
  name: string;
  size: number;
  type: string;
}

const FORMAT_NAMES: Record<PhotoSourceFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  heic: 'HEIC',
  avif: 'AVIF',
  tiff: 'TIFF',
};

const FORMAT_EXTENSIONS: Record<PhotoSourceFormat, readonly string[]> = {
  jpeg: ['.jpg', '.jpeg', '.jfif'],
  png: ['.png'],
  webp: ['.webp'],
  heic: ['.heic', '.heif'],
  avif: ['.avif'],
  tiff: ['.tif', '.tiff'],
};

const FORMAT_MIME_TYPES: Record<PhotoSourceFormat, readonly string[]> = {
  jpeg: ['image/jpeg'],
  png: ['image/png'],
  webp: ['image/webp'],
  heic: ['image/heic', 'image/heif'],
  avif: ['image/avif'],
  tiff: ['image/tiff'],
};

const ZIP_EXTENSIONS = ['.zip'] as const;
const ZIP_MIME_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-zip'] as const;

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** The file input's `accept`: the image types and extensions the server takes, and zips. */
export function acceptAttribute(formats: readonly PhotoSourceFormat[]): string {
  const parts = formats.flatMap((format) => [...FORMAT_MIME_TYPES[format], ...FORMAT_EXTENSIONS[format]]);
  return [...new Set([...parts, ...ZIP_MIME_TYPES, ...ZIP_EXTENSIONS])].join(',');
}

/** "JPEG, PNG, WebP or HEIC". */
export function formatNames(formats: readonly PhotoSourceFormat[]): string {
  const names = formats.map((format) => FORMAT_NAMES[format]);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

export type FileCheck = { ok: true; kind: UploadKind } | { ok: false; kind: UploadKind | null; message: string };

/** What kind of upload a file is, judged by its name and type (the server reads the bytes and has the last word). */
export function uploadKindOf(file: FileLike, formats: readonly PhotoSourceFormat[]): UploadKind | null {
  const extension = extensionOf(file.name);
  const type = file.type.toLowerCase();
  if ((ZIP_EXTENSIONS as readonly string[]).includes(extension) || (ZIP_MIME_TYPES as readonly string[]).includes(type)) return 'zip';
  const byName = formats.some((format) => FORMAT_EXTENSIONS[format].includes(extension));
  const byType = formats.some((format) => FORMAT_MIME_TYPES[format].includes(type));
  return byName || byType ? 'image' : null;
}

/**
 * Checks a file before uploading it, so an obviously wrong or oversized file fails at once
 * instead of after a long upload. What passes may still be refused by the server.
 */
export function checkFile(file: FileLike, limits: Pick<UploadLimits, 'acceptedFormats' | 'maxFileBytes' | 'maxRequestBytes'>): FileCheck {
  const kind = uploadKindOf(file, limits.acceptedFormats);
  if (kind === null) {
    return {
      ok: false,
      kind,
      message: `This is not a photo Visiona can use. Upload ${formatNames(limits.acceptedFormats)} images, or a .zip of them.`,
    };
  }
  if (file.size === 0) return { ok: false, kind, message: 'This file is empty.' };
  if (kind === 'image' && file.size > limits.maxFileBytes) {
    return {
      ok: false,
      kind,
      message: `This photo is ${formatBytes(file.size)}; each photo can be at most ${formatBytes(limits.maxFileBytes)}.`,
    };
  }
  if (kind === 'zip' && file.size > limits.maxRequestBytes) {
    return {
      ok: false,
      kind,
      message: `This zip is ${formatBytes(file.size)}; a zip can be at most ${formatBytes(limits.maxRequestBytes)}.`,
    };
  }
  return { ok: true, kind };
}
