import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation } from 'react-router';
import { Button, Icon, Logo, Skeleton, SkipLink, cx, type IconName } from '@/components/ui';
import { paths } from '@/config/paths';

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
}

export const navItems: NavItem[] = [
  { to: paths.home, label: 'Dashboard', icon: 'home' },
  { to: paths.photos, label: 'Photos', icon: 'photos' },
  { to: paths.models, label: 'Models', icon: 'models' },
  { to: paths.generate, label: 'Generate', icon: 'generate' },
  { to: paths.gallery, label: 'Gallery', icon: 'gallery' },
  { to: paths.billing, label: 'Billing', icon: 'billing' },
  { to: paths.settings, label: 'Settings', icon: 'settings' },
];

export interface AppShellProps {
  /** The signed-in person's email; undefined while it loads or when it could not be loaded. */
  email: string | undefined;
  isLoadingUser: boolean;
  onSignOut: () => void;
  isSigningOut: boolean;
  /** Shown next to the logo, e.g. the local-mode badge. */
  badge?: ReactNode;
  /** The person's credit balance, e.g. "12 credits"; shown in the header at every width once known. */
  credits?: ReactNode;
  children: ReactNode;
}

export function AppShell({ email, isLoadingUser, onSignOut, isSigningOut, badge, credits, children }: AppShellProps) {
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const { pathname } = useLocation();

  // The phone menu closes once a link in it was followed.
  useEffect(() => {
    setMenuOpen(false);
  }, [pathname]);

  useEffect(() => {
    if (!menuOpen) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setMenuOpen(false);
        menuButtonRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [menuOpen]);

  const account = (
    <>
      {email ? (
        <span className="account__email" title={email}>
          {email}
        </span>
      ) : isLoadingUser ? (
        <span className="account__email">
          <Skeleton width="10rem" height="0.9rem" />
          <span className="sr-only">Loading your account</span>
        </span>
      ) : null}
      <Button
        variant="ghost"
        size="sm"
        onClick={onSignOut}
        isLoading={isSigningOut}
        loadingText="Signing out…"
        icon={<Icon name="signOut" size={16} />}
      >
        Sign out
      </Button>
    </>
  );

  return (
    <div className={cx('shell', menuOpen && 'shell--menu-open')}>
      <SkipLink />
      <header className="topbar">
        <Link to={paths.home} className="topbar__brand" aria-label="Visiona home">
          <Logo />
        </Link>
        {badge ? <div className="topbar__badge">{badge}</div> : null}
        {credits ? <div className="topbar__credits">{credits}</div> : null}
        <div className="topbar__account account">{account}</div>
        <button
          ref={menuButtonRef}
          type="button"
          className="topbar__menu-button"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name={menuOpen ? 'close' : 'menu'} size={22} />
          <span className="sr-only">Menu</span>
        </button>
      </header>

      <div className="shell__body">
        <nav id="primary-nav" className="sidebar" aria-label="Main">
          <ul className="nav-list">
            {navItems.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === paths.home} className="nav-link">
                  <Icon name={item.icon} size={20} />
                  <span>{item.label}</span>
                </NavLink>
              </li>
            ))}
          </ul>
          <div className="sidebar__account account">{account}</div>
        </nav>
        {menuOpen ? <div className="shell__scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} /> : null}
        <main id="main-content" className="shell__main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
