import type { CheckoutSession, Plan } from '@visiona/shared';
import { ApiError } from '@/lib/api-client';
import { formatCredits } from '@/lib/format';

/** Poll every second while Stripe's webhook is normally seconds away… */
export const CHECKOUT_POLL_MS = 1000;
/** …and every few seconds once it is late (the page still updates by itself). */
export const CHECKOUT_SLOW_POLL_MS = 5000;
/** After this long without confirmation, the page says it is taking longer. */
export const CHECKOUT_SLOW_AFTER_MS = 60_000;

const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;

/**
 * Where Stripe sent the person back from (`success_url` and `cancel_url` of the checkout):
 * - `success`: paid; the session is polled until the webhook has activated the plan;
 * - `success-unknown`: paid, but the address lost the session id: only the account can say;
 * - `canceled`: left the checkout; nothing was charged.
 */
export type CheckoutReturn = { kind: 'success'; sessionId: string } | { kind: 'success-unknown' } | { kind: 'canceled' };

export function parseCheckoutReturn(params: URLSearchParams): CheckoutReturn | null {
  const checkout = params.get('checkout');
  if (checkout === 'canceled') return { kind: 'canceled' };
  if (checkout !== 'success') return null;
  const sessionId = params.get('session_id') ?? '';
  return SESSION_ID.test(sessionId) ? { kind: 'success', sessionId } : { kind: 'success-unknown' };
}

/** The address without the checkout's parameters (anything else in it is kept). */
export function withoutCheckoutParams(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('checkout');
  next.delete('session_id');
  return next;
}

/** Whether the answer settles the checkout: confirmed, expired, or refused for good (not ours, malformed). */
export function isCheckoutSettled(status: CheckoutSession['status'] | undefined, error: unknown): boolean {
  if (status === 'complete' || status === 'expired') return true;
  return error instanceof ApiError && !error.isTransient;
}

/** The polling interval of GET /billing/checkout/{id}; false once settled. Lost answers keep it polling. */
export function checkoutPollInterval(status: CheckoutSession['status'] | undefined, error: unknown, slow: boolean): number | false {
  if (isCheckoutSettled(status, error)) return false;
  return slow ? CHECKOUT_SLOW_POLL_MS : CHECKOUT_POLL_MS;
}

/** Credits the plan adds each billing period (a yearly price pays a year of months at once). */
export function creditsPerPeriod(plan: Pick<Plan, 'monthlyCredits' | 'price'>): number {
  return plan.monthlyCredits * (plan.price?.interval === 'year' ? 12 : 1);
}

/** "You're on Premium — 1,000 credits added". */
export function checkoutSuccessMessage(plan: Pick<Plan, 'name' | 'monthlyCredits' | 'price'>): string {
  const credits = creditsPerPeriod(plan);
  return credits > 0 ? `You're on ${plan.name} — ${formatCredits(credits)} added` : `You're on ${plan.name}`;
}
