import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateModelRequest, Model, ModelList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { modelsQueryKey } from './get-models';

export interface CreateModelInput {
  body: CreateModelRequest;
  /** One per form submission, sent again when that submission is retried, so it starts one training. */
  idempotencyKey: string;
}

/** Starts a training. The answer is the new model, in status `Processing`. */
export function createModel({ body, idempotencyKey }: CreateModelInput): Promise<Model> {
  return apiFetch<Model>('/api/v1/models', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } });
}

export function useCreateModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createModel,
    onSuccess: (model) => {
      queryClient.setQueryData<ModelList>(modelsQueryKey, (old) =>
        old ? { items: [model, ...old.items.filter((item) => item.id !== model.id)] } : old,
      );
      void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
    },
  });
}
