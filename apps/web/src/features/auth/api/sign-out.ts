import { useMutation } from '@tanstack/react-query';
import { apiFetch } from '@/lib/api-client';
import { clearSession, getSession, signOutExternal } from '@/lib/session';

/**
 * Ends the session where it lives: Visiona's own sessions are revoked by the API (a 401 means
 * it was already gone); a Clerk session is ended by Clerk.
 */
export async function signOut(): Promise<void> {
  if (getSession()?.kind === 'external') return signOutExternal();
  return apiFetch<void>('/api/v1/auth/logout', { method: 'POST', endSessionOn401: false });
}

/**
 * Signs out. The local session ends whatever the server says: someone who
 * clicked "Sign out" must not stay signed in because the network failed.
 */
export function useSignOut() {
  return useMutation({
    mutationFn: signOut,
    onSettled: () => clearSession('signed-out'),
  });
}
