import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Me } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';

export function getMe({ signal }: { signal?: AbortSignal } = {}): Promise<Me> {
  return apiFetch<Me>('/api/v1/me', { signal });
}

export const meQueryKey = ['me'] as const;

export const meQueryOptions = queryOptions({
  queryKey: meQueryKey,
  queryFn: ({ signal }) => getMe({ signal }),
});

/** The signed-in person. Does not run without a session. */
export function useMe() {
  const session = useSession();
  return useQuery({ ...meQueryOptions, enabled: session !== null });
}
