import { Link, useSearchParams } from 'react-router';
import { AuthLayout } from '@/components/layouts/auth-layout';
import { Alert } from '@/components/ui';
import { REDIRECT_PARAM, paths } from '@/config/paths';
import { ClerkNotice } from '@/features/auth/components/clerk-notice';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { ServerInfo } from '@/features/config/components/server-info';
import { getSessionEndReason } from '@/lib/session';

export function Component() {
  const config = useLoadedConfig();
  const [params] = useSearchParams();
  const redirectTo = params.get(REDIRECT_PARAM);
  const endReason = getSessionEndReason();
  const signUpHref = redirectTo ? `${paths.signUp}?${new URLSearchParams({ [REDIRECT_PARAM]: redirectTo }).toString()}` : paths.signUp;

  return (
    <AuthLayout
      title="Sign in to Visiona"
      description="Welcome back. Sign in to train your model and create new images of yourself."
      footer={
        config.authMode === 'local' ? (
          <>
            New to Visiona? <Link to={signUpHref}>Create an account</Link>
          </>
        ) : null
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
      ) : null}
      {config.authMode === 'clerk' ? <ClerkNotice /> : <SignInForm />}
    </AuthLayout>
  );
}
