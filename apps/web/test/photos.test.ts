import type { Photo, PhotoList, UploadLimits } from '@visiona/shared';
import { describe, expect, it } from 'vitest';
import { acceptAttribute, checkFile, formatNames, uploadKindOf } from '@/features/photos/utils/file-checks';
import { countPhotosWithWarnings, warningLabel } from '@/features/photos/utils/photo-warnings';
import { keepFreshUrls, msUntilUrlRefresh, summarizePhotos } from '@/features/photos/utils/photo-summary';
import {
  createUploadItems,
  nextUploads,
  queueOutcomeMessage,
  summarizeQueue,
  toUploadFailure,
  uploadPercent,
  uploadQueueReducer,
  type UploadItem,
} from '@/features/photos/utils/upload-queue';
import { ApiError } from '@/lib/api-client';
import { formatBytes, formatCount } from '@/lib/format';

const MB = 1024 * 1024;
const limits: UploadLimits = {
  maxPhotos: 50,
  maxFileBytes: 25 * MB,
  maxRequestBytes: 250 * MB,
  maxTotalBytes: 500 * MB,
  maxZipEntries: 100,
  maxPixels: 50_000_000,
  minRecommendedSide: 512,
  acceptedFormats: ['jpeg', 'png', 'webp', 'heic', 'avif', 'tiff'],
};

const file = (name: string, size = 1000, type = '') => ({ name, size, type });

function ids() {
  let n = 0;
  return () => `u${++n}`;
}

function queueOf(count: number): UploadItem[] {
  return createUploadItems(
    Array.from({ length: count }, (_, i) => file(`photo-${i + 1}.jpg`, 2000, 'image/jpeg')),
    limits,
    ids(),
  );
}

describe('formatting sizes and counts', () => {
  it('writes bytes in units of 1024 (as the limits are set), one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(-5)).toBe('0 B');
    expect(formatBytes(999, 'en-US')).toBe('999 B');
    expect(formatBytes(1500, 'en-US')).toBe('1.5 KB');
    expect(formatBytes(38 * MB, 'en-US')).toBe('38 MB');
    expect(formatBytes(500 * MB, 'en-US')).toBe('500 MB');
    expect(formatBytes(2.25 * 1024 * MB, 'en-US')).toBe('2.3 GB');
    expect(formatBytes(250 * 1024, 'en-US')).toBe('250 KB');
    // Never "1,023 KB".
    expect(formatBytes(1023 * 1024, 'en-US')).toBe('1 MB');
  });

  it('pluralises counts', () => {
    expect(formatCount(1, 'photo', undefined, 'en-US')).toBe('1 photo');
    expect(formatCount(12, 'photo', undefined, 'en-US')).toBe('12 photos');
    expect(formatCount(0, 'photo', undefined, 'en-US')).toBe('0 photos');
  });
});

describe('checking files before upload', () => {
  it('tells images from zips by extension or type, and refuses the rest', () => {
    expect(uploadKindOf(file('IMG_2041.JPG'), limits.acceptedFormats)).toBe('image');
    expect(uploadKindOf(file('me.heic'), limits.acceptedFormats)).toBe('image');
    expect(uploadKindOf(file('photo', 10, 'image/png'), limits.acceptedFormats)).toBe('image');
    expect(uploadKindOf(file('set.zip'), limits.acceptedFormats)).toBe('zip');
    expect(uploadKindOf(file('set', 10, 'application/x-zip-compressed'), limits.acceptedFormats)).toBe('zip');
    expect(uploadKindOf(file('notes.pdf', 10, 'application/pdf'), limits.acceptedFormats)).toBeNull();
    expect(uploadKindOf(file('anim.gif', 10, 'image/gif'), limits.acceptedFormats)).toBeNull();
    // Only the formats this server accepts.
    expect(uploadKindOf(file('me.heic'), ['jpeg', 'png'])).toBeNull();
  });

  it('lets a PDF named .jpg through: the server reads the bytes and answers 415', () => {
    expect(checkFile(file('passport.jpg', 5000, 'image/jpeg'), limits)).toEqual({ ok: true, kind: 'image' });
  });

  it('refuses empty, oversized and unsupported files with a reason', () => {
    expect(checkFile(file('a.jpg', 0), limits)).toEqual({ ok: false, kind: 'image', message: 'This file is empty.' });
    const big = checkFile(file('big.jpg', 31 * MB), limits);
    expect(big.ok).toBe(false);
    expect(!big.ok && big.message).toBe('This photo is 31 MB; each photo can be at most 25 MB.');
    const bigZip = checkFile(file('all.zip', 300 * MB), limits);
    expect(!bigZip.ok && bigZip.message).toBe('This zip is 300 MB; a zip can be at most 250 MB.');
    // A 30 MB zip is fine even though a 30 MB photo is not.
    expect(checkFile(file('all.zip', 30 * MB), limits).ok).toBe(true);
    const pdf = checkFile(file('cv.pdf', 10, 'application/pdf'), limits);
    expect(!pdf.ok && pdf.message).toBe('This is not a photo Visiona can use. Upload JPEG, PNG, WebP, HEIC, AVIF or TIFF images, or a .zip of them.');
  });

  it('builds the file input accept list from the server formats', () => {
    const accept = acceptAttribute(['jpeg', 'heic']).split(',');
    expect(accept).toEqual(expect.arrayContaining(['image/jpeg', '.jpg', '.jpeg', 'image/heic', '.heic', '.heif', 'application/zip', '.zip']));
    expect(accept).not.toContain('image/png');
    expect(formatNames(['jpeg'])).toBe('JPEG');
    expect(formatNames(['jpeg', 'png'])).toBe('JPEG or PNG');
  });
});

describe('the upload queue', () => {
  it('queues good files and fails bad ones at once, not retryable', () => {
    const items = createUploadItems([file('a.jpg', 10), file('b.pdf', 10, 'application/pdf'), file('c.zip', 10)], limits, ids());
    expect(items.map((item) => [item.id, item.kind, item.status])).toEqual([
      ['u1', 'image', 'queued'],
      ['u2', 'image', 'failed'],
      ['u3', 'zip', 'queued'],
    ]);
    expect(items[1]?.error?.retryable).toBe(false);
  });

  it('runs at most three uploads at once, oldest first', () => {
    let items = queueOf(5);
    const first = nextUploads(items);
    expect(first.map((item) => item.id)).toEqual(['u1', 'u2', 'u3']);
    for (const item of first) items = uploadQueueReducer(items, { type: 'start', id: item.id });
    expect(nextUploads(items)).toEqual([]);
    items = uploadQueueReducer(items, { type: 'succeed', id: 'u2', photoCount: 1, warningCount: 0 });
    expect(nextUploads(items).map((item) => item.id)).toEqual(['u4']);
    items = uploadQueueReducer(items, { type: 'fail', id: 'u1', error: { message: 'x', requestId: null, retryable: true } });
    expect(nextUploads(items).map((item) => item.id)).toEqual(['u4', 'u5']);
    expect(nextUploads(items, 1)).toEqual([]);
  });

  it('tracks progress, stopping short of 100% until the server has answered', () => {
    let items = queueOf(1);
    items = uploadQueueReducer(items, { type: 'start', id: 'u1' });
    items = uploadQueueReducer(items, { type: 'progress', id: 'u1', loaded: 1000, total: 4000 });
    expect(uploadPercent(items[0]!)).toBe(25);
    items = uploadQueueReducer(items, { type: 'progress', id: 'u1', loaded: 4000, total: 4000 });
    expect(uploadPercent(items[0]!)).toBe(99);
    items = uploadQueueReducer(items, { type: 'succeed', id: 'u1', photoCount: 1, warningCount: 1 });
    expect(uploadPercent(items[0]!)).toBe(100);
    expect(items[0]).toMatchObject({ status: 'done', photoCount: 1, warningCount: 1 });
    // Progress after the end changes nothing.
    expect(uploadQueueReducer(items, { type: 'progress', id: 'u1', loaded: 1, total: 2 })[0]).toEqual(items[0]);
  });

  it('retries only failures that may work the second time', () => {
    let items = queueOf(2);
    items = uploadQueueReducer(items, { type: 'start', id: 'u1' });
    items = uploadQueueReducer(items, { type: 'start', id: 'u2' });
    items = uploadQueueReducer(items, { type: 'fail', id: 'u1', error: { message: 'offline', requestId: null, retryable: true } });
    items = uploadQueueReducer(items, { type: 'fail', id: 'u2', error: { message: 'not an image', requestId: 'r', retryable: false } });
    items = uploadQueueReducer(items, { type: 'retry', id: 'u1' });
    items = uploadQueueReducer(items, { type: 'retry', id: 'u2' });
    expect(items.map((item) => item.status)).toEqual(['queued', 'failed']);
    expect(items[0]?.error).toBeNull();
  });

  it('clears what is finished and keeps what is still going', () => {
    let items = queueOf(4);
    items = uploadQueueReducer(items, { type: 'start', id: 'u1' });
    items = uploadQueueReducer(items, { type: 'succeed', id: 'u1', photoCount: 1, warningCount: 0 });
    items = uploadQueueReducer(items, { type: 'start', id: 'u2' });
    items = uploadQueueReducer(items, { type: 'fail', id: 'u2', error: { message: 'x', requestId: null, retryable: true } });
    items = uploadQueueReducer(items, { type: 'start', id: 'u3' });
    expect(uploadQueueReducer(items, { type: 'clearFinished' }).map((item) => item.id)).toEqual(['u3', 'u4']);
    expect(uploadQueueReducer(items, { type: 'remove', id: 'u3' }).map((item) => item.id)).toEqual(['u1', 'u2', 'u4']);
    expect(uploadQueueReducer(items, { type: 'reset' })).toEqual([]);
  });

  it('sums up the queue and says how it went', () => {
    let items = createUploadItems([file('a.jpg'), file('b.zip'), file('c.jpg'), file('d.jpg')], limits, ids());
    items = uploadQueueReducer(items, { type: 'succeed', id: 'u1', photoCount: 1, warningCount: 1 });
    items = uploadQueueReducer(items, { type: 'succeed', id: 'u2', photoCount: 12, warningCount: 2 });
    items = uploadQueueReducer(items, { type: 'fail', id: 'u3', error: { message: 'x', requestId: null, retryable: false } });
    const summary = summarizeQueue(items);
    expect(summary).toEqual({ total: 4, done: 2, failed: 1, active: 1, photosAdded: 13, warnings: 3 });
    expect(queueOutcomeMessage(summary)).toBe('13 photos added. 3 need a look: see the warnings. 1 upload failed.');
    expect(queueOutcomeMessage({ ...summary, photosAdded: 1, warnings: 0, failed: 0 })).toBe('1 photo added.');
  });

  it("keeps the API's message and decides what is worth retrying", () => {
    const http = (statusCode: number) =>
      new ApiError({ kind: 'http', statusCode, error: 'E', message: `status ${statusCode}`, requestId: `req-${statusCode}` });
    expect(toUploadFailure(http(415))).toEqual({ message: 'status 415', requestId: 'req-415', retryable: false });
    expect(toUploadFailure(http(422)).retryable).toBe(false);
    expect(toUploadFailure(http(400)).retryable).toBe(false);
    expect(toUploadFailure(http(413)).retryable).toBe(true); // a full quota frees up after deleting photos
    expect(toUploadFailure(http(429)).retryable).toBe(true);
    expect(toUploadFailure(http(503)).retryable).toBe(true);
    const offline = new ApiError({ kind: 'network', statusCode: 0, error: 'Network Error', message: 'offline' });
    expect(toUploadFailure(offline)).toEqual({ message: 'offline', requestId: null, retryable: true });
  });
});

function photo(id: string, over: Partial<Photo> = {}): Photo {
  return {
    id,
    originalName: `${id}.jpg`,
    sourceFormat: 'jpeg',
    width: 800,
    height: 600,
    byteSize: 100_000,
    warnings: [],
    thumbnailUrl: `https://storage/${id}/thumb?t=1`,
    url: `https://storage/${id}?t=1`,
    urlExpiresAt: '2030-01-01T00:10:00.000Z',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('the photos summary', () => {
  it('says how many photos, how much storage, and what training needs', () => {
    const summary = summarizePhotos({ count: 12, totalBytes: 38 * MB }, limits, 10);
    expect(summary.line).toBe('12 photos · 38 MB of 500 MB · at least 10 needed to train');
    expect(summary).toMatchObject({ missing: 0, readyToTrain: true, remainingSlots: 38 });
    expect(summary.storagePercent).toBeCloseTo(7.6);
    const few = summarizePhotos({ count: 1, totalBytes: 0 }, limits, 10);
    expect(few.line).toBe('1 photo · 0 B of 500 MB · at least 10 needed to train');
    expect(few).toMatchObject({ missing: 9, readyToTrain: false });
  });

  it('labels warnings and counts the photos that have them', () => {
    expect(warningLabel({ code: 'blurry' })).toBe('Blurry');
    expect(warningLabel({ code: 'near_duplicate' })).toBe('Near duplicate');
    expect(warningLabel({ code: 'new_check' as never })).toBe('Check this photo');
    const warned = photo('b', { warnings: [{ code: 'too_dark', message: 'Too dark.' }, { code: 'blurry', message: 'Blurry.' }] });
    expect(countPhotosWithWarnings([photo('a'), warned])).toBe(1);
  });
});

describe('signed URLs', () => {
  const now = Date.parse('2030-01-01T00:00:00.000Z');
  const list = (items: Photo[]): PhotoList => ({ items, count: items.length, totalBytes: 0 });

  it('keeps the URLs a thumbnail already loaded while they stay good', () => {
    const before = list([photo('a')]);
    const after = list([
      photo('a', { url: 'https://storage/a?t=2', thumbnailUrl: 'https://storage/a/thumb?t=2', urlExpiresAt: '2030-01-01T00:10:05.000Z' }),
      photo('new', { url: 'https://storage/new?t=2' }),
    ]);
    const merged = keepFreshUrls(before, after, now);
    expect(merged.items[0]?.url).toBe('https://storage/a?t=1');
    expect(merged.items[0]?.thumbnailUrl).toBe('https://storage/a/thumb?t=1');
    expect(merged.items[1]?.url).toBe('https://storage/new?t=2');
  });

  it('takes the new URLs once the old ones are about to expire', () => {
    const before = list([photo('a', { urlExpiresAt: '2030-01-01T00:00:30.000Z' })]);
    const after = list([photo('a', { url: 'https://storage/a?t=2', urlExpiresAt: '2030-01-01T00:10:30.000Z' })]);
    expect(keepFreshUrls(before, after, now).items[0]?.url).toBe('https://storage/a?t=2');
    expect(keepFreshUrls(undefined, after, now)).toBe(after);
  });

  it('refetches a minute before the first URL expires (sooner for short-lived ones)', () => {
    expect(msUntilUrlRefresh(list([photo('a'), photo('b', { urlExpiresAt: '2030-01-01T00:05:00.000Z' })]), now)).toBe(240_000);
    expect(msUntilUrlRefresh(list([photo('a', { urlExpiresAt: '2030-01-01T00:00:10.000Z' })]), now)).toBe(8000);
    expect(msUntilUrlRefresh(list([photo('a', { urlExpiresAt: '2029-12-31T00:00:00.000Z' })]), now)).toBe(1000);
    expect(msUntilUrlRefresh(list([]), now)).toBeNull();
    expect(msUntilUrlRefresh(undefined, now)).toBeNull();
  });
});
