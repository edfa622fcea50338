import { ERRORS } from './errors.ts';

/** Bucket names: the real server's character class, minus anything unsafe for a path. */
const BUCKET_RE = /^[A-Za-z0-9_.\-!*'() &$@=;:+,?]+$/;

export function assertBucketName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 100 || !BUCKET_RE.test(name)) {
    throw ERRORS.invalidBucketName();
  }
  if (name === '.' || name === '..' || name.includes('/')) throw ERRORS.invalidBucketName();
  return name;
}

/**
 * Object keys: refuse traversal (`..` segments), absolute paths, NUL / control characters,
 * backslashes and empty segments. Keys never become filesystem paths (the store hashes
 * them), so this is defence in depth plus the real API's InvalidKey behaviour.
 */
export function assertObjectKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) throw ERRORS.invalidKey(String(key));
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw ERRORS.invalidKey(key);
  if (key.startsWith('/')) throw ERRORS.invalidKey(key);
  const segments = key.split('/');
  for (const seg of segments) {
    if (seg === '..' || seg === '.') throw ERRORS.invalidKey(key);
  }
  // a trailing slash or `a//b` would create an empty segment
  if (segments.some((s, i) => s === '' && i !== segments.length - 1) || key.endsWith('/')) throw ERRORS.invalidKey(key);
  return key;
}

/** "100MB" / "20kb" / 1000 → bytes; null/undefined → null. */
export function parseFileSizeLimit(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw ERRORS.invalidFileSizeLimit();
    return v;
  }
  if (typeof v === 'string') {
    const m = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(v.trim());
    if (!m || m[1] === undefined || m[2] === undefined) throw ERRORS.invalidFileSizeLimit();
    const mult: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
    return Math.floor(Number(m[1]) * (mult[m[2].toLowerCase()] ?? 1));
  }
  throw ERRORS.invalidFileSizeLimit();
}

export function mimeAllowed(allowed: string[] | null, mime: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const base = (mime.split(';')[0] ?? '').trim().toLowerCase();
  return allowed.some((a) => {
    const pat = a.trim().toLowerCase();
    if (pat.endsWith('/*')) return base.startsWith(pat.slice(0, -1));
    return pat === base;
  });
}
