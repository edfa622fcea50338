import { queryOptions, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import type { PublicConfig } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';

export function getConfig({ signal }: { signal?: AbortSignal } = {}): Promise<PublicConfig> {
  return apiFetch<PublicConfig>('/api/v1/config', { signal, auth: false });
}

export const configQueryKey = ['config'] as const;

export const configQueryOptions = queryOptions({
  queryKey: configQueryKey,
  queryFn: ({ signal }) => getConfig({ signal }),
  staleTime: 5 * 60_000,
});

/** The server's public configuration, with loading and error states. */
export function useConfig() {
  return useQuery(configQueryOptions);
}

/** The configuration, for parts of the app rendered only after it loaded (the root route waits for it). */
export function useLoadedConfig(): PublicConfig {
  return useSuspenseQuery(configQueryOptions).data;
}
