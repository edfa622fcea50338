import { Suspense } from 'react';
import { Link, Navigate, useLocation, useParams, useSearchParams } from 'react-router';
import { AuthLayout } from '@/components/layouts/auth-layout';
import { Alert, Spinner } from '@/components/ui';
import { REDIRECT_PARAM, paths, safeRedirectTarget } from '@/config/paths';
import { LazyClerkSignIn } from '@/features/auth/clerk/lazy';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { ServerInfo } from '@/features/config/components/server-info';
import { getSessionEndReason } from '@/lib/session';

export function Component() {
  const config = useLoadedConfig();
  const [params] = useSearchParams();
  const { search } = useLocation();
  const subPath = useParams()['*'];
  const redirectTo = params.get(REDIRECT_PARAM);
  const endReason = getSessionEndReason();
  const signUpHref = redirectTo ? `${paths.signUp}?${new URLSearchParams({ [REDIRECT_PARAM]: redirectTo }).toString()}` : paths.signUp;
  const isClerk = config.authMode === 'clerk';

  // Sub-paths belong to Clerk's multi-step form; local sign-in has a single step.
  if (!isClerk && subPath) return <Navigate to={`${paths.signIn}${search}`} replace />;

  return (
    <AuthLayout
      title="Sign in to Visiona"
      description="Welcome back. Sign in to train your model and create new images of yourself."
      plain={isClerk}
      footer={
        isClerk ? null : (
          <>
            New to Visiona? <Link to={signUpHref}>Create an account</Link>
          </>
        )
      }
      meta={<ServerInfo config={config} />}
    >
      {endReason === 'expired' ? (
        <Alert tone="info" role="status" className="form-notice">
          Your session has ended. Sign in again to continue where you left off.
        </Alert>
      ) : endReason === 'signed-out' ? (
        <Alert tone="success" role="status" className="form-notice">
          You have signed out.
        </Alert>
      ) : endReason === 'account-deleted' ? (
        <Alert tone="info" role="status" className="form-notice" title="Your account is being deleted" data-testid="account-deleted-notice">
          <p>
            You have been signed out. Your photos, models and images are being removed and will be gone within minutes.
            Payment records are kept without your name, as the law requires.
          </p>
        </Alert>
      ) : null}
      {isClerk ? (
        <Suspense fallback={<Spinner size="lg" label="Loading sign-in" className="auth__loading" />}>
          <LazyClerkSignIn redirectTo={safeRedirectTarget(redirectTo)} />
        </Suspense>
      ) : (
        <SignInForm />
      )}
    </AuthLayout>
  );
}
