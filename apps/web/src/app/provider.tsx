import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { createQueryClient } from '@/lib/react-query';
import { subscribeSession } from '@/lib/session';

/** One client for the app's lifetime, created before the first render so data can be requested early. */
export const queryClient = createQueryClient();

/** Query keys that do not depend on who is signed in. */
const PUBLIC_QUERY_ROOTS = new Set<unknown>(['config']);

export function AppProvider({ children }: { children: ReactNode }) {
  // When the person changes (sign in, sign out, session expiry, another tab), drop everything
  // cached for the previous one so it can never show up for the next.
  useEffect(
    () =>
      subscribeSession(() => {
        queryClient.removeQueries({ predicate: (query) => !PUBLIC_QUERY_ROOTS.has(query.queryKey[0]) });
      }),
    [],
  );

  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
