import type { ReactNode } from 'react';
import { Button } from './button';
import { cx } from './cx';
import { Icon, type IconName } from './icon';
import { RequestId } from './request-id';

/** The parts of an error this component can show; an ApiError fits. */
export interface DisplayableError {
  message: string;
  requestId?: string | null;
}

export interface ErrorStateProps {
  title?: ReactNode;
  error: DisplayableError | null | undefined;
  onRetry?: () => void;
  isRetrying?: boolean;
  icon?: IconName;
  level?: 2 | 3;
  className?: string;
}

/** What went wrong, the reference to quote, and a way to try again. */
export function ErrorState({
  title = 'Something went wrong',
  error,
  onRetry,
  isRetrying = false,
  icon = 'alert',
  level = 2,
  className,
}: ErrorStateProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div className={cx('error-state', className)} role="alert">
      <span className="error-state__icon">
        <Icon name={icon} size={24} />
      </span>
      <Heading className="error-state__title">{title}</Heading>
      <p className="error-state__message">{error?.message ?? 'An unexpected error occurred.'}</p>
      <RequestId id={error?.requestId} />
      {onRetry ? (
        <Button variant="secondary" onClick={onRetry} isLoading={isRetrying} loadingText="Retrying…" icon={<Icon name="refresh" size={16} />}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
