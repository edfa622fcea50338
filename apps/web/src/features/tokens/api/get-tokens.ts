import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ApiTokenList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';

/** The person's API tokens, newest first. Revoked tokens are not listed; expired ones are. */
export function getTokens({ signal }: { signal?: AbortSignal } = {}): Promise<ApiTokenList> {
  return apiFetch<ApiTokenList>('/api/v1/tokens', { signal });
}

export const tokensQueryKey = ['tokens'] as const;

export const tokensQueryOptions = queryOptions({
  queryKey: tokensQueryKey,
  queryFn: ({ signal }) => getTokens({ signal }),
});

export function useTokens() {
  const session = useSession();
  return useQuery({ ...tokensQueryOptions, enabled: session !== null });
}
