import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks verification (Replicate signs this way). The SDK's
 * `validateWebhook` neither checks the timestamp nor compares in constant time,
 * so Visiona verifies itself: HMAC-SHA256 over `${id}.${timestamp}.${body}`
 * with the base64 key after `whsec_`, a ±5 minute window, constant-time compare.
 */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export interface VerifiedWebhook {
  id: string;
  timestamp: number;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | null {
  const v = headers[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The webhook's id and timestamp when the signature is valid and fresh, else null. */
export function verifyStandardWebhook(secret: string, rawBody: string, headers: Headers, nowMs: number): VerifiedWebhook | null {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !ts || !signatures || id.length > 200 || !/^\d{1,12}$/.test(ts)) return null;
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) return null;
  const expected = Buffer.from(signStandardWebhook(secret, id, timestamp, rawBody).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, sig] = candidate.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    const given = Buffer.from(sig, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, timestamp };
  }
  return null;
}
