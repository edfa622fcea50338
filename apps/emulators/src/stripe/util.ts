import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(length: number): string {
  // 248 = 4 * 62: rejecting bytes at or above it keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/** Stripe-looking object ids: `cus_QXg1o8vcGmoR32` (short) or `sub_1Pgc6rB7WZ01zgkWNy0Cn5nw` (long). */
export function newId(prefix: string, kind: 'short' | 'long' = 'long'): string {
  return kind === 'short' ? `${prefix}_${base62(14)}` : `${prefix}_1${base62(23)}`;
}

/** `cs_test_a1…`: Checkout Session ids are long and carry the mode. */
export function newCheckoutSessionId(): string {
  return `cs_test_a1${base62(56)}`;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Unix seconds, as every Stripe timestamp. */
export function unixSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * `anchor` plus `months` calendar months, keeping the anchor's day of month where the target
 * month has it and its last day otherwise (Jan 31 → Feb 28 → Mar 31), as Stripe bills.
 */
export function addMonths(anchorSeconds: number, months: number): number {
  const a = new Date(anchorSeconds * 1000);
  const y = a.getUTCFullYear();
  const m = a.getUTCMonth() + months;
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const day = Math.min(a.getUTCDate(), daysInMonth(ty, tm));
  return Date.UTC(ty, tm, day, a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds()) / 1000;
}

export function monthsPerInterval(interval: 'month' | 'year'): number {
  return interval === 'year' ? 12 : 1;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : undefined;
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value (the objects here hold only JSON data). */
export function cloneJson<T>(v: T): T {
  return structuredClone(v);
}

/** An absolute `http:` or `https:` URL. */
export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
