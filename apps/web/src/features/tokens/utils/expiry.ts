/** Where a token stands with its expiry date. */
export type ExpiryStatus =
  | { kind: 'never' }
  | { kind: 'active'; at: string }
  | { kind: 'expired'; at: string };

/** `expiresAt` from the API (null: never expires) against the current time. */
export function expiryStatus(expiresAt: string | null, now = Date.now()): ExpiryStatus {
  if (expiresAt === null) return { kind: 'never' };
  const time = Date.parse(expiresAt);
  // An unreadable date is shown as it came; it is not treated as expired.
  if (Number.isNaN(time)) return { kind: 'active', at: expiresAt };
  return time <= now ? { kind: 'expired', at: expiresAt } : { kind: 'active', at: expiresAt };
}

/** The date a token created now would stop working, for the form's hint (the server has the final word). */
export function expiryDateFromNow(days: number, now = Date.now()): Date {
  return new Date(now + days * 24 * 60 * 60 * 1000);
}
