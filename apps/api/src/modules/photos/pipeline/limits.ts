/** Hard limits of one upload, checked while the bytes arrive. */
export interface IngestLimits {
  /** Images in one request, zip entries included. */
  maxFiles: number;
  /** One image file, or one image inside a zip (its real inflated bytes). */
  maxFileBytes: number;
  /** All file parts of the request; also caps the bytes a zip may unpack to. */
  maxRequestBytes: number;
  /** Entries of a zip, directories and junk included. */
  maxZipEntries: number;
  /** width × height of one image, read from its header before decoding. */
  maxPixels: number;
  /** Photos whose shorter side is below this get a `too_small` warning. */
  minRecommendedSide: number;
}
