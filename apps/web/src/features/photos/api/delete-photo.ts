import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { PhotoList } from '@visiona/shared';
import { ApiError, apiFetch } from '@/lib/api-client';
import { photosQueryKey } from './get-photos';

/** Deletes a photo: the row and the stored bytes. */
export function deletePhoto(id: string): Promise<void> {
  return apiFetch<void>(`/api/v1/photos/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Deletes a photo, drops it from the list at once, then refetches. A 404 means it is already gone. */
export function useDeletePhoto() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await deletePhoto(id);
      } catch (error) {
        if (error instanceof ApiError && error.statusCode === 404 && error.code !== 'route_not_found') return;
        throw error;
      }
    },
    onSuccess: (_result, id) => {
      queryClient.setQueryData<PhotoList>(photosQueryKey, (old) => {
        const gone = old?.items.find((photo) => photo.id === id);
        if (!old || !gone) return old;
        return {
          items: old.items.filter((photo) => photo.id !== id),
          count: Math.max(0, old.count - 1),
          totalBytes: Math.max(0, old.totalBytes - gone.byteSize),
        };
      });
      void queryClient.invalidateQueries({ queryKey: photosQueryKey });
    },
  });
}
