import type { FieldError } from '@visiona/shared';
import { ApiError } from './api-client';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/**
 * The form field an API `details[].field` points at. The API may name it as
 * `body.email`, `/body/email`, `body/email` or just `email`.
 */
export function fieldNameOf(path: string): string {
  const parts = path.split(/[./]/).filter((part) => part !== '');
  return parts.at(-1) ?? '';
}

/**
 * The known form field a detail path points at. Besides `body.email`, array items such as
 * `body.scopes.2` or `/body/scopes/2` belong to their array's field (`scopes`).
 */
export function knownFieldOf<F extends string>(path: string, fields: readonly F[]): F | undefined {
  const parts = path.split(/[./]/).filter((part) => part !== '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as F;
    if (fields.includes(part)) return part;
  }
  return undefined;
}

/**
 * API field messages are phrased to follow the field's name ("is required").
 * Next to a field they read better as a sentence: "Email is required."
 */
export function humanizeFieldMessage(label: string, message: string): string {
  const text = message.trim();
  if (text === '') return `${label} is not valid.`;
  const sentence = /^[a-z]/.test(text) ? `${label} ${text}` : text;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * Splits an API error into messages for known form fields and the rest,
 * which the form shows above its button.
 */
export function mapApiErrorToForm<F extends string>(
  error: unknown,
  fields: readonly F[],
  labels?: Record<F, string>,
): { fieldErrors: FieldErrors<F>; formError: ApiError | null } {
  if (!(error instanceof ApiError)) {
    return {
      fieldErrors: {},
      formError: new ApiError({
        kind: 'network',
        statusCode: 0,
        error: 'Error',
        message: 'Something went wrong in the app. Reload the page and try again.',
      }),
    };
  }
  const fieldErrors: FieldErrors<F> = {};
  const unmatched: FieldError[] = [];
  for (const detail of error.details) {
    const name = knownFieldOf(detail.field, fields);
    if (name !== undefined) {
      const key = name;
      fieldErrors[key] ??= labels ? humanizeFieldMessage(labels[key], detail.message) : detail.message;
    } else {
      unmatched.push(detail);
    }
  }
  const matchedAny = Object.keys(fieldErrors).length > 0;
  // When every problem sits next to its field, there is nothing more to say above the button.
  return { fieldErrors, formError: matchedAny && unmatched.length === 0 ? null : error };
}
