/**
 * Everything Clerk. Only ever loaded with a dynamic import (see ./lazy.tsx) when the server's
 * configuration says `authMode: 'clerk'`, so local mode never downloads @clerk/react.
 */
import { ClerkFailed, ClerkLoaded, ClerkLoading, ClerkProvider, SignIn, SignUp, useAuth } from '@clerk/react';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { Card, ErrorState, FullPage, FullPageLoader } from '@/components/ui';
import { paths } from '@/config/paths';
import { connectExternalAuth, setExternalSession } from '@/lib/session';

export interface ClerkRootProps {
  publishableKey: string;
  children: ReactNode;
}

/**
 * Mirrors Clerk's signed-in user into the app's session store and hands the API client
 * Clerk's session tokens, so the rest of the app works the same in both modes.
 * Renders the app only once Clerk has said who is signed in.
 */
function ClerkSessionBridge({ children }: { children: ReactNode }) {
  const { isLoaded, userId, getToken, signOut } = useAuth();
  const auth = useRef({ getToken, signOut });
  const [synced, setSynced] = useState(false);

  useEffect(() => {
    auth.current = { getToken, signOut };
  });

  useLayoutEffect(
    () =>
      connectExternalAuth({
        getToken: () => auth.current.getToken(),
        signOut: () => auth.current.signOut(),
      }),
    [],
  );

  useLayoutEffect(() => {
    // isLoaded can briefly turn false while Clerk updates its state; keep the last known user then.
    if (!isLoaded) return;
    setExternalSession(userId ?? null);
    setSynced(true);
  }, [isLoaded, userId]);

  if (!synced) return <FullPageLoader label="Checking your sign-in" />;
  return children;
}

function ClerkUnavailable() {
  return (
    <FullPage>
      <Card padding="lg" className="full-page__card">
        <ErrorState
          icon="cloudOff"
          title="Can't reach the sign-in service"
          error={{
            message:
              'Visiona signs people in through Clerk, and Clerk could not be loaded. Check your connection, or allow clerk.com if something blocks it, then try again.',
          }}
          // Clerk loads once per page: trying again means loading the page again.
          onRetry={() => window.location.reload()}
        />
      </Card>
    </FullPage>
  );
}

/** Wraps the app in Clerk, with the SPA's router doing Clerk's navigation. */
export function ClerkRoot({ publishableKey, children }: ClerkRootProps) {
  const navigate = useNavigate();
  return (
    <ClerkProvider
      publishableKey={publishableKey}
      routerPush={(to) => navigate(to)}
      routerReplace={(to) => navigate(to, { replace: true })}
      signInUrl={paths.signIn}
      signUpUrl={paths.signUp}
      afterSignOutUrl={paths.signIn}
      appearance={{ variables: { colorPrimary: '#5a45e6', fontFamily: 'inherit', borderRadius: '10px' } }}
    >
      <ClerkLoading>
        <FullPageLoader label="Loading sign-in" />
      </ClerkLoading>
      <ClerkFailed>
        <ClerkUnavailable />
      </ClerkFailed>
      <ClerkLoaded>
        <ClerkSessionBridge>{children}</ClerkSessionBridge>
      </ClerkLoaded>
    </ClerkProvider>
  );
}

export interface ClerkFormProps {
  /** Where to go once signed in: a same-app path. */
  redirectTo: string;
}

/** Clerk's sign-in, on /sign-in and its sub-paths (/sign-in/factor-one, …). */
export function ClerkSignIn({ redirectTo }: ClerkFormProps) {
  return (
    <SignIn
      routing="path"
      path={paths.signIn}
      signUpUrl={paths.signUp}
      fallbackRedirectUrl={redirectTo}
      signUpFallbackRedirectUrl={redirectTo}
    />
  );
}

/** Clerk's sign-up, on /sign-up and its sub-paths (/sign-up/verify-email-address, …). */
export function ClerkSignUp({ redirectTo }: ClerkFormProps) {
  return (
    <SignUp
      routing="path"
      path={paths.signUp}
      signInUrl={paths.signIn}
      fallbackRedirectUrl={redirectTo}
      signInFallbackRedirectUrl={redirectTo}
    />
  );
}
