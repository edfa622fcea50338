import { useMutation } from '@tanstack/react-query';
import type { CheckoutRequest, CheckoutSession } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';

export interface CreateCheckoutInput {
  plan: CheckoutRequest['plan'];
  /** One per click: a retried request gets the same Stripe session back, a new click a new one. */
  idempotencyKey: string;
}

/** A Stripe-hosted checkout for a paid plan; the person is sent to its `url` to pay. */
export function createCheckoutSession({ plan, idempotencyKey }: CreateCheckoutInput): Promise<CheckoutSession> {
  const body: CheckoutRequest = { plan };
  return apiFetch<CheckoutSession>('/api/v1/billing/checkout', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } });
}

export function useCreateCheckoutSession() {
  return useMutation({ mutationFn: createCheckoutSession });
}
