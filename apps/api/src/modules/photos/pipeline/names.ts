const MAX_NAME_LENGTH = 200;

/**
 * A file or zip-entry name made safe to display: the last path segment only,
 * without control or bidirectional-override characters, at most 200 characters.
 */
export function sanitizeName(name: string, fallback = 'photo'): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '').trim();
  const chars = Array.from(clean);
  return chars.length === 0 ? fallback : chars.slice(0, MAX_NAME_LENGTH).join('');
}

/** A zip entry's whole path, cleaned for use in a message (it may be unsafe, that is why it is shown). */
export function describeEntry(name: string): string {
  const clean = name.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '');
  const chars = Array.from(clean);
  return chars.length > MAX_NAME_LENGTH ? `${chars.slice(0, MAX_NAME_LENGTH).join('')}…` : clean;
}
