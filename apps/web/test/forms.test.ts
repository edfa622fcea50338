import { PASSWORD_MIN_LENGTH } from '@visiona/shared';
import { describe, expect, it } from 'vitest';
import { REDIRECT_PARAM, safeRedirectTarget, signInPath } from '@/config/paths';
import {
  validateEmail,
  validateNewPassword,
  validateSignIn,
  validateSignUp,
} from '@/features/auth/utils/validate-credentials';
import { ApiError } from '@/lib/api-client';
import { fieldNameOf, humanizeFieldMessage, mapApiErrorToForm } from '@/lib/form-errors';

const fields = ['email', 'password'] as const;

function validationError(details: Array<{ field: string; message: string }>) {
  return new ApiError({ kind: 'http', statusCode: 400, error: 'Bad Request', message: 'Some fields are not valid.', details });
}

describe('credential validation', () => {
  it('asks for an email, then a valid one', () => {
    expect(validateEmail('')).toBe('Enter your email address.');
    expect(validateEmail('   ')).toBe('Enter your email address.');
    expect(validateEmail('name')).toMatch(/valid email/);
    expect(validateEmail('name@host')).toMatch(/valid email/);
    expect(validateEmail('na me@example.com')).toMatch(/valid email/);
    expect(validateEmail(' name@example.com ')).toBeUndefined();
    expect(validateEmail(`${'a'.repeat(250)}@example.com`)).toMatch(/at most 254/);
  });

  it('enforces the shared password length on sign-up only', () => {
    const short = 'x'.repeat(PASSWORD_MIN_LENGTH - 1);
    expect(validateNewPassword(short)).toBe(`Use at least ${PASSWORD_MIN_LENGTH} characters for your password.`);
    expect(validateNewPassword('x'.repeat(PASSWORD_MIN_LENGTH))).toBeUndefined();
    expect(validateSignUp({ email: 'a@example.com', password: short })).toEqual({
      password: `Use at least ${PASSWORD_MIN_LENGTH} characters for your password.`,
    });
    // Signing in only says a password is too short to be anyone's; whether it is right is the server's call.
    expect(validateSignIn({ email: 'a@example.com', password: short })).toEqual({
      password: `Visiona passwords have at least ${PASSWORD_MIN_LENGTH} characters.`,
    });
    expect(validateSignIn({ email: 'a@example.com', password: 'x'.repeat(PASSWORD_MIN_LENGTH) })).toEqual({});
    expect(validateSignIn({ email: '', password: '' })).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });
});

describe('mapping API errors onto form fields', () => {
  it('understands the usual spellings of a field path', () => {
    expect(fieldNameOf('body.email')).toBe('email');
    expect(fieldNameOf('/body/password')).toBe('password');
    expect(fieldNameOf('email')).toBe('email');
  });

  it('puts each detail next to its field and nothing above the form when all matched', () => {
    const result = mapApiErrorToForm(
      validationError([
        { field: 'body.email', message: 'Must be an email address.' },
        { field: '/body/password', message: 'Must be at least 10 characters.' },
      ]),
      fields,
    );
    expect(result.fieldErrors).toEqual({ email: 'Must be an email address.', password: 'Must be at least 10 characters.' });
    expect(result.formError).toBeNull();
  });

  it('turns API fragments into sentences next to the field', () => {
    const result = mapApiErrorToForm(
      validationError([
        { field: 'body.email', message: 'is already registered' },
        { field: 'body.password', message: 'Too weak.' },
      ]),
      fields,
      { email: 'Email', password: 'Password' },
    );
    expect(result.fieldErrors).toEqual({ email: 'Email is already registered.', password: 'Too weak.' });
    expect(humanizeFieldMessage('Email', '')).toBe('Email is not valid.');
  });

  it('keeps the error for the form when a detail names an unknown field', () => {
    const error = validationError([
      { field: 'body.email', message: 'Must be an email address.' },
      { field: 'body.nickname', message: 'Not allowed.' },
    ]);
    const result = mapApiErrorToForm(error, fields);
    expect(result.fieldErrors).toEqual({ email: 'Must be an email address.' });
    expect(result.formError).toBe(error);
  });

  it('keeps errors without details for the form (401, 429, 5xx)', () => {
    const error = new ApiError({ kind: 'http', statusCode: 401, error: 'Unauthorized', message: 'Email or password is incorrect.' });
    expect(mapApiErrorToForm(error, fields)).toEqual({ fieldErrors: {}, formError: error });
  });

  it('wraps non-API errors in a readable form error', () => {
    const result = mapApiErrorToForm(new TypeError('x is undefined'), fields);
    expect(result.formError).toBeInstanceOf(ApiError);
    expect(result.formError?.message).toMatch(/Reload the page/);
  });
});

describe('redirects after sign-in', () => {
  it('only follows same-app paths', () => {
    expect(safeRedirectTarget('/photos?x=1')).toBe('/photos?x=1');
    expect(safeRedirectTarget('https://evil.example')).toBe('/');
    expect(safeRedirectTarget('//evil.example')).toBe('/');
    expect(safeRedirectTarget('/\\evil.example')).toBe('/');
    expect(safeRedirectTarget('/sign-in')).toBe('/');
    expect(safeRedirectTarget(null)).toBe('/');
  });

  it('remembers where the person was going, except for the home page', () => {
    expect(signInPath('/')).toBe('/sign-in');
    expect(signInPath('/gallery')).toBe(`/sign-in?${REDIRECT_PARAM}=%2Fgallery`);
  });
});
