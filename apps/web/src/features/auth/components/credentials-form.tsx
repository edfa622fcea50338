import { useRef, useState, type FormEvent } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import type { Credentials, SessionResponse } from '@visiona/shared';
import { PASSWORD_MIN_LENGTH } from '@visiona/shared';
import { Alert, Button, InputField, PasswordField, RequestId } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { mapApiErrorToForm, type FieldErrors } from '@/lib/form-errors';
import {
  credentialFields,
  validateEmail,
  validateExistingPassword,
  validateNewPassword,
  validateSignIn,
  validateSignUp,
  type CredentialField,
} from '../utils/validate-credentials';

export type CredentialsFormMode = 'sign-in' | 'sign-up';

export interface CredentialsFormProps {
  mode: CredentialsFormMode;
  mutation: UseMutationResult<SessionResponse, Error, Credentials>;
}

const labels: Record<CredentialField, string> = { email: 'Email', password: 'Password' };

const copy = {
  'sign-in': { submit: 'Sign in', pending: 'Signing in…', passwordAutocomplete: 'current-password' },
  'sign-up': { submit: 'Create account', pending: 'Creating your account…', passwordAutocomplete: 'new-password' },
} as const;

/** When a rate-limited person may try again, in words. */
function retryAfterText(seconds: number | null): string | null {
  if (seconds === null) return null;
  if (seconds <= 1) return 'You can try again now.';
  if (seconds < 60) return `You can try again in ${seconds} seconds.`;
  const minutes = Math.ceil(seconds / 60);
  return `You can try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/** The email-and-password form behind both sign-in and sign-up. */
export function CredentialsForm({ mode, mutation }: CredentialsFormProps) {
  const [values, setValues] = useState<Record<CredentialField, string>>({ email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors<CredentialField>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const text = copy[mode];
  const validate = mode === 'sign-up' ? validateSignUp : validateSignIn;
  const validatePassword = mode === 'sign-up' ? validateNewPassword : validateExistingPassword;

  const refs = { email: emailRef, password: passwordRef } as const;

  function focusFirstInvalid(fieldErrors: FieldErrors<CredentialField>): boolean {
    const first = credentialFields.find((field) => fieldErrors[field]);
    if (!first) return false;
    refs[first].current?.focus();
    return true;
  }

  function onChange(field: CredentialField, value: string) {
    setValues((prev) => ({ ...prev, [field]: value }));
    // Once a message is showing, keep it honest as the person types.
    if (errors[field]) {
      const message = field === 'email' ? validateEmail(value) : validatePassword(value);
      setErrors((prev) => ({ ...prev, [field]: message }));
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (mutation.isPending) return;
    setFormError(null);
    const clientErrors = validate(values);
    setErrors(clientErrors);
    if (focusFirstInvalid(clientErrors)) return;

    mutation.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onError: (error) => {
          const { fieldErrors, formError: rest } = mapApiErrorToForm(error, credentialFields, labels);
          if (error instanceof ApiError && mode === 'sign-up' && error.statusCode === 409) {
            // "An account with this email already exists. Sign in instead." says more than the detail.
            fieldErrors.email = error.message;
            setErrors(fieldErrors);
            setFormError(null);
            emailRef.current?.focus();
            return;
          }
          setErrors(fieldErrors);
          setFormError(rest);
          if (rest) {
            // Wait for the alert to render, then move focus to it so it is read out.
            requestAnimationFrame(() => alertRef.current?.focus());
          } else {
            focusFirstInvalid(fieldErrors);
          }
        },
      },
    );
  }

  const showReference = formError !== null && (formError.kind !== 'http' || formError.statusCode >= 500);

  return (
    <form className="stack stack--md" onSubmit={onSubmit} noValidate aria-describedby={formError ? 'credentials-form-error' : undefined}>
      {formError ? (
        <Alert tone="danger" role="alert" ref={alertRef} focusable className="form-alert">
          <p id="credentials-form-error">
            {formError.message}
            {formError.statusCode === 429 && !/try again/i.test(formError.message)
              ? ` ${retryAfterText(formError.retryAfterSeconds) ?? 'Wait a moment, then try again.'}`
              : null}
          </p>
          {showReference ? <RequestId id={formError.requestId} /> : null}
        </Alert>
      ) : null}

      <InputField
        ref={emailRef}
        label="Email"
        name="email"
        type="email"
        inputMode="email"
        autoComplete={mode === 'sign-up' ? 'email' : 'username'}
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        autoFocus
        required
        value={values.email}
        onChange={(e) => onChange('email', e.target.value)}
        error={errors.email}
      />

      <PasswordField
        ref={passwordRef}
        label="Password"
        name="password"
        autoComplete={text.passwordAutocomplete}
        required
        value={values.password}
        onChange={(e) => onChange('password', e.target.value)}
        error={errors.password}
        hint={mode === 'sign-up' ? `At least ${PASSWORD_MIN_LENGTH} characters. A short sentence is easy to remember.` : undefined}
      />

      <Button type="submit" block size="lg" isLoading={mutation.isPending} loadingText={text.pending}>
        {text.submit}
      </Button>
    </form>
  );
}
