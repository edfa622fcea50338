/** The last line of a (log-like) message, at most `max` characters, ending as a sentence. */
export function lastLineAsSentence(text: string, max: number): string {
  const line = text.trim().split('\n').at(-1)!.slice(0, max);
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
