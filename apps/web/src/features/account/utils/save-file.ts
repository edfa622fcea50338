/**
 * Hands a blob to the browser as a download: a temporary object URL on a temporary
 * `<a download>`. The URL is released a minute later, not at once: some browsers read it
 * only after the click has returned.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
