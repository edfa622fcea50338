import { useLocation } from 'react-router';
import { ButtonLink, Card, Icon, Logo } from '@/components/ui';
import { paths } from '@/config/paths';
import { useSession } from '@/lib/session';

export function Component() {
  const { pathname } = useLocation();
  const session = useSession();
  return (
    <div className="full-page">
      <main className="full-page__main" id="main-content">
        <Logo className="full-page__logo" />
        <Card padding="lg" className="full-page__card">
          <div className="empty-state">
            <span className="empty-state__icon">
              <Icon name="compass" size={24} />
            </span>
            <p className="eyebrow">Error 404</p>
            <h1 className="empty-state__title" tabIndex={-1}>
              Page not found
            </h1>
            <p className="empty-state__description">
              There is no page at <code className="break-anywhere">{pathname}</code>. Check the address for typos, or
              start again from {session ? 'your dashboard' : 'the sign-in page'}.
            </p>
            <div className="empty-state__action">
              <ButtonLink to={session ? paths.home : paths.signIn}>
                {session ? 'Go to the dashboard' : 'Go to sign in'}
              </ButtonLink>
            </div>
          </div>
        </Card>
      </main>
    </div>
  );
}
