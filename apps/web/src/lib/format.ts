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
