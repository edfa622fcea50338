import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateGenerationRequest, Generation } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { generationQueryKey } from './get-generation';
import { generationListsQueryKey } from './get-generations';

export interface CreateGenerationInput {
  body: CreateGenerationRequest;
  /** One per submission, sent again when that submission is retried, so it is paid for once. */
  idempotencyKey: string;
}

/** Starts a generation. The answer (202) is the generation in status `Processing`, without images yet. */
export function createGeneration({ body, idempotencyKey }: CreateGenerationInput): Promise<Generation> {
  return apiFetch<Generation>('/api/v1/generations', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } });
}

export function useCreateGeneration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createGeneration,
    onSuccess: (generation) => {
      // The pending card starts from the answer, without waiting for its first poll.
      queryClient.setQueryData(generationQueryKey(generation.id), generation);
      void queryClient.invalidateQueries({ queryKey: generationListsQueryKey });
    },
  });
}
