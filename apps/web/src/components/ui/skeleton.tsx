import { Fragment, type CSSProperties, type ReactNode } from 'react';
import { cx } from './cx';

export interface SkeletonProps {
  width?: CSSProperties['width'];
  height?: CSSProperties['height'];
  radius?: CSSProperties['borderRadius'];
  className?: string;
}

/** A grey placeholder shaped like content that is on its way. Hidden from screen readers. */
export function Skeleton({ width = '100%', height = '1em', radius, className }: SkeletonProps) {
  return <span className={cx('skeleton', className)} style={{ width, height, borderRadius: radius }} aria-hidden="true" />;
}

/** Several lines of text-shaped placeholders. */
export function SkeletonText({ lines = 3, className }: { lines?: number; className?: string }) {
  return (
    <span className={cx('skeleton-text', className)} aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} width={i === lines - 1 && lines > 1 ? '60%' : '100%'} />
      ))}
    </span>
  );
}

export interface SkeletonListProps {
  /** What screen readers hear instead of the placeholders, e.g. "Loading your models". */
  label: string;
  /** The class of the real list, so the placeholders take its layout. */
  className: string;
  rows: number;
  /** One placeholder row (an `li`), repeated `rows` times. */
  children: ReactNode;
}

/** A list that is on its way: placeholder rows, and a status message for screen readers. */
export function SkeletonList({ label, className, rows, children }: SkeletonListProps) {
  return (
    <div aria-busy="true">
      <p className="sr-only" role="status">
        {label}
      </p>
      <ul className={className} aria-hidden="true">
        {Array.from({ length: rows }, (_, i) => (
          <Fragment key={i}>{children}</Fragment>
        ))}
      </ul>
    </div>
  );
}
