import type { QueryClient } from '@tanstack/react-query';
import type { PhotoList, UploadPhotosResponse } from '@visiona/shared';
import { apiUpload, type UploadProgress } from '@/lib/api-upload';
import { photosQueryKey } from './get-photos';

/**
 * Uploads one image, or one zip of images, in a request of its own (multipart field `files`),
 * reporting the bytes sent as they go. The server checks and stores it, and answers with the
 * stored photos and their quality warnings.
 */
export function uploadPhotos(
  file: Blob & { name: string },
  options: { signal?: AbortSignal; onProgress?: (progress: UploadProgress) => void; idempotencyKey?: string } = {},
): Promise<UploadPhotosResponse> {
  const body = new FormData();
  body.append('files', file, file.name);
  const { idempotencyKey, ...rest } = options;
  // A retry of the same file sends the same key, so a lost answer never stores it twice.
  return apiUpload<UploadPhotosResponse>('/api/v1/photos', body, { ...rest, ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}) });
}

/** Puts freshly uploaded photos at the top of the cached list, so they show before the next refetch. */
export function addUploadedPhotos(queryClient: QueryClient, uploaded: UploadPhotosResponse): void {
  queryClient.setQueryData<PhotoList>(photosQueryKey, (old) => {
    if (!old) return old;
    const ids = new Set(old.items.map((photo) => photo.id));
    const added = uploaded.items.filter((photo) => !ids.has(photo.id)).reverse();
    if (added.length === 0) return old;
    return {
      items: [...added, ...old.items],
      count: old.count + added.length,
      totalBytes: old.totalBytes + added.reduce((sum, photo) => sum + photo.byteSize, 0),
    };
  });
}
