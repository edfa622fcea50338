import { createHmac, timingSafeEqual, createHash } from 'node:crypto';
import { ERRORS } from './errors.ts';

function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString('base64url');
}

export function deriveJwtSecret(serviceKey: string): string {
  return createHash('sha256').update(`visiona-storage-emulator:${serviceKey}`).digest('hex');
}

export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${sig}`;
}

/** Verifies an HS256 JWT; throws InvalidJWT with jsonwebtoken-style messages. */
export function verifyJwt(token: string, secret: string, now: Date): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw ERRORS.invalidJwt('jwt malformed');
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw ERRORS.invalidJwt('invalid token');
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'HS256') {
    throw ERRORS.invalidJwt('invalid algorithm');
  }
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw ERRORS.invalidJwt('invalid signature');
  }
  if (typeof payload !== 'object' || payload === null) throw ERRORS.invalidJwt('invalid token');
  const exp = (payload as { exp?: unknown }).exp;
  if (typeof exp === 'number' && Math.floor(now.getTime() / 1000) >= exp) {
    throw ERRORS.invalidJwt('jwt expired');
  }
  return payload as Record<string, unknown>;
}
