import { useMutation } from '@tanstack/react-query';
import type { PortalSession } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';

/** Stripe's customer portal (change plan, cancel, card, invoices); the person is sent to its `url`. */
export function createPortalSession(): Promise<PortalSession> {
  return apiFetch<PortalSession>('/api/v1/billing/portal', { method: 'POST' });
}

export function useCreatePortalSession() {
  return useMutation({ mutationFn: createPortalSession });
}
