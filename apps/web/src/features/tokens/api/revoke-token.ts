import type { ApiTokenList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useDeleteFromList } from '@/lib/delete-from-list';
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
  return useDeleteFromList<ApiTokenList>({
    remove: revokeToken,
    listKey: tokensQueryKey,
    withoutItem: (list, id) => ({ items: list.items.filter((item) => item.id !== id) }),
  });
}
