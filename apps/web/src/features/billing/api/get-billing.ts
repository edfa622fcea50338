import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Billing } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';

/** The person's plan, subscription, balance, usage, and recent credit movements and payments. */
export function getBilling({ signal }: { signal?: AbortSignal } = {}): Promise<Billing> {
  return apiFetch<Billing>('/api/v1/billing', { signal });
}

export const billingQueryKey = ['billing', 'account'] as const;

export const billingQueryOptions = queryOptions({
  queryKey: billingQueryKey,
  queryFn: ({ signal }) => getBilling({ signal }),
  // Trainings and generations move the balance from other pages: read it afresh on each visit.
  staleTime: 0,
});

/** `refetchInterval`: read again every so often (after a return from Stripe's portal, see portal-return.ts). */
export function useBilling({ refetchInterval }: { refetchInterval?: () => number | false } = {}) {
  const session = useSession();
  return useQuery({ ...billingQueryOptions, enabled: session !== null, refetchInterval });
}
