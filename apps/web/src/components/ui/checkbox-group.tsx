import { useId, type ReactNode, type Ref } from 'react';
import { cx } from './cx';
import { FieldMessages } from './field';

export interface CheckboxGroupProps {
  legend: ReactNode;
  /** Under the legend, before the error: it explains the choices. */
  hint: ReactNode;
  error?: string | null | undefined;
  className?: string;
  ref?: Ref<HTMLFieldSetElement>;
  /** The checkboxes, in whatever layout suits them. */
  children: ReactNode;
}

/** A fieldset of checkboxes with its legend, hint and error, laid out like InputField. */
export function CheckboxGroup({ legend, hint, error, className, ref, children }: CheckboxGroupProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <fieldset
      ref={ref}
      className={cx('checkbox-group', error && 'checkbox-group--invalid', className)}
      aria-describedby={error ? `${errorId} ${hintId}` : hintId}
    >
      <legend className="field__label">{legend}</legend>
      <p className="field__hint" id={hintId}>
        {hint}
      </p>
      <FieldMessages error={error} errorId={errorId} />
      {children}
    </fieldset>
  );
}
