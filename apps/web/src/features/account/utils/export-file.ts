/** Pure helpers for the data export download: what to call the file, and how much has arrived. */

const DOWNLOAD_UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/**
 * "0 KB", "812 KB", "12.4 MB", "1.2 GB": how much of the export has arrived. Units of 1024,
 * as formatBytes, moving up from 1,000 of a unit so no figure reads "1,024 KB"; one decimal
 * from MB up so the figure visibly moves while a large zip streams.
 */
export function formatDownloaded(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 KB';
  const digitsOf = (unit: number) => (unit === 0 ? 0 : 1);
  const rounded = (value: number, unit: number) => Number(value.toFixed(digitsOf(unit)));
  let value = bytes / 1024;
  let unit = 0;
  while (unit < DOWNLOAD_UNITS.length - 1 && rounded(value, unit) >= 1000) {
    value /= 1024;
    unit++;
  }
  const digits = digitsOf(unit);
  // Below one KB there is still something: say 1 KB rather than 0 KB.
  const shown = unit === 0 ? Math.max(1, value) : value;
  const text = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(shown);
  return `${text} ${DOWNLOAD_UNITS[unit]}`;
}

/** The name the server would give the export on `now`'s UTC day. */
export function defaultExportFilename(now: Date = new Date()): string {
  return `visiona-export-${now.toISOString().slice(0, 10)}.zip`;
}

/**
 * The file name from a Content-Disposition header (`attachment; filename="…"`), kept to a
 * plain name (no folders, no control characters). Null when absent or unusable; a cross-origin
 * API that does not expose the header reads as absent.
 */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  let name: string | null = null;
  if (star) {
    try {
      name = decodeURIComponent(star[1]!.trim());
    } catch {
      name = null;
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
    name = (plain?.[1] ?? plain?.[2] ?? '').trim();
  }
  // Only the last path segment; a name is never a place to write to.
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean && clean !== '.' && clean !== '..' ? clean : null;
}
