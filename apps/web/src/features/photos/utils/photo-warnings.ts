import type { PhotoWarning, PhotoWarningCode } from '@visiona/shared';

const LABELS: Record<PhotoWarningCode, string> = {
  too_small: 'Too small',
  blurry: 'Blurry',
  near_duplicate: 'Near duplicate',
  too_dark: 'Too dark',
  too_bright: 'Too bright',
};

/** The badge text of a warning: short, so it fits on a thumbnail. */
export function warningLabel(warning: Pick<PhotoWarning, 'code'>): string {
  return LABELS[warning.code] ?? 'Check this photo';
}

/** How many photos have at least one warning. */
export function countPhotosWithWarnings(photos: ReadonlyArray<{ warnings: readonly unknown[] }>): number {
  return photos.filter((photo) => photo.warnings.length > 0).length;
}
