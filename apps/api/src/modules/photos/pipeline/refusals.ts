import { AppError, ValidationFailed } from '../../../lib/errors.ts';
import type { IngestLimits } from './limits.ts';

/**
 * Every refusal of the ingest pipeline, with a message for a person: which
 * file, what is wrong, what to do. Statuses:
 * - 413 payload_too_large: a size or count limit (file, request, photos, storage).
 * - 415 unsupported_media_type: not an accepted type, or bytes that only pretend
 *   to be an image (magic matches but decoding fails). To the client, a file that
 *   cannot be decoded is not really that media type, so it gets the same answer
 *   as a PDF named .jpg; 422 is kept for real images or zips refused on purpose.
 * - 422 unprocessable_image: pixel bombs, unsafe or bomb zips, zips without photos.
 * - 400 validation_failed: no file at all.
 */
export const ACCEPTED = 'JPEG, PNG, WebP, HEIC, AVIF or TIFF photos, or a .zip of them';

export const HEIC_HELP =
  'This HEIC photo could not be read. On iPhone, choose Settings › Camera › Formats › Most Compatible, or export as JPEG.';

export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

export function megapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${mp >= 10 ? Math.round(mp) : Number(mp.toPrecision(2))} megapixels`;
}

const tooLarge = (message: string) => new AppError(413, 'payload_too_large', message);
const unsupported = (message: string) => new AppError(415, 'unsupported_media_type', message);
const unprocessable = (message: string) => new AppError(422, 'unprocessable_image', message);

export const refuse = {
  noFiles: () => new ValidationFailed(`The upload has no files. Send ${ACCEPTED} as multipart/form-data.`),
  malformed: () =>
    new ValidationFailed('The upload is not valid multipart/form-data: its boundary or part headers are malformed. Send the photos in the `files` field.'),

  fileTooLarge: (name: string, limits: IngestLimits) =>
    tooLarge(`“${name}” is larger than ${megabytes(limits.maxFileBytes)}, the largest photo accepted. Export it at a smaller size and try again.`),
  zipTooLarge: (name: string) => tooLarge(`“${name}” is larger than the largest file accepted. Split it into smaller zips.`),
  cutOff: (name: string) => new ValidationFailed(`The upload ended before “${name}” arrived completely. Try again.`),
  requestTooLarge: (limits: IngestLimits) =>
    tooLarge(`This upload is larger than ${megabytes(limits.maxRequestBytes)} in total. Upload the photos in smaller batches.`),
  tooManyFiles: (count: number, limits: IngestLimits) =>
    tooLarge(`This upload has at least ${count} photos; at most ${limits.maxFiles} are accepted at once. Upload them in smaller batches.`),
  noRoomForPhotos: (count: number, remaining: number) =>
    tooLarge(
      remaining <= 0
        ? 'You already have the most photos allowed waiting for training. Delete some before uploading more.'
        : `You have room for ${remaining} more photo${remaining === 1 ? '' : 's'}, but this upload has at least ${count}. Delete some photos or upload fewer.`,
    ),
  noRoomForBytes: (remainingBytes: number) =>
    tooLarge(`These photos need more space than you have left (${megabytes(Math.max(0, remainingBytes))}). Delete some photos or upload fewer.`),

  emptyFile: (name: string) => unsupported(`“${name}” is empty. Send ${ACCEPTED}.`),
  notAccepted: (name: string) => unsupported(`“${name}” is not an accepted file type. Send ${ACCEPTED}.`),
  notReadable: (name: string) =>
    unsupported(`“${name}” looks like an image but cannot be read: it is damaged or not really an image. Send ${ACCEPTED}.`),
  heicNotReadable: (name: string) => unsupported(`“${name}”: ${HEIC_HELP}`),

  pixelBomb: (name: string, width: number, height: number, limits: IngestLimits) =>
    unprocessable(
      `“${name}” is ${width} × ${height} pixels (${megapixels(width * height)}); the largest accepted is ${megapixels(limits.maxPixels)}. Resize it and try again.`,
    ),
  pixelBombUnknownSize: (name: string, limits: IngestLimits) =>
    unprocessable(`“${name}” has more pixels than the ${megapixels(limits.maxPixels)} accepted. Resize it and try again.`),

  zipUnreadable: (zip: string) => unprocessable(`The zip “${zip}” cannot be opened: it is damaged. Create it again and retry.`),
  zipTooManyEntries: (zip: string, count: number, limits: IngestLimits) =>
    unprocessable(`The zip “${zip}” has ${count} entries; at most ${limits.maxZipEntries} are accepted. Put fewer files in it.`),
  zipUnsafeName: (zip: string, entry: string) =>
    unprocessable(`The zip “${zip}” has an entry with an unsafe name (“${entry}”): names must not be absolute or point outside the zip. Zip a plain folder of photos instead.`),
  zipLink: (zip: string, entry: string) =>
    unprocessable(`The zip “${zip}” contains a link (“${entry}”), which is not accepted. Zip the photos themselves.`),
  zipNested: (zip: string, entry: string) =>
    unprocessable(`The zip “${zip}” contains another archive (“${entry}”). Unpack it and zip the photos directly.`),
  zipEncrypted: (zip: string, entry: string) =>
    unprocessable(`“${entry}” in the zip “${zip}” is password-protected. Zip the photos without a password.`),
  zipMethod: (zip: string, entry: string) =>
    unprocessable(`“${entry}” in the zip “${zip}” uses a compression method that is not supported. Create the zip again with standard (Deflate) compression.`),
  zipBomb: (zip: string, limits: IngestLimits) =>
    unprocessable(`The zip “${zip}” unpacks to far more data than it holds (more than ${megabytes(limits.maxRequestBytes)}, or compressed over 100×), so it is refused as a zip bomb. Zip the photos themselves.`),
  zipEntryBroken: (zip: string, entry: string) =>
    unprocessable(`“${entry}” in the zip “${zip}” cannot be unpacked: the zip is damaged or its sizes are wrong. Create it again and retry.`),
  zipEntryTooLarge: (zip: string, entry: string, limits: IngestLimits) =>
    tooLarge(`“${entry}” in the zip “${zip}” is larger than ${megabytes(limits.maxFileBytes)}, the largest photo accepted. Export it at a smaller size.`),
  zipEntryNotAccepted: (zip: string, entry: string) =>
    unsupported(`“${entry}” in the zip “${zip}” is not an accepted file type. A zip may hold only ${ACCEPTED.replace(', or a .zip of them', '')}.`),
  zipNoPhotos: (zip: string) => unprocessable(`The zip “${zip}” contains no photos. Add ${ACCEPTED.replace(', or a .zip of them', '')} and try again.`),
};
