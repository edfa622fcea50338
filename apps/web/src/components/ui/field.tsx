import { useId, useState, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';
import { cx } from './cx';
import { Icon } from './icon';

export interface InputFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: ReactNode;
  /** Shown under the field and announced with it. */
  error?: string | null | undefined;
  hint?: ReactNode;
  id?: string;
  ref?: Ref<HTMLInputElement>;
  /** Rendered inside the field's right edge (e.g. a show-password toggle). */
  trailing?: ReactNode;
}

/** A field's error (announced with the control) and hint, shared by every field kind. */
export function FieldMessages(props: { error?: string | null | undefined; errorId?: string | undefined; hint?: ReactNode; hintId?: string | undefined }) {
  return (
    <>
      {props.error ? (
        <p className="field__error" id={props.errorId}>
          <Icon name="alert" size={16} />
          <span>{props.error}</span>
        </p>
      ) : null}
      {props.hint ? (
        <p className="field__hint" id={props.hintId}>
          {props.hint}
        </p>
      ) : null}
    </>
  );
}

/** An input with its label, an optional hint, and its error message next to it. */
export function InputField({ label, error, hint, id, trailing, className, required, ...rest }: InputFieldProps) {
  const autoId = useId();
  const inputId = id ?? `field-${autoId}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;

  return (
    <div className={cx('field', error && 'field--invalid', className)}>
      <label className="field__label" htmlFor={inputId}>
        {label}
        {required ? null : <span className="field__optional"> (optional)</span>}
      </label>
      <div className={cx('field__control', trailing ? 'field__control--trailing' : undefined)}>
        <input
          id={inputId}
          className="input"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          required={required}
          {...rest}
        />
        {trailing}
      </div>
      <FieldMessages error={error} errorId={errorId} hint={hint} hintId={hintId} />
    </div>
  );
}

export type PasswordFieldProps = Omit<InputFieldProps, 'type' | 'trailing'>;

/** A password input with a Show/Hide toggle. */
export function PasswordField(props: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const autoId = useId();
  const inputId = props.id ?? `password-${autoId}`;
  return (
    <InputField
      {...props}
      id={inputId}
      type={visible ? 'text' : 'password'}
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      trailing={
        <button
          type="button"
          className="field__toggle"
          aria-controls={inputId}
          aria-pressed={visible}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? 'Hide' : 'Show'}
          <span className="sr-only"> password</span>
        </button>
      }
    />
  );
}
