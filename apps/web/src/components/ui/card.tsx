import type { HTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';

export interface CardProps extends HTMLAttributes<HTMLElement> {
  as?: 'section' | 'div' | 'article';
  padding?: 'md' | 'lg';
}

export function Card({ as: Tag = 'section', padding = 'md', className, ...rest }: CardProps) {
  return <Tag className={cx('card', padding === 'lg' && 'card--lg', className)} {...rest} />;
}

export interface CardHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
  /** Heading level; pages use h1 for their title, so cards start at h2. */
  level?: 2 | 3;
  id?: string;
}

export function CardHeader({ title, description, action, level = 2, id }: CardHeaderProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <header className="card__header">
      <div>
        <Heading className="card__title" id={id}>
          {title}
        </Heading>
        {description ? <p className="card__description">{description}</p> : null}
      </div>
      {action ? <div className="card__action">{action}</div> : null}
    </header>
  );
}
