import { useMutation } from '@tanstack/react-query';
import { apiFetch } from '@/lib/api-client';
import { clearSession } from '@/lib/session';

/** Revokes the token on the server. A 401 here means it was already gone: the sign-out ends the session. */
export function signOut(): Promise<void> {
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
