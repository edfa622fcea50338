import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/lib/api-client';
import { isAlreadyGone } from '@/lib/delete-from-list';
import { pagesWithoutGeneration, type GenerationPages } from '../utils/gallery';
import { generationQueryKey } from './get-generation';
import { generationListsQueryKey } from './get-generations';

/** Deletes a generation: its row and every one of its images' bytes. */
export function deleteGeneration(id: string): Promise<void> {
  return apiFetch<void>(`/api/v1/generations/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Deletes a generation and drops it from every cached gallery page. A 404 means it is already gone. */
export function useDeleteGeneration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await deleteGeneration(id);
      } catch (error) {
        if (!isAlreadyGone(error)) throw error;
      }
    },
    onSuccess: (_result, id) => {
      queryClient.setQueriesData<GenerationPages>({ queryKey: generationListsQueryKey }, (old) => (old ? pagesWithoutGeneration(old, id) : old));
      queryClient.removeQueries({ queryKey: generationQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: generationListsQueryKey });
    },
  });
}
