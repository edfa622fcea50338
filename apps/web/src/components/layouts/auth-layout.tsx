import type { ReactNode } from 'react';
import { Card, Icon, Logo, SkipLink, type IconName } from '@/components/ui';

export interface AuthLayoutProps {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** Under the card: the link to the other form. */
  footer?: ReactNode;
  /** Shown at the bottom of the page, e.g. the local-mode badge and the server version. */
  meta?: ReactNode;
  /**
   * For a form that brings its own card and heading (Clerk's): no card around the children,
   * and the title stays as the page's h1 for screen readers only.
   */
  plain?: boolean;
}

const highlights: Array<{ icon: IconName; text: string }> = [
  { icon: 'photos', text: 'Upload 10 to 30 photos of yourself' },
  { icon: 'models', text: 'Train a personal image model on them' },
  { icon: 'generate', text: 'Describe a scene and get new pictures of you' },
  { icon: 'lock', text: 'Everything stays in your private gallery' },
];

/** Two columns on wide screens (what Visiona does, and the form); just the form on phones. */
export function AuthLayout({ title, description, children, footer, meta, plain = false }: AuthLayoutProps) {
  return (
    <div className="auth">
      <SkipLink />
      <aside className="auth__aside" aria-label="About Visiona">
        <Logo size={32} className="logo--inverse" />
        <div className="auth__pitch">
          <p className="auth__headline">Your AI clone, in three steps.</p>
          <ul className="auth__highlights">
            {highlights.map((item) => (
              <li key={item.text}>
                <span className="auth__highlight-icon">
                  <Icon name={item.icon} size={18} />
                </span>
                {item.text}
              </li>
            ))}
          </ul>
        </div>
      </aside>
      <main className="auth__main" id="main-content">
        <div className="auth__column">
          <Logo size={32} className="auth__mobile-logo" />
          {plain ? (
            <div className="auth__plain">
              <h1 id="auth-title" className="sr-only" tabIndex={-1}>
                {title}
              </h1>
              {children}
            </div>
          ) : (
            <Card padding="lg" className="auth__card">
              <header className="auth__header">
                <h1 id="auth-title" className="auth__title" tabIndex={-1}>
                  {title}
                </h1>
                {description ? <p className="auth__description">{description}</p> : null}
              </header>
              {children}
            </Card>
          )}
          {footer ? <p className="auth__footer-link">{footer}</p> : null}
          {meta ? <div className="auth__meta">{meta}</div> : null}
        </div>
      </main>
    </div>
  );
}
