import {
  TOKEN_MAX_LIFETIME_DAYS,
  TOKEN_NAME_MAX_LENGTH,
  TOKEN_SCOPES,
  type CreateTokenRequest,
  type TokenScopeName,
} from '@visiona/shared';
import type { FieldErrors } from '@/lib/form-errors';
import { toggleInOrder } from '@/lib/toggle-in-order';

export type TokenField = 'name' | 'scopes' | 'expiresInDays';
export const tokenFields = ['name', 'scopes', 'expiresInDays'] as const satisfies readonly TokenField[];
export const tokenFieldLabels: Record<TokenField, string> = { name: 'Name', scopes: 'Scopes', expiresInDays: 'Expiry' };

export const NEVER_EXPIRES = 'never';
/** The choices of the expiry select: days, or never. */
export const EXPIRY_CHOICES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year (365 days)' },
  { value: NEVER_EXPIRES, label: 'Never' },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];
export const DEFAULT_EXPIRY: ExpiryChoice = '30';
export const DEFAULT_SCOPES: readonly TokenScopeName[] = ['read'];

export interface TokenFormValues {
  name: string;
  scopes: readonly TokenScopeName[];
  expiry: ExpiryChoice;
}

export function initialTokenFormValues(): TokenFormValues {
  return { name: '', scopes: [...DEFAULT_SCOPES], expiry: DEFAULT_EXPIRY };
}

export function validateTokenName(raw: string): string | undefined {
  const name = raw.trim();
  if (name === '') return 'Give the token a name, so you can tell it apart later.';
  if (name.length > TOKEN_NAME_MAX_LENGTH) return `Token names can be at most ${TOKEN_NAME_MAX_LENGTH} characters long.`;
  return undefined;
}

export function validateTokenScopes(scopes: readonly string[]): string | undefined {
  if (scopes.length === 0) return 'Choose at least one scope.';
  return undefined;
}

export function validateTokenForm(values: TokenFormValues): FieldErrors<TokenField> {
  const errors: FieldErrors<TokenField> = {};
  const name = validateTokenName(values.name);
  const scopes = validateTokenScopes(values.scopes);
  if (name) errors.name = name;
  if (scopes) errors.scopes = scopes;
  return errors;
}

/** Adds or removes a scope, keeping the order of TOKEN_SCOPES and no duplicates. */
export function toggleScope(scopes: readonly TokenScopeName[], scope: TokenScopeName, checked: boolean): TokenScopeName[] {
  return toggleInOrder(TOKEN_SCOPES, scopes, scope, checked);
}

/** The request body for POST /api/v1/tokens: `expiresInDays` is left out for a token that never expires. */
export function toCreateTokenRequest(values: TokenFormValues): CreateTokenRequest {
  const body: CreateTokenRequest = {
    name: values.name.trim(),
    scopes: TOKEN_SCOPES.filter((scope) => values.scopes.includes(scope)),
  };
  if (values.expiry !== NEVER_EXPIRES) {
    const days = Number(values.expiry);
    if (Number.isInteger(days) && days >= 1 && days <= TOKEN_MAX_LIFETIME_DAYS) body.expiresInDays = days;
  }
  return body;
}
