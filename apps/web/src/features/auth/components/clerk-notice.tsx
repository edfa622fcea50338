import { Alert } from '@/components/ui';

/** Shown instead of the forms when the server signs people in through Clerk. */
export function ClerkNotice() {
  return (
    <Alert tone="info" title="Sign-in with Clerk is not built yet" role="note">
      <p>
        This Visiona server is set up to sign people in through Clerk, and this version of the app does not include the
        Clerk sign-in screen yet. It arrives with a coming update. Until then, nobody can sign in or create an account
        here.
      </p>
      <p>If you run this server, switch it to local accounts to use email and password instead.</p>
    </Alert>
  );
}
