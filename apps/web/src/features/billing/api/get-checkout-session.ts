import { useQuery } from '@tanstack/react-query';
import type { CheckoutSession } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { checkoutPollInterval } from '../utils/checkout-return';

/** A checkout the person started: `complete` once Stripe's webhook has landed and the plan is active. */
export function getCheckoutSession(id: string, { signal }: { signal?: AbortSignal } = {}): Promise<CheckoutSession> {
  return apiFetch<CheckoutSession>(`/api/v1/billing/checkout/${encodeURIComponent(id)}`, { signal });
}

export const checkoutSessionQueryKey = (id: string) => ['billing', 'checkout', id] as const;

/** Polls the checkout until it is settled: every second at first, every few seconds once it takes long. */
export function useCheckoutSession(id: string | null, { slow }: { slow: boolean }) {
  return useQuery({
    queryKey: checkoutSessionQueryKey(id ?? ''),
    queryFn: ({ signal }) => getCheckoutSession(id!, { signal }),
    enabled: id !== null,
    staleTime: 0,
    gcTime: 0,
    refetchInterval: (query) => checkoutPollInterval(query.state.data?.status, query.state.error, slow),
    refetchIntervalInBackground: true,
  });
}
