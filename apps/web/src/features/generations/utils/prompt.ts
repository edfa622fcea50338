/** Helpers for the prompt box: the trigger word, presets, and the character count. */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `prompt` already contains the trigger word as a word of its own, exactly as the API
 * checks: case-sensitive (the model learned it as written), so "zxq_anna" and "ZXQ_ANNAS" do not
 * count. Without it the API puts it at the start ("ZXQ_ANNA, …").
 */
export function hasTriggerWord(prompt: string, triggerWord: string): boolean {
  const word = triggerWord.trim();
  if (word === '') return true;
  return new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(word)}(?![A-Za-z0-9_])`).test(prompt);
}

export interface InsertResult {
  value: string;
  /** Where the caret goes afterwards: just after the inserted word. */
  caret: number;
}

/**
 * Inserts the trigger word at the caret (replacing a selection), with a space on each side
 * where a word touches it. With no caret, it goes at the start, as "ZXQ_ANNA, …" reads naturally.
 */
export function insertTriggerWord(prompt: string, triggerWord: string, selectionStart?: number | null, selectionEnd?: number | null): InsertResult {
  const start = clampIndex(selectionStart ?? 0, prompt.length);
  const end = Math.max(start, clampIndex(selectionEnd ?? start, prompt.length));
  const before = prompt.slice(0, start);
  const after = prompt.slice(end);
  const spaceBefore = before !== '' && !/\s$/.test(before) ? ' ' : '';
  const spaceAfter = after === '' ? '' : /^[\s,.;:!?)]/.test(after) ? '' : ' ';
  const inserted = `${spaceBefore}${triggerWord}${spaceAfter}`;
  return { value: `${before}${inserted}${after}`, caret: before.length + spaceBefore.length + triggerWord.length };
}

function clampIndex(index: number, length: number): number {
  return Number.isFinite(index) ? Math.min(Math.max(0, Math.trunc(index)), length) : 0;
}

/** A preset's prompt with `{trigger}` replaced by the model's trigger word (every occurrence). */
export function fillPromptTemplate(template: string, triggerWord: string): string {
  return template.split('{trigger}').join(triggerWord).replace(/\s{2,}/g, ' ').trim();
}

export interface PromptLengthView {
  length: number;
  max: number;
  remaining: number;
  /** "123 / 1,000" */
  text: string;
  /** Past 90% of the limit: the count turns amber. */
  nearLimit: boolean;
  over: boolean;
  /** For screen readers, only near the limit: "12 characters left". */
  announcement: string | null;
}

/** The live count under the prompt box. Counts UTF-16 code units, as the API's maxLength does. */
export function describePromptLength(prompt: string, max: number, locale?: string): PromptLengthView {
  const number = new Intl.NumberFormat(locale);
  const length = prompt.length;
  const remaining = max - length;
  const over = remaining < 0;
  const nearLimit = !over && length >= max * 0.9;
  let announcement: string | null = null;
  if (over) announcement = `${number.format(-remaining)} ${-remaining === 1 ? 'character' : 'characters'} over the limit`;
  else if (nearLimit) announcement = `${number.format(remaining)} ${remaining === 1 ? 'character' : 'characters'} left`;
  return { length, max, remaining, text: `${number.format(length)} / ${number.format(max)}`, nearLimit, over, announcement };
}

/** Prompt problems found before sending; undefined when it can go. */
export function validatePrompt(prompt: string, max: number): string | undefined {
  if (prompt.trim() === '') return 'Describe the picture you want, for example “a portrait in a sunlit café”.';
  if (prompt.length > max) return `Prompts can be at most ${new Intl.NumberFormat('en-US').format(max)} characters long. Shorten it by ${prompt.length - max}.`;
  return undefined;
}

/** A prompt shortened for a card or an alt text, cut at a word boundary, with an ellipsis. */
export function shortenPrompt(prompt: string, max = 140): string {
  const text = prompt.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}
