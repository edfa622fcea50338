import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { GenerationList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { galleryRefetchInterval, keepFreshPageUrls, nextCursorOf, type GenerationPages } from '../utils/gallery';
import { generationsQueryKey } from './get-generation';

export const GALLERY_PAGE_SIZE = 24;

export interface GalleryFilters {
  modelId?: string | undefined;
  favorites?: boolean | undefined;
}

/** The gallery's filters as the address carries them (?model=…&favorites=1), so Back and a shared link keep them. */
export function galleryFiltersFrom(params: URLSearchParams): GalleryFilters {
  return { modelId: params.get('model') || undefined, favorites: params.get('favorites') === '1' || undefined };
}

/** One page of the person's generations, newest first. */
export function getGenerations(filters: GalleryFilters, cursor: string | undefined, { signal }: { signal?: AbortSignal } = {}): Promise<GenerationList> {
  const params = new URLSearchParams({ limit: String(GALLERY_PAGE_SIZE) });
  if (cursor) params.set('cursor', cursor);
  if (filters.modelId) params.set('modelId', filters.modelId);
  if (filters.favorites) params.set('favorites', 'true');
  return apiFetch<GenerationList>(`/api/v1/generations?${params.toString()}`, { signal });
}

export const generationListsQueryKey = [...generationsQueryKey, 'list'] as const;

export function generationListQueryKey(filters: GalleryFilters) {
  return [...generationListsQueryKey, { modelId: filters.modelId ?? null, favorites: Boolean(filters.favorites) }] as const;
}

export function generationListQueryOptions(filters: GalleryFilters) {
  return infiniteQueryOptions({
    queryKey: generationListQueryKey(filters),
    queryFn: ({ pageParam, signal }) => getGenerations(filters, pageParam, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
    refetchInterval: (query) => galleryRefetchInterval(query.state.data?.pages),
    // A refetch that signs new URLs keeps the ones already shown while they are still good.
    structuralSharing: (previous: unknown, next: unknown) => keepFreshPageUrls(previous as GenerationPages | undefined, next as GenerationPages),
  });
}

/** The gallery: pages of generations, fetched as the person scrolls. */
export function useGenerations(filters: GalleryFilters) {
  const session = useSession();
  return useInfiniteQuery({ ...generationListQueryOptions(filters), enabled: session !== null });
}
