import type { PhotoList, UploadLimits } from '@visiona/shared';
import { formatBytes, formatCount } from '@/lib/format';

export interface PhotosSummary {
  /** "12 photos · 38 MB of 500 MB · at least 10 needed to train" */
  line: string;
  countText: string;
  storageText: string;
  requirementText: string;
  /** Photos still missing before a training can start (0 when there are enough). */
  missing: number;
  readyToTrain: boolean;
  /** 0–100: how much of the storage quota is used. */
  storagePercent: number;
  /** Photos that can still be added before reaching the limit. */
  remainingSlots: number;
}

export function summarizePhotos(
  list: Pick<PhotoList, 'count' | 'totalBytes'>,
  limits: Pick<UploadLimits, 'maxTotalBytes' | 'maxPhotos'>,
  minPhotos: number,
): PhotosSummary {
  const countText = formatCount(list.count, 'photo');
  const storageText = `${formatBytes(list.totalBytes)} of ${formatBytes(limits.maxTotalBytes)}`;
  const requirementText = `at least ${minPhotos} needed to train`;
  const missing = Math.max(0, minPhotos - list.count);
  return {
    line: `${countText} · ${storageText} · ${requirementText}`,
    countText,
    storageText,
    requirementText,
    missing,
    readyToTrain: missing === 0,
    storagePercent: limits.maxTotalBytes > 0 ? Math.min(100, (list.totalBytes / limits.maxTotalBytes) * 100) : 0,
    remainingSlots: Math.max(0, limits.maxPhotos - list.count),
  };
}

/**
 * Keeps the signed URLs a photo already has while they stay valid for at least half as long as
 * the new ones, so a refetch does not make every thumbnail download again.
 */
export function keepFreshUrls(previous: PhotoList | undefined, next: PhotoList, now = Date.now()): PhotoList {
  if (!previous) return next;
  const old = new Map(previous.items.map((photo) => [photo.id, photo]));
  let changed = false;
  const items = next.items.map((photo) => {
    const before = old.get(photo.id);
    if (!before || before.url === photo.url) return photo;
    const oldLeft = Date.parse(before.urlExpiresAt) - now;
    const newLeft = Date.parse(photo.urlExpiresAt) - now;
    if (!(oldLeft > 0) || !(oldLeft >= newLeft / 2)) return photo;
    changed = true;
    return { ...photo, url: before.url, thumbnailUrl: before.thumbnailUrl, urlExpiresAt: before.urlExpiresAt };
  });
  return changed ? { ...next, items } : next;
}

/** How long until the list's signed URLs should be renewed (a minute before the first expires, or sooner for short-lived ones). */
export function msUntilUrlRefresh(list: Pick<PhotoList, 'items'> | undefined, now = Date.now()): number | null {
  if (!list || list.items.length === 0) return null;
  let earliest = Number.POSITIVE_INFINITY;
  for (const photo of list.items) {
    const at = Date.parse(photo.urlExpiresAt);
    if (Number.isFinite(at)) earliest = Math.min(earliest, at);
  }
  if (!Number.isFinite(earliest)) return null;
  const left = earliest - now;
  const margin = Math.min(60_000, Math.max(1000, left / 5));
  return Math.max(1000, left - margin);
}
