import { describe, expect, it } from 'vitest';
import { confirmsEmail } from '@/features/account/utils/confirm-email';
import { defaultExportFilename, filenameFromDisposition, formatDownloaded } from '@/features/account/utils/export-file';

describe('formatDownloaded', () => {
  it('counts what has arrived in KB, then MB and GB with one decimal', () => {
    expect(formatDownloaded(0, 'en-US')).toBe('0 KB');
    expect(formatDownloaded(1, 'en-US')).toBe('1 KB');
    expect(formatDownloaded(812 * 1024, 'en-US')).toBe('812 KB');
    expect(formatDownloaded(1024 * 1024, 'en-US')).toBe('1.0 MB');
    expect(formatDownloaded(12.4 * 1024 * 1024, 'en-US')).toBe('12.4 MB');
    expect(formatDownloaded(1.25 * 1024 ** 3, 'en-US')).toBe('1.3 GB');
  });

  it('moves up a unit from 1,000, so no figure reads "1,024 KB"', () => {
    expect(formatDownloaded(999 * 1024, 'en-US')).toBe('999 KB');
    expect(formatDownloaded(1000 * 1024, 'en-US')).toBe('1.0 MB');
    expect(formatDownloaded(1023.5 * 1024, 'en-US')).toBe('1.0 MB');
    expect(formatDownloaded(1023.99 * 1024 * 1024, 'en-US')).toBe('1.0 GB');
  });

  it('reads nonsense as nothing yet', () => {
    expect(formatDownloaded(Number.NaN, 'en-US')).toBe('0 KB');
    expect(formatDownloaded(-5, 'en-US')).toBe('0 KB');
  });

  it('writes numbers the reader’s way', () => {
    expect(formatDownloaded(12.4 * 1024 * 1024, 'de-DE')).toBe('12,4 MB');
  });
});

describe('filenameFromDisposition', () => {
  it('takes the name the API gives the zip', () => {
    expect(filenameFromDisposition('attachment; filename="visiona-export-2026-11-25.zip"')).toBe('visiona-export-2026-11-25.zip');
    expect(filenameFromDisposition('attachment; filename=export.zip')).toBe('export.zip');
    expect(filenameFromDisposition("attachment; filename=\"x.zip\"; filename*=UTF-8''visiona%20export.zip")).toBe('visiona export.zip');
  });

  it('keeps only a plain file name, never a path', () => {
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameFromDisposition('attachment; filename="C:\\\\Users\\\\me\\\\x.zip"')).toBe('x.zip');
    expect(filenameFromDisposition('attachment; filename=".."')).toBeNull();
    expect(filenameFromDisposition('attachment; filename="a\u0000b.zip"')).toBe('ab.zip');
  });

  it('is null when there is no usable name (or the header is not exposed across origins)', () => {
    expect(filenameFromDisposition(null)).toBeNull();
    expect(filenameFromDisposition('attachment')).toBeNull();
    expect(filenameFromDisposition('attachment; filename=""')).toBeNull();
    expect(filenameFromDisposition("attachment; filename*=UTF-8''%E0%A4%A")).toBeNull();
  });
});

describe('defaultExportFilename', () => {
  it('names the zip after the UTC day, as the API does', () => {
    expect(defaultExportFilename(new Date('2026-11-25T23:30:00-05:00'))).toBe('visiona-export-2026-11-26.zip');
  });
});

describe('confirmsEmail', () => {
  it('accepts the account’s address in any case, with stray spaces around it', () => {
    expect(confirmsEmail('me@example.com', 'me@example.com')).toBe(true);
    expect(confirmsEmail('  ME@Example.COM ', 'me@example.com')).toBe(true);
  });

  it('refuses anything else: another address, part of it, nothing, or no account loaded', () => {
    expect(confirmsEmail('you@example.com', 'me@example.com')).toBe(false);
    expect(confirmsEmail('me@example.co', 'me@example.com')).toBe(false);
    expect(confirmsEmail('me@example.com.', 'me@example.com')).toBe(false);
    expect(confirmsEmail('m e@example.com', 'me@example.com')).toBe(false);
    expect(confirmsEmail('', 'me@example.com')).toBe(false);
    expect(confirmsEmail('   ', '')).toBe(false);
    expect(confirmsEmail('me@example.com', null)).toBe(false);
    expect(confirmsEmail('me@example.com', undefined)).toBe(false);
  });
});
