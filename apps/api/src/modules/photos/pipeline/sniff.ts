import type { PhotoSourceFormat } from '@visiona/shared';

/** What the first bytes of an upload say it is. `undefined` means refused. */
export type SniffedType = PhotoSourceFormat | 'zip';

/** Bytes to collect before sniffing: enough for an ISO-BMFF `ftyp` box with its brand list. */
export const SNIFF_BYTES = 256;

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
/** Generic HEIF brands: the codec is told by the compatible brands. */
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

function ascii(head: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...head.subarray(start, end));
}

/** HEIF family (HEIC, AVIF): an `ftyp` box whose brands name the codec. */
function sniffFtyp(head: Uint8Array): 'heic' | 'avif' | undefined {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return undefined;
  const boxSize = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  const major = ascii(head, 8, 12);
  const compatible: string[] = [];
  for (let i = 16; i + 4 <= Math.min(boxSize, head.length); i += 4) compatible.push(ascii(head, i, i + 4));
  if (AVIF_BRANDS.has(major)) return 'avif';
  if (HEIC_BRANDS.has(major)) return 'heic';
  if (HEIF_BRANDS.has(major)) {
    if (compatible.some((b) => AVIF_BRANDS.has(b))) return 'avif';
    // A generic HEIF file without an AV1 brand is, in practice, an HEVC photo (iPhone, Samsung).
    return 'heic';
  }
  return undefined;
}

/**
 * The type of an upload, from its first bytes only: never its name or
 * Content-Type. Anything that is not an accepted image or a zip (PDF, SVG,
 * HTML, GIF, BMP, video, ...) is `undefined`.
 */
export function sniffType(head: Uint8Array): SniffedType | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  // Classic and BigTIFF, both byte orders.
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  // A local file header, or the end-of-central-directory record of an empty zip.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  return sniffFtyp(head);
}
