/** What happened when the app tried to copy: copied, or only selected for the person to copy. */
export type CopyOutcome = 'copied' | 'selected';

function selectContents(element: HTMLElement): void {
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
    element.focus();
    element.select();
    return;
  }
  const selection = window.getSelection();
  if (!selection) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Copies text with the Clipboard API. Where that is missing or refused (plain http, an old
 * browser, a denied permission), selects `fallback`'s text instead and tries the legacy copy
 * command; if even that fails the text stays selected for Ctrl+C / ⌘C.
 */
export async function copyText(text: string, fallback?: HTMLElement | null): Promise<CopyOutcome> {
  try {
    if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch {
    // Fall through to selecting the text.
  }
  if (!fallback) return 'selected';
  selectContents(fallback);
  try {
    // Deprecated, but still the only synchronous copy that works without the Clipboard API.
    return document.execCommand('copy') ? 'copied' : 'selected';
  } catch {
    return 'selected';
  }
}

/** Announced after a copy attempt. */
export function copyAnnouncement(outcome: CopyOutcome, what: string): string {
  if (outcome === 'copied') return `Copied ${what} to the clipboard.`;
  const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  return `Couldn't copy automatically. The ${what} is selected: press ${isMac ? '⌘C' : 'Ctrl+C'} to copy it.`;
}
