import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ModelList } from '@visiona/shared';
import { ApiError, apiFetch } from '@/lib/api-client';
import { modelsQueryKey } from './get-models';

/** Deletes a model and its trained weights. */
export function deleteModel(id: string): Promise<void> {
  return apiFetch<void>(`/api/v1/models/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Deletes a model and drops it from the list. A 404 means it is already gone. */
export function useDeleteModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await deleteModel(id);
      } catch (error) {
        if (error instanceof ApiError && error.statusCode === 404 && error.code !== 'route_not_found') return;
        throw error;
      }
    },
    onSuccess: (_result, id) => {
      queryClient.setQueryData<ModelList>(modelsQueryKey, (old) => (old ? { items: old.items.filter((item) => item.id !== id) } : old));
      void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
    },
  });
}
