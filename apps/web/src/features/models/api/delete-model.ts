import type { ModelList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useDeleteFromList } from '@/lib/delete-from-list';
import { modelsQueryKey } from './get-models';

/** Deletes a model and its trained weights. */
export function deleteModel(id: string): Promise<void> {
  return apiFetch<void>(`/api/v1/models/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Deletes a model and drops it from the list. A 404 means it is already gone. */
export function useDeleteModel() {
  return useDeleteFromList<ModelList>({
    remove: deleteModel,
    listKey: modelsQueryKey,
    withoutItem: (list, id) => ({ items: list.items.filter((item) => item.id !== id) }),
  });
}
