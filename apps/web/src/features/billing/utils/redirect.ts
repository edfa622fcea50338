/**
 * Whether an address from the API may be opened as the whole page: Stripe's checkout and portal
 * are web pages, so anything but http(s) (a `javascript:` URL) is refused rather than followed.
 */
export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
