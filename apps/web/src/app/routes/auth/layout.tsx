import { Navigate, Outlet, useSearchParams } from 'react-router';
import { REDIRECT_PARAM, safeRedirectTarget } from '@/config/paths';
import { useSession } from '@/lib/session';

/** Sign-in and sign-up are for people without a session; everyone else goes where they were heading. */
export function Component() {
  const session = useSession();
  const [params] = useSearchParams();
  if (session) return <Navigate to={safeRedirectTarget(params.get(REDIRECT_PARAM))} replace />;
  return <Outlet />;
}
