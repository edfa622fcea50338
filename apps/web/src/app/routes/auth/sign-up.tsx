import { Link, useSearchParams } from 'react-router';
import { AuthLayout } from '@/components/layouts/auth-layout';
import { REDIRECT_PARAM, paths } from '@/config/paths';
import { ClerkNotice } from '@/features/auth/components/clerk-notice';
import { SignUpForm } from '@/features/auth/components/sign-up-form';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { ServerInfo } from '@/features/config/components/server-info';

export function Component() {
  const config = useLoadedConfig();
  const [params] = useSearchParams();
  const redirectTo = params.get(REDIRECT_PARAM);
  const signInHref = redirectTo ? `${paths.signIn}?${new URLSearchParams({ [REDIRECT_PARAM]: redirectTo }).toString()}` : paths.signIn;

  return (
    <AuthLayout
      title="Create your account"
      description="Start with an email and a password. You can add your photos right after."
      footer={
        <>
          Already have an account? <Link to={signInHref}>Sign in</Link>
        </>
      }
      meta={<ServerInfo config={config} />}
    >
      {config.authMode === 'clerk' ? <ClerkNotice /> : <SignUpForm />}
    </AuthLayout>
  );
}
