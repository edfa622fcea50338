import type { IngestLimits } from './limits.ts';
import { refuse } from './refusals.ts';

export type Budget = ReturnType<typeof createBudget>;

/** The running totals of one upload; each `add` throws the refusal for the limit it crosses. */
export function createBudget(limits: IngestLimits, remaining: { photos: number; bytes: number }) {
  let images = 0;
  let requestBytes = 0;
  let inflatedBytes = 0;
  let storedBytes = 0;
  return {
    /** Bytes of the request's file parts, as they arrive. */
    addRequestBytes(bytes: number): void {
      requestBytes += bytes;
      if (requestBytes > limits.maxRequestBytes) throw refuse.requestTooLarge(limits);
    },
    /** Images announced by the upload (a file part, or a zip's image entries). */
    addImages(count: number): void {
      images += count;
      if (images > limits.maxFiles) throw refuse.tooManyFiles(images, limits);
      if (images > remaining.photos) throw refuse.noRoomForPhotos(images, remaining.photos);
    },
    /** Real bytes inflated out of zips. The declared sizes were checked already, so crossing this means they lied. */
    addInflatedBytes(bytes: number, zipName: string): void {
      inflatedBytes += bytes;
      if (inflatedBytes > limits.maxRequestBytes) throw refuse.zipBomb(zipName, limits);
    },
    /** Bytes of the re-encoded photos, which is what the storage quota counts. */
    addStoredBytes(bytes: number): void {
      storedBytes += bytes;
      if (storedBytes > remaining.bytes) throw refuse.noRoomForBytes(remaining.bytes);
    },
  };
}
