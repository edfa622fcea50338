import { createHash, randomBytes } from 'node:crypto';

/**
 * Personal API tokens: `vsk_` + 32 base62 characters of randomness (~190 bits) +
 * a 6-character base62 CRC32 checksum, so a typo or a truncated copy is refused
 * without a database read and secret scanners can recognise them.
 */
const PREFIX = 'vsk_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const API_TOKEN_LENGTH = PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
const DISPLAY_PREFIX_LENGTH = PREFIX.length + 8;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text)) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i += 1) {
    out = ALPHABET[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function generateApiToken(): { token: string; hash: string; prefix: string } {
  const body = randomBase62(BODY_LENGTH);
  const token = `${PREFIX}${body}${base62(crc32(body), CHECKSUM_LENGTH)}`;
  return { token, hash: hashApiToken(token), prefix: token.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export function isApiTokenShape(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** True when the token is well formed and its checksum matches. */
export function checkApiToken(token: string): boolean {
  if (token.length !== API_TOKEN_LENGTH || !token.startsWith(PREFIX)) return false;
  const body = token.slice(PREFIX.length, PREFIX.length + BODY_LENGTH);
  if (![...token.slice(PREFIX.length)].every((c) => ALPHABET.includes(c))) return false;
  return token.slice(-CHECKSUM_LENGTH) === base62(crc32(body), CHECKSUM_LENGTH);
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
