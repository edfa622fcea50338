import { queryOptions, useQuery } from '@tanstack/react-query';
import type { PhotoList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { keepFreshUrls, msUntilUrlRefresh } from '../utils/photo-summary';

/** The photos waiting to be trained on, newest first, with short-lived signed URLs. */
export function getPhotos({ signal }: { signal?: AbortSignal } = {}): Promise<PhotoList> {
  return apiFetch<PhotoList>('/api/v1/photos', { signal });
}

export const photosQueryKey = ['photos'] as const;

export const photosQueryOptions = queryOptions({
  queryKey: photosQueryKey,
  queryFn: ({ signal }) => getPhotos({ signal }),
  // A refetch that signs new URLs keeps the ones already shown while they are still good.
  structuralSharing: (previous: unknown, next: unknown) => keepFreshUrls(previous as PhotoList | undefined, next as PhotoList),
  // Renew the signed URLs shortly before they expire.
  refetchInterval: (query) => msUntilUrlRefresh(query.state.data) ?? false,
  staleTime: (query) => Math.min(30_000, msUntilUrlRefresh(query.state.data) ?? 30_000),
});

export function usePhotos() {
  const session = useSession();
  return useQuery({ ...photosQueryOptions, enabled: session !== null });
}
