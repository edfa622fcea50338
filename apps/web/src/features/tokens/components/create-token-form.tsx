import { useId, useRef, useState, type FormEvent } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import {
  TOKEN_SCOPES,
  TOKEN_SCOPE_DESCRIPTIONS,
  type CreateTokenRequest,
  type CreatedApiToken,
  type TokenScopeName,
} from '@visiona/shared';
import { Alert, Button, Card, CardHeader, CheckboxCard, CheckboxGroup, Icon, InputField, RequestId, SelectField, cx } from '@/components/ui';
import type { ApiError } from '@/lib/api-client';
import { formatDate } from '@/lib/format';
import { mapApiErrorToForm, type FieldErrors } from '@/lib/form-errors';
import { expiryDateFromNow } from '../utils/expiry';
import {
  EXPIRY_CHOICES,
  NEVER_EXPIRES,
  initialTokenFormValues,
  toCreateTokenRequest,
  toggleScope,
  tokenFieldLabels,
  tokenFields,
  validateTokenForm,
  validateTokenName,
  validateTokenScopes,
  type ExpiryChoice,
  type TokenField,
  type TokenFormValues,
} from '../utils/token-form';

export interface CreateTokenFormProps {
  mutation: UseMutationResult<CreatedApiToken, Error, CreateTokenRequest>;
}

function isExpiryChoice(value: string): value is ExpiryChoice {
  return EXPIRY_CHOICES.some((choice) => choice.value === value);
}

function expiryHint(expiry: ExpiryChoice): string {
  if (expiry === NEVER_EXPIRES) return 'The token works until you revoke it. Prefer an expiry for anything you might forget.';
  return `The token stops working around ${formatDate(expiryDateFromNow(Number(expiry)).toISOString())}.`;
}

/** Name, scopes and expiry of a new token; validation next to each field, the API's answers too. */
export function CreateTokenForm({ mutation }: CreateTokenFormProps) {
  const [values, setValues] = useState<TokenFormValues>(initialTokenFormValues);
  const [errors, setErrors] = useState<FieldErrors<TokenField>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const scopesRef = useRef<HTMLFieldSetElement>(null);
  const expiryRef = useRef<HTMLSelectElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const scopesId = useId();

  function focusField(field: TokenField) {
    if (field === 'name') nameRef.current?.focus();
    else if (field === 'scopes') scopesRef.current?.querySelector<HTMLInputElement>('input')?.focus();
    else expiryRef.current?.focus();
  }

  function focusFirstInvalid(fieldErrors: FieldErrors<TokenField>): boolean {
    const first = tokenFields.find((field) => fieldErrors[field]);
    if (!first) return false;
    focusField(first);
    return true;
  }

  function setName(name: string) {
    setValues((prev) => ({ ...prev, name }));
    if (errors.name) setErrors((prev) => ({ ...prev, name: validateTokenName(name) }));
  }

  function setScope(scope: TokenScopeName, checked: boolean) {
    const scopes = toggleScope(values.scopes, scope, checked);
    setValues((prev) => ({ ...prev, scopes }));
    if (errors.scopes) setErrors((prev) => ({ ...prev, scopes: validateTokenScopes(scopes) }));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (mutation.isPending) return;
    setFormError(null);
    const clientErrors = validateTokenForm(values);
    setErrors(clientErrors);
    if (focusFirstInvalid(clientErrors)) return;

    mutation.mutate(toCreateTokenRequest(values), {
      onError: (error) => {
        const { fieldErrors, formError: rest } = mapApiErrorToForm(error, tokenFields, tokenFieldLabels);
        setErrors(fieldErrors);
        setFormError(rest);
        if (rest) requestAnimationFrame(() => alertRef.current?.focus());
        else focusFirstInvalid(fieldErrors);
      },
      // On success the reveal panel replaces this form, which comes back empty after Done.
    });
  }

  const showReference = formError !== null && (formError.kind !== 'http' || formError.statusCode >= 500);

  return (
    <Card aria-labelledby="create-token-title">
      <CardHeader
        id="create-token-title"
        level={3}
        title="Create a token"
        description="Give each program its own token, with only the scopes it needs, so you can revoke one without breaking the others."
      />
      <form
        className="stack stack--md"
        onSubmit={onSubmit}
        noValidate
        aria-labelledby="create-token-title"
        aria-describedby={formError ? 'create-token-error' : undefined}
      >
        {formError ? (
          <Alert tone="danger" role="alert" ref={alertRef} focusable className="form-alert">
            <p id="create-token-error">{formError.message}</p>
            {showReference ? <RequestId id={formError.requestId} /> : null}
          </Alert>
        ) : null}

        <div className="form-row token-form__row">
          <InputField
            ref={nameRef}
            className="token-form__name"
            label="Name"
            name="name"
            autoComplete="off"
            required
            value={values.name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            hint="What the token is for, such as “Nightly backup” or “Home automation”."
          />
          <SelectField
            ref={expiryRef}
            className="token-form__expiry"
            label="Expires after"
            name="expiresInDays"
            options={EXPIRY_CHOICES}
            value={values.expiry}
            onChange={(e) => {
              const expiry = e.target.value;
              if (isExpiryChoice(expiry)) setValues((prev) => ({ ...prev, expiry }));
            }}
            error={errors.expiresInDays}
            hint={expiryHint(values.expiry)}
          />
        </div>

        <CheckboxGroup
          ref={scopesRef}
          legend="Scopes"
          hint={<>What the token may do. <code>read</code> is enough to look things up.</>}
          error={errors.scopes}
        >
          <div className="scopes__grid">
            {TOKEN_SCOPES.map((scope) => {
              const checked = values.scopes.includes(scope);
              return (
                <CheckboxCard
                  key={scope}
                  id={`${scopesId}-${scope}`}
                  className={cx('scope-option', checked && 'scope-option--checked')}
                  label={scope}
                  description={TOKEN_SCOPE_DESCRIPTIONS[scope]}
                  name="scopes"
                  value={scope}
                  checked={checked}
                  onChange={(e) => setScope(scope, e.target.checked)}
                />
              );
            })}
          </div>
        </CheckboxGroup>

        <div>
          <Button type="submit" isLoading={mutation.isPending} loadingText="Creating token…" icon={<Icon name="key" size={16} />}>
            Create token
          </Button>
        </div>
      </form>
    </Card>
  );
}
