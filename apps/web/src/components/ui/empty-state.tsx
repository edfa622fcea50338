import type { ReactNode } from 'react';
import { cx } from './cx';
import { Icon, type IconName } from './icon';

export interface EmptyStateProps {
  icon?: IconName;
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
  /** Heading level of the title. */
  level?: 2 | 3;
  className?: string;
}

export function EmptyState({ icon = 'info', title, description, action, level = 2, className }: EmptyStateProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div className={cx('empty-state', className)}>
      <span className="empty-state__icon">
        <Icon name={icon} size={24} />
      </span>
      <Heading className="empty-state__title">{title}</Heading>
      {description ? <div className="empty-state__description">{description}</div> : null}
      {action ? <div className="empty-state__action">{action}</div> : null}
    </div>
  );
}
