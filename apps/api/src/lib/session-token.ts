import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens: `vss_<session id>.<32 random bytes>.<HMAC>`, all base64url.
 * The HMAC lets forged tokens be refused without a database read; the random
 * part is stored only as a SHA-256 hash, so a database leak yields no tokens;
 * the session row makes each token revocable at once.
 */
const PREFIX = 'vss_';

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

export function createSessionToken(key: Buffer, sessionId: string): { token: string; hash: string } {
  const payload = `${Buffer.from(sessionId.replaceAll('-', ''), 'hex').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  const token = `${PREFIX}${payload}.${sign(key, payload)}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The session id of a well-formed, correctly signed token, else null. */
export function readSessionToken(key: Buffer, token: string): string | null {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const parts = token.slice(PREFIX.length).split('.');
  if (parts.length !== 3) return null;
  const [id, secret, mac] = parts as [string, string, string];
  const expected = Buffer.from(sign(key, `${id}.${secret}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const hex = Buffer.from(id, 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isSessionToken(token: string): boolean {
  return token.startsWith(PREFIX);
}
