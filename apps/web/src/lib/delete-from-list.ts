import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { ApiError } from './api-client';

/** A 404 for the thing itself (not for a missing route, which is an outdated API): it is already gone. */
export function isAlreadyGone(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 404 && error.code !== 'route_not_found';
}

export interface DeleteFromListOptions<TList> {
  /** The DELETE request for one id. */
  remove: (id: string) => Promise<void>;
  /** The cached list the item is shown in. */
  listKey: QueryKey;
  /** The list without the item with this id. */
  withoutItem: (list: TList, id: string) => TList;
}

/**
 * Deletes by id, then drops the item from the cached list at once and refetches the list.
 * "Already gone" counts as success: that is the outcome the person asked for.
 */
export function useDeleteFromList<TList>({ remove, listKey, withoutItem }: DeleteFromListOptions<TList>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await remove(id);
      } catch (error) {
        if (!isAlreadyGone(error)) throw error;
      }
    },
    onSuccess: (_result, id) => {
      queryClient.setQueryData<TList>(listKey, (old) => (old ? withoutItem(old, id) : old));
      void queryClient.invalidateQueries({ queryKey: listKey });
    },
  });
}
