import { Suspense } from 'react';
import { Link, Navigate, useLocation, useParams, useSearchParams } from 'react-router';
import { AuthLayout } from '@/components/layouts/auth-layout';
import { Spinner } from '@/components/ui';
import { REDIRECT_PARAM, paths, safeRedirectTarget } from '@/config/paths';
import { LazyClerkSignUp } from '@/features/auth/clerk/lazy';
import { SignUpForm } from '@/features/auth/components/sign-up-form';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { ServerInfo } from '@/features/config/components/server-info';

export function Component() {
  const config = useLoadedConfig();
  const [params] = useSearchParams();
  const { search } = useLocation();
  const subPath = useParams()['*'];
  const redirectTo = params.get(REDIRECT_PARAM);
  const signInHref = redirectTo ? `${paths.signIn}?${new URLSearchParams({ [REDIRECT_PARAM]: redirectTo }).toString()}` : paths.signIn;
  const isClerk = config.authMode === 'clerk';

  if (!isClerk && subPath) return <Navigate to={`${paths.signUp}${search}`} replace />;

  return (
    <AuthLayout
      title="Create your account"
      description={
        isClerk
          ? 'Create your Visiona account. You can add your photos right after.'
          : 'Start with an email and a password. You can add your photos right after.'
      }
      plain={isClerk}
      // Clerk's form links to sign-in itself.
      footer={
        isClerk ? null : (
          <>
            Already have an account? <Link to={signInHref}>Sign in</Link>
          </>
        )
      }
      meta={<ServerInfo config={config} />}
    >
      {isClerk ? (
        <Suspense fallback={<Spinner size="lg" label="Loading sign-up" className="auth__loading" />}>
          <LazyClerkSignUp redirectTo={safeRedirectTarget(redirectTo)} />
        </Suspense>
      ) : (
        <SignUpForm />
      )}
    </AuthLayout>
  );
}
