import { TOKEN_NAME_MAX_LENGTH, TOKEN_SCOPES } from '@visiona/shared';
import { describe, expect, it } from 'vitest';
import { withoutSecret } from '@/features/tokens/api/create-token';
import { apiBaseForScripts, curlExample, shellQuote } from '@/features/tokens/utils/curl-example';
import { expiryDateFromNow, expiryStatus } from '@/features/tokens/utils/expiry';
import {
  EXPIRY_CHOICES,
  initialTokenFormValues,
  toCreateTokenRequest,
  toggleScope,
  tokenFieldLabels,
  tokenFields,
  validateTokenForm,
} from '@/features/tokens/utils/token-form';
import { ApiError } from '@/lib/api-client';
import { formatCredits, formatPlan } from '@/lib/format';
import { knownFieldOf, mapApiErrorToForm } from '@/lib/form-errors';

const TOKEN = 'vsk_3fA9xY2qZ7bC1dE4fG5hJ6kL8mN0pQ2rS4tU6v';

describe('the curl example', () => {
  it('is a ready-to-run GET /api/v1/me with the token as a bearer header', () => {
    expect(curlExample(TOKEN, 'https://visiona.example')).toBe(
      `curl -H "Authorization: Bearer ${TOKEN}" https://visiona.example/api/v1/me`,
    );
    expect(curlExample(TOKEN, 'http://127.0.0.1:5173/')).toBe(
      `curl -H "Authorization: Bearer ${TOKEN}" http://127.0.0.1:5173/api/v1/me`,
    );
  });

  it('uses the page origin unless VITE_API_URL points elsewhere', () => {
    expect(apiBaseForScripts('', 'https://app.visiona.example')).toBe('https://app.visiona.example');
    expect(apiBaseForScripts('https://api.visiona.example/', 'https://app.visiona.example')).toBe(
      'https://api.visiona.example',
    );
    // A relative base is relative to the page.
    expect(apiBaseForScripts('/visiona', 'https://app.visiona.example')).toBe('https://app.visiona.example/visiona');
  });

  it('quotes what a shell would otherwise interpret', () => {
    expect(shellQuote('https://a.example/api/v1/me')).toBe('https://a.example/api/v1/me');
    expect(shellQuote('https://a.example/x?y=1&z=2')).toBe(`'https://a.example/x?y=1&z=2'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    // A token with unexpected characters cannot break out of its quotes.
    expect(curlExample('a"$(rm -rf ~)', 'https://a.example')).toBe(
      `curl -H 'Authorization: Bearer a"$(rm -rf ~)' https://a.example/api/v1/me`,
    );
  });
});

describe('token expiry', () => {
  const now = Date.parse('2030-06-15T12:00:00Z');

  it('tells never, still valid and expired apart', () => {
    expect(expiryStatus(null, now)).toEqual({ kind: 'never' });
    expect(expiryStatus('2030-06-16T00:00:00Z', now)).toEqual({ kind: 'active', at: '2030-06-16T00:00:00Z' });
    expect(expiryStatus('2030-06-15T11:59:59Z', now)).toEqual({ kind: 'expired', at: '2030-06-15T11:59:59Z' });
    // Expiring exactly now is expired: the API stops accepting it at that instant.
    expect(expiryStatus('2030-06-15T12:00:00Z', now).kind).toBe('expired');
    expect(expiryStatus('not a date', now)).toEqual({ kind: 'active', at: 'not a date' });
  });

  it('computes the hint date from the chosen number of days', () => {
    expect(expiryDateFromNow(30, now).toISOString()).toBe('2030-07-15T12:00:00.000Z');
  });
});

describe('the create-token form', () => {
  it('starts with a name to fill in, the read scope and a 30-day expiry', () => {
    expect(initialTokenFormValues()).toEqual({ name: '', scopes: ['read'], expiry: '30' });
    expect(EXPIRY_CHOICES.map((c) => c.value)).toEqual(['7', '30', '90', '365', 'never']);
  });

  it('asks for a name and at least one scope', () => {
    expect(validateTokenForm({ name: '  ', scopes: [], expiry: '30' })).toEqual({
      name: 'Give the token a name, so you can tell it apart later.',
      scopes: 'Choose at least one scope.',
    });
    expect(validateTokenForm({ name: 'x'.repeat(TOKEN_NAME_MAX_LENGTH + 1), scopes: ['read'], expiry: '30' }).name).toMatch(
      /at most 100/,
    );
    expect(validateTokenForm({ name: 'Backup', scopes: ['read'], expiry: 'never' })).toEqual({});
  });

  it('keeps scopes unique and in the canonical order', () => {
    let scopes = toggleScope(['read'], 'tokens', true);
    scopes = toggleScope(scopes, 'photos', true);
    scopes = toggleScope(scopes, 'photos', true);
    expect(scopes).toEqual(['read', 'photos', 'tokens']);
    expect(toggleScope(scopes, 'read', false)).toEqual(['photos', 'tokens']);
    expect(toggleScope([...TOKEN_SCOPES], 'account', false)).toHaveLength(TOKEN_SCOPES.length - 1);
  });

  it('builds the request body, leaving expiresInDays out for "never"', () => {
    expect(toCreateTokenRequest({ name: ' CI ', scopes: ['generate', 'read'], expiry: '90' })).toEqual({
      name: 'CI',
      scopes: ['read', 'generate'],
      expiresInDays: 90,
    });
    const never = toCreateTokenRequest({ name: 'Forever', scopes: ['read'], expiry: 'never' });
    expect(never).toEqual({ name: 'Forever', scopes: ['read'] });
    expect('expiresInDays' in never).toBe(false);
  });

  it('puts the API’s field details next to the right field, array items included', () => {
    const error = new ApiError({
      kind: 'http',
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid request.',
      details: [
        { field: 'body.scopes.1', message: 'must be equal to one of the allowed values' },
        { field: 'body.expiresInDays', message: 'must be <= 365' },
        { field: 'body.name', message: 'must NOT have more than 100 characters' },
      ],
    });
    const { fieldErrors, formError } = mapApiErrorToForm(error, tokenFields, tokenFieldLabels);
    expect(fieldErrors).toEqual({
      scopes: 'Scopes must be equal to one of the allowed values.',
      expiresInDays: 'Expiry must be <= 365.',
      name: 'Name must NOT have more than 100 characters.',
    });
    expect(formError).toBeNull();
    expect(knownFieldOf('/body/scopes/0', tokenFields)).toBe('scopes');
    expect(knownFieldOf('body.other', tokenFields)).toBeUndefined();
  });

  it('never lets the secret into the list', () => {
    const listed = withoutSecret({
      id: '00000000-0000-4000-8000-000000000001',
      name: 'CI',
      prefix: 'vsk_3fA9xY2q',
      scopes: ['read'],
      createdAt: '2030-01-01T00:00:00Z',
      lastUsedAt: null,
      expiresAt: null,
      token: TOKEN,
    });
    expect(listed).not.toHaveProperty('token');
    expect(JSON.stringify(listed)).not.toContain(TOKEN);
  });
});

describe('formatting', () => {
  it('writes credit balances in words', () => {
    expect(formatCredits(0, 'en-US')).toBe('0 credits');
    expect(formatCredits(1, 'en-US')).toBe('1 credit');
    expect(formatCredits(12500, 'en-US')).toBe('12,500 credits');
  });

  it('writes plan ids as words', () => {
    expect(formatPlan('free')).toBe('Free');
    expect(formatPlan('pro_monthly')).toBe('Pro Monthly');
    expect(formatPlan(' ')).toBe('Unknown');
  });
});
