import { useId, type ReactNode, type Ref, type TextareaHTMLAttributes } from 'react';
import { cx } from './cx';
import { FieldMessages } from './field';

export interface TextareaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: ReactNode;
  /** Extra text next to the label, e.g. "(optional)" or a badge. */
  labelAside?: ReactNode;
  error?: string | null | undefined;
  hint?: ReactNode;
  /** A line under the box, before the hint: a character count, buttons. Give it an id to describe the box with. */
  footer?: ReactNode;
  /** Ids of elements inside `footer` that describe the box (a count). */
  footerDescribedBy?: string;
  id?: string;
  ref?: Ref<HTMLTextAreaElement>;
}

/** A multi-line text box with its label, a footer line, its hint and its error, laid out like InputField. */
export function TextareaField({ label, labelAside, error, hint, footer, footerDescribedBy, id, className, ...rest }: TextareaFieldProps) {
  const autoId = useId();
  const inputId = id ?? `textarea-${autoId}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [errorId, footerDescribedBy, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cx('field', error && 'field--invalid', className)}>
      <div className="field__label-row">
        <label className="field__label" htmlFor={inputId}>
          {label}
        </label>
        {labelAside}
      </div>
      <textarea id={inputId} className="input textarea" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
      {footer ? <div className="field__footer">{footer}</div> : null}
      <FieldMessages error={error} errorId={errorId} hint={hint} hintId={hintId} />
    </div>
  );
}
