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
}

const icons: Record<AlertTone, IconName> = {
  info: 'info',
  success: 'check',
  warning: 'alert',
  danger: 'alert',
};

export function Alert({ tone = 'info', title, children, role, ref, className, focusable }: AlertProps) {
  return (
    <div
      ref={ref}
      className={cx('alert', `alert--${tone}`, className)}
      role={role === 'note' ? 'note' : role}
      tabIndex={focusable ? -1 : undefined}
    >
      <Icon name={icons[tone]} className="alert__icon" />
      <div className="alert__body">
        {title ? <p className="alert__title">{title}</p> : null}
        {children ? <div className="alert__text">{children}</div> : null}
      </div>
    </div>
  );
}
