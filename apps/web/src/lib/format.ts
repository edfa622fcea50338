/** How values from the API are written out for people. Locale-aware, but never guesses data. */

/** "Free", "Pro Monthly": plan ids as words. */
export function formatPlan(plan: string): string {
  const trimmed = plan.trim();
  if (trimmed === '') return 'Unknown';
  return trimmed
    .split(/[\s_-]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** "0 credits", "1 credit", "12,500 credits". */
export function formatCredits(balance: number, locale?: string): string {
  const count = new Intl.NumberFormat(locale).format(balance);
  return `${count} ${balance === 1 ? 'credit' : 'credits'}`;
}

/** "November 25, 2026" (or the locale's equivalent). Unparseable input is returned as is. */
export function formatLongDate(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric' }).format(date);
}

/** "Nov 25, 2026". */
export function formatDate(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

/** "Nov 25, 2026, 2:03 PM". */
export function formatDateTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/**
 * "0 B", "812 KB", "38 MB", "1.4 GB". Units of 1024, as the server's limits are set
 * (25 MB is 25 × 1024 × 1024 bytes), so a limit reads as the round number it was set to.
 * One decimal below 10 of a unit, none above.
 */
export function formatBytes(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.9 KB would print as "1,024 KB": move up a unit instead.
  if (unit < BYTE_UNITS.length - 1 && Math.round(value) >= 1000) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** "1 photo", "12 photos". */
export function formatCount(count: number, singular: string, plural = `${singular}s`, locale?: string): string {
  return `${new Intl.NumberFormat(locale).format(count)} ${count === 1 ? singular : plural}`;
}

/**
 * Currencies whose Stripe amounts are not in hundredths. Stripe's list, not ISO 4217's:
 * Stripe counts ISK and HUF in hundredths although they have no minor unit in everyday use.
 */
const ZERO_DECIMAL_CURRENCIES = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL_CURRENCIES = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** A Stripe amount (in the currency's smallest unit, e.g. cents) in the currency's major unit. */
export function moneyFromMinorUnits(amount: number, currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL_CURRENCIES.has(code)) return amount;
  return amount / (THREE_DECIMAL_CURRENCIES.has(code) ? 1000 : 100);
}

export interface MoneyFormatOptions {
  /** "$9" rather than "$9.00" when the amount is whole (prices); payments keep their cents. */
  trimWhole?: boolean;
  locale?: string;
}

/** "$9.00", "€19", "¥1,200" from Stripe's smallest-unit amount and a currency code ("usd"). */
export function formatMoney(amountMinor: number, currency: string, { trimWhole = false, locale }: MoneyFormatOptions = {}): string {
  const value = moneyFromMinorUnits(amountMinor, currency);
  const whole = Number.isInteger(value);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      ...(trimWhole && whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {}),
    }).format(value);
  } catch {
    // Not a currency code Intl knows: still say the amount and what it is in.
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: whole && trimWhole ? 0 : 2, maximumFractionDigits: 3 }).format(value)} ${currency.toUpperCase()}`;
  }
}
