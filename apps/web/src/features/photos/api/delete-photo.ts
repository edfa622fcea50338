import type { PhotoList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useDeleteFromList } from '@/lib/delete-from-list';
import { photosQueryKey } from './get-photos';

/** Deletes a photo: the row and the stored bytes. */
export function deletePhoto(id: string): Promise<void> {
  return apiFetch<void>(`/api/v1/photos/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/**
 * Deletes a photo, drops it from the list (with its count and size) at once, then refetches.
 * A 404 means it is already gone.
 */
export function useDeletePhoto() {
  return useDeleteFromList<PhotoList>({
    remove: deletePhoto,
    listKey: photosQueryKey,
    withoutItem: (list, id) => {
      const gone = list.items.find((photo) => photo.id === id);
      if (!gone) return list;
      return {
        items: list.items.filter((photo) => photo.id !== id),
        count: Math.max(0, list.count - 1),
        totalBytes: Math.max(0, list.totalBytes - gone.byteSize),
      };
    },
  });
}
