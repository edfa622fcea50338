import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Model, ModelList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { modelsQueryKey } from './get-models';

/** Stops a training that is still running. Its credits are refunded and its photos deleted. */
export function cancelModel(id: string): Promise<Model> {
  return apiFetch<Model>(`/api/v1/models/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}

export function useCancelModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelModel,
    onSuccess: (model) => {
      queryClient.setQueryData<ModelList>(modelsQueryKey, (old) =>
        old ? { items: old.items.map((item) => (item.id === model.id ? model : item)) } : old,
      );
      void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
    },
  });
}
