import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiToken, ApiTokenList, CreateTokenRequest, CreatedApiToken } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { tokensQueryKey } from './get-tokens';

/** Creates a token. The answer carries the secret, once: it is never sent again. */
export function createToken(body: CreateTokenRequest): Promise<CreatedApiToken> {
  return apiFetch<CreatedApiToken>('/api/v1/tokens', { method: 'POST', body });
}

/** The token as the list shows it: everything but the secret. */
export function withoutSecret(created: CreatedApiToken): ApiToken {
  const { token: _secret, ...listed } = created;
  return listed;
}

/**
 * Creates a token and adds it to the list at once (then refetches the list).
 * The secret lives only in this mutation's result: call `reset()` to drop it, and with
 * `gcTime: 0` the mutation cache lets go of it as soon as nothing observes it.
 */
export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createToken,
    gcTime: 0,
    onSuccess: (created) => {
      const listed = withoutSecret(created);
      queryClient.setQueryData<ApiTokenList>(tokensQueryKey, (old) =>
        old ? { items: [listed, ...old.items.filter((item) => item.id !== listed.id)] } : old,
      );
      void queryClient.invalidateQueries({ queryKey: tokensQueryKey });
    },
  });
}
