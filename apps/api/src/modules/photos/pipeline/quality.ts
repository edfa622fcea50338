import type { PhotoWarning } from '@visiona/shared';
import type { PhotoMetrics } from './metrics.ts';

export interface QualityThresholds {
  /** `too_small` below this shorter side, in pixels. */
  minRecommendedSide: number;
  /** `blurry` below this variance of the Laplacian (see metrics.ts). */
  minSharpness: number;
  /** `too_dark` below this mean luma. */
  minBrightness: number;
  /** `too_bright` above this mean luma. */
  maxBrightness: number;
  /** `near_duplicate` at or below this Hamming distance between dhashes (of 64 bits). */
  maxDuplicateDistance: number;
}

/**
 * minSharpness is calibrated on the generated fixtures (test/photos/fixtures.ts),
 * measured like every photo on a 256-px-wide greyscale copy. Photo-like images
 * (waves, hard-edged shapes, fine noise) score 140–250; the same image after
 * sharp's `.blur(2)` ≈110, `.blur(4)` ≈30, `.blur(8)` ≈7, and a flat image 0.
 * 50 flags the visibly soft ones and leaves a wide margin to sharp photos,
 * which in real life have stronger edges than the fixtures.
 */
export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  minRecommendedSide: 512,
  minSharpness: 50,
  minBrightness: 40,
  maxBrightness: 220,
  maxDuplicateDistance: 6,
};

const BITS_IN_NIBBLE = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Number of differing bits between two hex strings of the same length. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length || !/^[0-9a-f]*$/i.test(a) || !/^[0-9a-f]*$/i.test(b)) {
    throw new RangeError('hammingDistance needs two hex strings of the same length');
  }
  let distance = 0;
  for (let i = 0; i < a.length; i++) {
    distance += BITS_IN_NIBBLE[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  }
  return distance;
}

/**
 * Warnings a person can act on before training. They never block an upload.
 * `others` are the photos it is compared with; the first near-duplicate found
 * is reported.
 */
export function assessQuality(
  photo: { metrics: PhotoMetrics; id: string },
  others: { id: string; dhash: string }[],
  thresholds: Partial<QualityThresholds> = {},
): PhotoWarning[] {
  const t: QualityThresholds = { ...DEFAULT_QUALITY_THRESHOLDS, ...thresholds };
  const m = photo.metrics;
  const warnings: PhotoWarning[] = [];
  if (m.shortSide < t.minRecommendedSide) {
    warnings.push({
      code: 'too_small',
      message: `This photo is only ${m.shortSide} px on its shorter side; the trainer needs at least ${t.minRecommendedSide} px to learn detail. Upload the original instead of a screenshot or a copy from a messaging app.`,
    });
  }
  // The Laplacian scales with contrast, so a dark or washed-out photo scores low even when
  // in focus: there the exposure warning is the one to trust, and the only one given.
  const exposed = m.brightness >= t.minBrightness && m.brightness <= t.maxBrightness;
  if (exposed && m.sharpness < t.minSharpness) {
    warnings.push({
      code: 'blurry',
      message: 'This photo is blurry: the trainer learns your face from sharp photos. Replace it with a sharper one.',
    });
  }
  if (m.brightness < t.minBrightness) {
    warnings.push({
      code: 'too_dark',
      message: 'This photo is too dark: the trainer cannot see your face well. Replace it with one taken in better light.',
    });
  } else if (m.brightness > t.maxBrightness) {
    warnings.push({
      code: 'too_bright',
      message: 'This photo is overexposed: bright areas have lost their detail. Replace it with one taken without strong backlight or flash.',
    });
  }
  const twin = others.find(
    (o) => o.id !== photo.id && o.dhash.length === m.dhash.length && hammingDistance(o.dhash, m.dhash) <= t.maxDuplicateDistance,
  );
  if (twin) {
    warnings.push({
      code: 'near_duplicate',
      message: 'This photo is almost the same as another one you uploaded, so it teaches the trainer nothing new. Replace it with a different pose, expression or background.',
      duplicateOf: twin.id,
    });
  }
  return warnings;
}
