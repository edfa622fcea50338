import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { GeneratedImage, Generation } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { pagesWithFavorite, withFavorite, type GenerationPages } from '../utils/gallery';
import { generationsQueryKey } from './get-generation';
import { generationListsQueryKey } from './get-generations';

export interface SetFavoriteInput {
  imageId: string;
  favorite: boolean;
}

/** Marks an image as a favourite, or not. */
export function setImageFavorite({ imageId, favorite }: SetFavoriteInput): Promise<GeneratedImage> {
  return apiFetch<GeneratedImage>(`/api/v1/images/${encodeURIComponent(imageId)}`, { method: 'PATCH', body: { favorite } });
}

type Snapshot = Array<[readonly unknown[], unknown]>;

function isPages(value: unknown): value is GenerationPages {
  return typeof value === 'object' && value !== null && Array.isArray((value as GenerationPages).pages);
}

function isGeneration(value: unknown): value is Generation {
  return typeof value === 'object' && value !== null && Array.isArray((value as Generation).images) && typeof (value as Generation).id === 'string';
}

/**
 * Optimistic: every cached copy of the image (gallery pages, pending cards) shows the new state
 * at once, and goes back to what it was if the API refuses.
 */
export function useSetFavorite() {
  const queryClient = useQueryClient();

  function apply({ imageId, favorite }: SetFavoriteInput) {
    queryClient.setQueriesData({ queryKey: generationsQueryKey }, (old: unknown) => {
      if (isPages(old)) return pagesWithFavorite(old, imageId, favorite);
      if (isGeneration(old)) return withFavorite(old, imageId, favorite);
      return old;
    });
  }

  return useMutation({
    mutationFn: setImageFavorite,
    onMutate: async (input): Promise<Snapshot> => {
      await queryClient.cancelQueries({ queryKey: generationsQueryKey });
      const snapshot = queryClient.getQueriesData({ queryKey: generationsQueryKey }) as Snapshot;
      apply(input);
      return snapshot;
    },
    onError: (_error, _input, snapshot) => {
      for (const [key, data] of snapshot ?? []) queryClient.setQueryData(key, data);
    },
    onSuccess: (image) => {
      apply({ imageId: image.id, favorite: image.favorite });
      // The favourites view changed; refetch it when it is next shown, not under the person's eyes.
      void queryClient.invalidateQueries({ queryKey: generationListsQueryKey, refetchType: 'none' });
    },
  });
}
