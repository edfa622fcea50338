import { queryOptions, useQuery } from '@tanstack/react-query';
import type { PresetList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';

/** The curated styles: prompt templates with `{trigger}`, and the options that suit them. */
export function getPresets({ signal }: { signal?: AbortSignal } = {}): Promise<PresetList> {
  return apiFetch<PresetList>('/api/v1/presets', { signal });
}

export const presetsQueryKey = ['presets'] as const;

export const presetsQueryOptions = queryOptions({
  queryKey: presetsQueryKey,
  queryFn: ({ signal }) => getPresets({ signal }),
  // A curated list that changes with a deployment, not while someone is on the page.
  staleTime: 30 * 60_000,
});

export function usePresets() {
  const session = useSession();
  return useQuery({ ...presetsQueryOptions, enabled: session !== null });
}
