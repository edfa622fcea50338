import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@visiona/shared';
import type { FieldErrors } from '@/lib/form-errors';

export type CredentialField = 'email' | 'password';
export const credentialFields = ['email', 'password'] as const satisfies readonly CredentialField[];

export const EMAIL_MAX_LENGTH = 254;

// Deliberately loose: one @, something before it, a dot in the domain, no spaces.
// The API has the final word and its message lands next to the field.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function validateEmail(raw: string): string | undefined {
  const email = raw.trim();
  if (email === '') return 'Enter your email address.';
  if (email.length > EMAIL_MAX_LENGTH) return `Email addresses can be at most ${EMAIL_MAX_LENGTH} characters long.`;
  if (!EMAIL_PATTERN.test(email)) return 'Enter a valid email address, like name@example.com.';
  return undefined;
}

/** Rules for a new password (sign-up). */
export function validateNewPassword(password: string): string | undefined {
  if (password === '') return 'Choose a password.';
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters for your password.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Passwords can be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  return undefined;
}

/**
 * Rules for an existing password (sign-in): the server decides whether it is right, but a
 * password shorter than any Visiona password can be is not worth a round trip.
 */
export function validateExistingPassword(password: string): string | undefined {
  if (password === '') return 'Enter your password.';
  if (password.length < PASSWORD_MIN_LENGTH) return `Visiona passwords have at least ${PASSWORD_MIN_LENGTH} characters.`;
  return undefined;
}

export function validateSignIn(values: Record<CredentialField, string>): FieldErrors<CredentialField> {
  return prune({ email: validateEmail(values.email), password: validateExistingPassword(values.password) });
}

export function validateSignUp(values: Record<CredentialField, string>): FieldErrors<CredentialField> {
  return prune({ email: validateEmail(values.email), password: validateNewPassword(values.password) });
}

function prune<F extends string>(errors: Partial<Record<F, string | undefined>>): FieldErrors<F> {
  const out: FieldErrors<F> = {};
  for (const [key, value] of Object.entries(errors) as Array<[F, string | undefined]>) {
    if (value) out[key] = value;
  }
  return out;
}
