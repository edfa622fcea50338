import type { ReactNode, Ref } from 'react';
import { cx } from './cx';
import { Icon, type IconName } from './icon';

export type AlertTone = 'info' | 'success' | 'warning' | 'danger';

export interface AlertProps {
  tone?: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  /** `alert` interrupts screen readers (use for errors that just happened); `status` waits politely. */
  role?: 'alert' | 'status' | 'note';
  ref?: Ref<HTMLDivElement>;
  className?: string;
  /** Lets code move focus here (e.g. after a failed submit). */
  focusable?: boolean;
  /** Replaces the tone's icon (e.g. a spinner while something is under way). */
  icon?: ReactNode;
  /** Adds a close button; the caller hides the alert (and places focus) when it is pressed. */
  onDismiss?: () => void;
  /** The close button's accessible name. */
  dismissLabel?: string;
  'data-testid'?: string;
}

const icons: Record<AlertTone, IconName> = {
  info: 'info',
  success: 'check',
  warning: 'alert',
  danger: 'alert',
};

export function Alert({ tone = 'info', title, children, role, ref, className, focusable, icon, onDismiss, dismissLabel = 'Dismiss', ...rest }: AlertProps) {
  return (
    <div
      ref={ref}
      className={cx('alert', `alert--${tone}`, onDismiss && 'alert--dismissable', className)}
      role={role === 'note' ? 'note' : role}
      tabIndex={focusable ? -1 : undefined}
      data-testid={rest['data-testid']}
    >
      {icon ? <span className="alert__icon">{icon}</span> : <Icon name={icons[tone]} className="alert__icon" />}
      <div className="alert__body">
        {title ? <p className="alert__title">{title}</p> : null}
        {children ? <div className="alert__text">{children}</div> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="icon-button alert__dismiss" onClick={onDismiss}>
          <Icon name="close" size={16} />
          <span className="sr-only">{dismissLabel}</span>
        </button>
      ) : null}
    </div>
  );
}
