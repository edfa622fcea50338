/**
 * The absolute base URL a script should call: the configured API base (VITE_API_URL) when it
 * is absolute, resolved against the page's origin when it is relative or empty.
 */
export function apiBaseForScripts(configuredBase: string, pageOrigin: string): string {
  const base = configuredBase.trim();
  let resolved: string;
  try {
    resolved = new URL(base === '' ? '/' : base, pageOrigin).href;
  } catch {
    resolved = pageOrigin;
  }
  return resolved.replace(/\/+$/, '');
}

/** Quotes a word for POSIX shells when it has anything beyond plain URL characters. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./~-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command that works as pasted: the token's first call, `GET /api/v1/me`. */
export function curlExample(token: string, apiBase: string, path = '/api/v1/me'): string {
  const url = `${apiBase.replace(/\/+$/, '')}${path}`;
  const header = `Authorization: Bearer ${token}`;
  // Visiona tokens are letters, digits and `_`: safe in double quotes. Anything else is quoted strictly.
  const quotedHeader = /^[\w.-]*$/.test(token) ? `"${header}"` : shellQuote(header);
  return `curl -H ${quotedHeader} ${shellQuote(url)}`;
}
