import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Generation } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { generationRefetchInterval, keepFreshGenerationUrls, msUntilUrlRefresh } from '../utils/gallery';

/** One generation: its status, progress, and images once they are stored. */
export function getGeneration(id: string, { signal }: { signal?: AbortSignal } = {}): Promise<Generation> {
  return apiFetch<Generation>(`/api/v1/generations/${encodeURIComponent(id)}`, { signal });
}

export const generationsQueryKey = ['generations'] as const;

export function generationQueryKey(id: string) {
  return [...generationsQueryKey, 'detail', id] as const;
}

export function generationQueryOptions(id: string) {
  return queryOptions({
    queryKey: generationQueryKey(id),
    queryFn: ({ signal }) => getGeneration(id, { signal }),
    // Every ~1.5 s while the images are being made; afterwards only to renew the signed URLs.
    refetchInterval: (query) => generationRefetchInterval(query.state.data),
    // Polling keeps going when the tab is in the background, so the card is current on return.
    refetchIntervalInBackground: true,
    structuralSharing: (previous: unknown, next: unknown) => keepFreshGenerationUrls(previous as Generation | undefined, next as Generation),
    staleTime: (query) => {
      const data = query.state.data;
      if (!data || data.status === 'Processing') return 0;
      return msUntilUrlRefresh([data]) ?? Number.POSITIVE_INFINITY;
    },
  });
}

export function useGeneration(id: string) {
  const session = useSession();
  return useQuery({ ...generationQueryOptions(id), enabled: session !== null });
}
