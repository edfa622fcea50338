import { cx } from './cx';

export interface ProgressBarProps {
  /** 0–100; null while the amount is not known yet (an indeterminate, moving bar). */
  value: number | null;
  /** The accessible name, e.g. "Uploading IMG_2041.jpg". */
  label?: string;
  /** Id of the element that names the bar, instead of `label`. */
  labelledBy?: string;
  /** What a screen reader says instead of the bare percentage, e.g. "42%, step 420 of 1,000". */
  valueText?: string;
  tone?: 'accent' | 'success' | 'danger';
  size?: 'sm' | 'md';
  className?: string;
}

/** A progress bar with the ARIA progressbar role and values. */
export function ProgressBar({ value, label, labelledBy, valueText, tone = 'accent', size = 'md', className }: ProgressBarProps) {
  const known = value !== null && Number.isFinite(value);
  const clamped = known ? Math.min(100, Math.max(0, value)) : 0;
  return (
    <div
      className={cx('progress', `progress--${tone}`, `progress--${size}`, !known && 'progress--indeterminate', className)}
      role="progressbar"
      aria-label={labelledBy ? undefined : label}
      aria-labelledby={labelledBy}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={known ? Math.round(clamped) : undefined}
      aria-valuetext={valueText}
    >
      <span className="progress__bar" style={known ? { width: `${clamped}%` } : undefined} />
    </div>
  );
}
