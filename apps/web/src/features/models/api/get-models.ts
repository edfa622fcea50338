import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ModelList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { modelsRefetchInterval } from '../utils/training-progress';

/** The person's models, newest first, each with its training progress. */
export function getModels({ signal }: { signal?: AbortSignal } = {}): Promise<ModelList> {
  return apiFetch<ModelList>('/api/v1/models', { signal });
}

export const modelsQueryKey = ['models'] as const;

export const modelsQueryOptions = queryOptions({
  queryKey: modelsQueryKey,
  queryFn: ({ signal }) => getModels({ signal }),
  // Every ~2 s while a training runs, so its progress moves; not at all once none does.
  refetchInterval: (query) => modelsRefetchInterval(query.state.data?.items),
});

export function useModels() {
  const session = useSession();
  return useQuery({ ...modelsQueryOptions, enabled: session !== null });
}
