import { queryOptions, useQuery } from '@tanstack/react-query';
import type { PlanList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';

/** The plans side by side, the signup grant, and what training and images cost. Public. */
export function getPlans({ signal }: { signal?: AbortSignal } = {}): Promise<PlanList> {
  return apiFetch<PlanList>('/api/v1/billing/plans', { signal, auth: false });
}

export const plansQueryKey = ['billing', 'plans'] as const;

export const plansQueryOptions = queryOptions({
  queryKey: plansQueryKey,
  queryFn: ({ signal }) => getPlans({ signal }),
  // Plans change with a deployment; prices are cached by the API for minutes anyway.
  staleTime: 5 * 60_000,
});

export function usePlans() {
  return useQuery(plansQueryOptions);
}
