import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ColumnCipherError, createColumnCipher, parseColumnKeys } from './column-cipher.ts';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('column cipher (AES-256-GCM with key ids)', () => {
  it('round-trips, with a fresh nonce each time, and hides the value', () => {
    const c = createColumnCipher([k1]);
    const a = c.encrypt('cus_QX12345');
    const b = c.encrypt('cus_QX12345');
    expect(a).toMatch(/^enc:v1:k1:/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('QX12345');
    expect(c.decrypt(a)).toBe('cus_QX12345');
    expect(c.decrypt(b)).toBe('cus_QX12345');
    expect(c.decryptNullable(null)).toBeNull();
  });

  it('refuses an altered value, another key, and a value moved under another key id', () => {
    const c = createColumnCipher([k1]);
    const v = c.encrypt('visiona/visiona-lora-1');
    const parts = v.split(':');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0]! ^= 1;
    const altered = [...parts.slice(0, 4), body.toString('base64url'), parts[5]].join(':');
    expect(() => c.decrypt(altered)).toThrow(ColumnCipherError);
    expect(() => createColumnCipher([{ id: 'k1', key: randomBytes(32) }]).decrypt(v)).toThrow(/does not authenticate/);
    expect(() => createColumnCipher([k2]).decrypt(v)).toThrow(/key "k1", which is not configured/);
    // Same key bytes under another id: the id is authenticated data, so it fails.
    const renamed = v.replace('enc:v1:k1:', 'enc:v1:k3:');
    expect(() => createColumnCipher([{ id: 'k3', key: k1.key }]).decrypt(renamed)).toThrow(ColumnCipherError);
  });

  it('rotates: the first key encrypts, every key decrypts, blind indexes are looked up under all', () => {
    const old = createColumnCipher([k1]);
    const rotating = createColumnCipher([k2, k1]);
    const v = old.encrypt('cus_rotate');
    expect(rotating.decrypt(v)).toBe('cus_rotate');
    expect(rotating.isStale(v)).toBe(true);
    expect(rotating.isStale(rotating.encrypt('cus_rotate'))).toBe(false);
    expect(rotating.indexes('cus_rotate')).toContain(old.index('cus_rotate'));
    expect(rotating.index('cus_rotate')).not.toBe(old.index('cus_rotate'));
    expect(rotating.index('cus_rotate')).toBe(createColumnCipher([k2]).index('cus_rotate'));
    // Values from before encryption pass through untouched (the rewrap job encrypts them).
    expect(rotating.decrypt('cus_plain')).toBe('cus_plain');
  });

  it('parses ENCRYPTION_KEYS and says what is wrong', () => {
    const keys = parseColumnKeys(`new:${k2.key.toString('base64')}, old:${k1.key.toString('base64url')}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[1]!.key.equals(k1.key)).toBe(true);
    expect(() => parseColumnKeys('nocolon')).toThrow(/id:base64/);
    expect(() => parseColumnKeys(`k1:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => parseColumnKeys(`bad id!:${k1.key.toString('base64')}`)).toThrow(/key id/);
    expect(() => createColumnCipher([k1, { id: 'k1', key: k2.key }])).toThrow(/twice/);
  });
});
