import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for sensitive columns (Replicate model and version ids, Stripe
 * customer ids): AES-256-GCM with a random 96-bit nonce, the key id in the value so
 * keys can rotate (docs/decisions/0020).
 *
 *   enc:v1:<key id>:<nonce b64url>:<ciphertext b64url>:<tag b64url>
 *
 * The first key encrypts; every configured key decrypts. A column that must be found
 * by value (the Stripe customer of a webhook) also keeps a blind index: an HMAC
 * under a key derived from the encryption key, looked up under every configured
 * key, and rewritten with the active key by the `encryption.rewrap` job.
 */

export interface ColumnKey {
  /** Short and stable: letters, digits, `_` and `-`. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface ColumnCipher {
  readonly activeKeyId: string;
  encrypt(plaintext: string): string;
  /** Values written before encryption existed are returned as they are. */
  decrypt(stored: string): string;
  decryptNullable(stored: string | null): string | null;
  /** The blind index of a value under the active key. */
  index(plaintext: string): string;
  /** The blind index under every configured key, for lookups during a rotation. */
  indexes(plaintext: string): string[];
  /** True when the value is not encrypted with the active key (a rotation rewrites it). */
  isStale(stored: string): boolean;
}

const PREFIX = 'enc:v1:';
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class ColumnCipherError extends Error {}

export function createColumnCipher(keys: ColumnKey[]): ColumnCipher {
  if (keys.length === 0) throw new ColumnCipherError('at least one encryption key is needed');
  const byId = new Map<string, { key: Buffer; indexKey: Buffer }>();
  for (const k of keys) {
    if (!KEY_ID.test(k.id)) throw new ColumnCipherError(`encryption key id "${k.id}" must be 1-32 letters, digits, _ or -`);
    if (k.key.length !== 32) throw new ColumnCipherError(`encryption key "${k.id}" must be 32 bytes`);
    if (byId.has(k.id)) throw new ColumnCipherError(`encryption key id "${k.id}" appears twice`);
    // Separate keys for encrypting and for the blind index, both from the configured one.
    const indexKey = Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'visiona blind index v1', 32));
    byId.set(k.id, { key: k.key, indexKey });
  }
  const active = keys[0]!;
  const activeEntry = byId.get(active.id)!;
  const hmac = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest('base64url');

  const cipher: ColumnCipher = {
    activeKeyId: active.id,
    encrypt(plaintext) {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', active.key, nonce);
      // The key id is authenticated too: a value cannot be moved under another key's name.
      c.setAAD(Buffer.from(active.id, 'utf8'));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return `${PREFIX}${active.id}:${nonce.toString('base64url')}:${body.toString('base64url')}:${c.getAuthTag().toString('base64url')}`;
    },
    decrypt(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [id, nonce, body, tag] = stored.slice(PREFIX.length).split(':');
      const entry = id === undefined ? undefined : byId.get(id);
      if (!entry || nonce === undefined || body === undefined || tag === undefined) {
        throw new ColumnCipherError(`a value is encrypted with key "${id}", which is not configured (ENCRYPTION_KEYS)`);
      }
      const d = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(nonce, 'base64url'));
      d.setAAD(Buffer.from(id!, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
      } catch {
        throw new ColumnCipherError(`a value encrypted with key "${id}" does not authenticate: wrong key or altered data`);
      }
    },
    decryptNullable: (stored) => (stored === null ? null : cipher.decrypt(stored)),
    index: (plaintext) => hmac(activeEntry.indexKey, plaintext),
    indexes: (plaintext) => [...byId.values()].map((e) => hmac(e.indexKey, plaintext)),
    isStale: (stored) => !stored.startsWith(`${PREFIX}${active.id}:`),
  };
  return cipher;
}

/** `ENCRYPTION_KEYS`: `id:base64key[,id:base64key…]`, the first one active. */
export function parseColumnKeys(raw: string): ColumnKey[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 1) throw new ColumnCipherError('each key is written id:base64 (e.g. 2026-11:…), separated by commas');
      const id = entry.slice(0, colon);
      const key = Buffer.from(entry.slice(colon + 1), entry.slice(colon + 1).includes('-') || entry.slice(colon + 1).includes('_') ? 'base64url' : 'base64');
      if (!KEY_ID.test(id)) throw new ColumnCipherError(`key id "${id}" must be 1-32 letters, digits, _ or -`);
      if (key.length !== 32) throw new ColumnCipherError(`key "${id}" must be 32 bytes of base64 (openssl rand -base64 32)`);
      return { id, key };
    });
}

/** A key for a process with nowhere to keep one (tests); its values die with it. */
export const ephemeralColumnKey = (): ColumnKey => ({ id: 'ephemeral', key: randomBytes(32) });
