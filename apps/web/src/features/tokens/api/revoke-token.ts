import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiTokenList } from '@visiona/shared';
import { ApiError, apiFetch } from '@/lib/api-client';
import { tokensQueryKey } from './get-tokens';

/** Revokes a token: it stops working at once. */
export function revokeToken(id: string): Promise<void> {
  return apiFetch<void>(`/api/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/**
 * Revokes a token, then drops it from the list and refetches. A 404 means it is already
 * gone (revoked in another tab, or by a script): that is the outcome the person asked for.
 */
export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await revokeToken(id);
      } catch (error) {
        // (Not when the route itself is missing: that is an outdated API, not a revoked token.)
        if (error instanceof ApiError && error.statusCode === 404 && error.code !== 'route_not_found') return;
        throw error;
      }
    },
    onSuccess: (_result, id) => {
      queryClient.setQueryData<ApiTokenList>(tokensQueryKey, (old) =>
        old ? { items: old.items.filter((item) => item.id !== id) } : old,
      );
      void queryClient.invalidateQueries({ queryKey: tokensQueryKey });
    },
  });
}
