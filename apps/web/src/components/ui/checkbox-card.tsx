import type { InputHTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';

export interface CheckboxCardProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'id' | 'className'> {
  id: string;
  label: ReactNode;
  description: ReactNode;
  className?: string;
}

/** A checkbox with its label and a description, in a card that toggles it wherever it is clicked. */
export function CheckboxCard({ id, label, description, className, ...input }: CheckboxCardProps) {
  const descriptionId = `${id}-description`;
  return (
    <div className={cx('checkbox-card', className)}>
      <input id={id} type="checkbox" className="checkbox-card__input" aria-describedby={descriptionId} {...input} />
      <div className="checkbox-card__text">
        {/* The label's hit area covers the whole card (see .checkbox-card__label::after). */}
        <label htmlFor={id} className="checkbox-card__label">
          {label}
        </label>
        <p className="checkbox-card__description" id={descriptionId}>
          {description}
        </p>
      </div>
    </div>
  );
}
