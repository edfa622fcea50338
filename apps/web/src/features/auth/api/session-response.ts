import type { QueryClient } from '@tanstack/react-query';
import type { SessionResponse } from '@visiona/shared';
import { setSession } from '@/lib/session';
import { meQueryKey } from './get-me';

/** Keeps a fresh session and primes the `me` query with the user that came with it. */
export function startSession(queryClient: QueryClient, response: SessionResponse): void {
  // setSession first: the app drops the previous person's cached data when the session changes.
  setSession({ token: response.token, expiresAt: response.expiresAt });
  queryClient.setQueryData(meQueryKey, response.user);
}
