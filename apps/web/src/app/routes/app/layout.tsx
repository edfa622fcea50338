import { Navigate, Outlet, useLocation } from 'react-router';
import { AppShell } from '@/components/layouts/app-shell';
import { paths, signInPath } from '@/config/paths';
import { useMe } from '@/features/auth/api/get-me';
import { useSignOut } from '@/features/auth/api/sign-out';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { EmbeddedBadge } from '@/features/config/components/embedded-badge';
import { CreditBalance } from '@/features/credits/components/credit-balance';
import { getSessionEndReason, useSession } from '@/lib/session';

/** The signed-in part of Visiona: without a session, off to sign in (and back here afterwards). */
export function Component() {
  const session = useSession();
  const location = useLocation();
  const config = useLoadedConfig();
  const me = useMe();
  const signOut = useSignOut();

  if (!session) {
    // After signing out or deleting the account there is nothing to come back to.
    const reason = getSessionEndReason();
    const to =
      reason === 'signed-out' || reason === 'account-deleted'
        ? paths.signIn
        : signInPath(`${location.pathname}${location.search}${location.hash}`);
    return <Navigate to={to} replace />;
  }

  return (
    <AppShell
      email={me.data?.email}
      isLoadingUser={me.isPending && me.fetchStatus === 'fetching'}
      onSignOut={() => signOut.mutate()}
      isSigningOut={signOut.isPending}
      badge={<EmbeddedBadge embedded={config.embedded} />}
      credits={typeof me.data?.creditBalance === 'number' ? <CreditBalance balance={me.data.creditBalance} /> : undefined}
    >
      <Outlet />
    </AppShell>
  );
}
