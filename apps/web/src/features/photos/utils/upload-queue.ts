import type { UploadLimits } from '@visiona/shared';
import { ApiError } from '@/lib/api-client';
import { checkFile, type FileLike, type UploadKind } from './file-checks';

/** Each file (or zip) is its own request; at most this many run at once. */
export const MAX_CONCURRENT_UPLOADS = 3;

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed';

export interface UploadFailure {
  message: string;
  /** Quote this to support (only for failures the server answered). */
  requestId: string | null;
  /** Whether sending the same file again may work (no answer, a 5xx, rate limiting, a full quota). */
  retryable: boolean;
}

export interface UploadItem {
  id: string;
  name: string;
  size: number;
  kind: UploadKind;
  status: UploadStatus;
  /** Bytes sent so far, and of how many (the request, a little more than the file). */
  loaded: number;
  total: number;
  error: UploadFailure | null;
  /** After success: photos stored (a zip holds several) and how many came back with warnings. */
  photoCount: number;
  warningCount: number;
}

export type UploadAction =
  | { type: 'add'; items: UploadItem[] }
  | { type: 'start'; id: string }
  | { type: 'progress'; id: string; loaded: number; total: number }
  | { type: 'succeed'; id: string; photoCount: number; warningCount: number }
  | { type: 'fail'; id: string; error: UploadFailure }
  | { type: 'retry'; id: string }
  | { type: 'remove'; id: string }
  | { type: 'clearFinished' }
  | { type: 'reset' };

function update(items: UploadItem[], id: string, change: (item: UploadItem) => UploadItem): UploadItem[] {
  return items.map((item) => (item.id === id ? change(item) : item));
}

export function uploadQueueReducer(items: UploadItem[], action: UploadAction): UploadItem[] {
  switch (action.type) {
    case 'add':
      return [...items, ...action.items];
    case 'start':
      return update(items, action.id, (item) =>
        item.status === 'queued' ? { ...item, status: 'uploading', loaded: 0, total: item.size, error: null } : item,
      );
    case 'progress':
      return update(items, action.id, (item) =>
        item.status === 'uploading' ? { ...item, loaded: action.loaded, total: action.total || item.total } : item,
      );
    case 'succeed':
      return update(items, action.id, (item) => ({
        ...item,
        status: 'done',
        loaded: item.total,
        error: null,
        photoCount: action.photoCount,
        warningCount: action.warningCount,
      }));
    case 'fail':
      return update(items, action.id, (item) => ({ ...item, status: 'failed', error: action.error }));
    case 'retry':
      return update(items, action.id, (item) =>
        item.status === 'failed' && item.error?.retryable ? { ...item, status: 'queued', loaded: 0, error: null } : item,
      );
    case 'remove':
      return items.filter((item) => item.id !== action.id);
    case 'clearFinished':
      return items.filter((item) => item.status === 'queued' || item.status === 'uploading');
    case 'reset':
      return [];
  }
}

/** Queue items for the files a person picked; files that cannot work fail at once, with the reason. */
export function createUploadItems(
  files: readonly FileLike[],
  limits: Pick<UploadLimits, 'acceptedFormats' | 'maxFileBytes' | 'maxRequestBytes'>,
  makeId: () => string,
): UploadItem[] {
  return files.map((file) => {
    const check = checkFile(file, limits);
    return {
      id: makeId(),
      name: file.name || 'Unnamed file',
      size: file.size,
      kind: check.kind ?? 'image',
      status: check.ok ? 'queued' : 'failed',
      loaded: 0,
      total: file.size,
      error: check.ok ? null : { message: check.message, requestId: null, retryable: false },
      photoCount: 0,
      warningCount: 0,
    };
  });
}

/** The queued items to start now, oldest first, so that no more than `limit` upload at once. */
export function nextUploads(items: readonly UploadItem[], limit = MAX_CONCURRENT_UPLOADS): UploadItem[] {
  const running = items.filter((item) => item.status === 'uploading').length;
  const room = Math.max(0, limit - running);
  return items.filter((item) => item.status === 'queued').slice(0, room);
}

/** 0–100 for the item's progress bar. */
export function uploadPercent(item: Pick<UploadItem, 'status' | 'loaded' | 'total'>): number {
  if (item.status === 'done') return 100;
  if (item.total <= 0) return 0;
  // The last bytes are sent before the server has stored and checked the photo: stop short of 100.
  return Math.min(99, Math.floor((item.loaded / item.total) * 100));
}

/** An upload's failure as the queue shows it. */
export function toUploadFailure(error: unknown): UploadFailure {
  if (error instanceof ApiError) {
    const retryable =
      error.kind !== 'http' || error.statusCode >= 500 || error.statusCode === 429 || error.statusCode === 408 || error.statusCode === 413;
    return { message: error.message, requestId: error.kind === 'http' ? error.requestId : null, retryable };
  }
  return { message: 'The upload failed unexpectedly. Try again.', requestId: null, retryable: true };
}

export interface QueueSummary {
  total: number;
  done: number;
  failed: number;
  /** Queued or uploading. */
  active: number;
  photosAdded: number;
  warnings: number;
}

export function summarizeQueue(items: readonly UploadItem[]): QueueSummary {
  const summary: QueueSummary = { total: items.length, done: 0, failed: 0, active: 0, photosAdded: 0, warnings: 0 };
  for (const item of items) {
    if (item.status === 'done') {
      summary.done++;
      summary.photosAdded += item.photoCount;
      summary.warnings += item.warningCount;
    } else if (item.status === 'failed') summary.failed++;
    else summary.active++;
  }
  return summary;
}

/** What the live region says once the queue has nothing left to send. */
export function queueOutcomeMessage(summary: QueueSummary): string {
  const parts: string[] = [];
  if (summary.photosAdded > 0) parts.push(`${summary.photosAdded} ${summary.photosAdded === 1 ? 'photo' : 'photos'} added.`);
  if (summary.warnings > 0) parts.push(`${summary.warnings} ${summary.warnings === 1 ? 'needs' : 'need'} a look: see the warnings.`);
  if (summary.failed > 0) parts.push(`${summary.failed} ${summary.failed === 1 ? 'upload' : 'uploads'} failed.`);
  return parts.join(' ');
}
