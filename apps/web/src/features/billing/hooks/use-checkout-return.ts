import { useEffect, useRef, useState } from 'react';
import type { CheckoutSession } from '@visiona/shared';
import { useCheckoutSession } from '../api/get-checkout-session';
import { CHECKOUT_SLOW_AFTER_MS, isCheckoutSettled, type CheckoutReturn } from '../utils/checkout-return';

export interface UseCheckoutReturnOptions {
  /** What the address said when the page opened (Stripe's success or cancel URL), or null. */
  initial: CheckoutReturn | null;
  /** The plan is active (or may be): billing and the header's balance should be read again. */
  onConfirmed: () => void;
  /** Takes the checkout's parameters out of the address (history replace), once they have done their job. */
  clearAddress: () => void;
}

/**
 * What the page says about a checkout it came back from:
 * - `pending`: paid at Stripe, waiting for the webhook (`slow` after a minute);
 * - `confirmed`: the plan is active (the session, for its plan);
 * - `expired`: the checkout ended unpaid;
 * - `unknown`: back from a payment without a session to follow, or one the API does not know;
 * - `canceled`: left the checkout without paying.
 */
export type CheckoutReturnState =
  | { kind: 'pending'; slow: boolean }
  | { kind: 'confirmed'; session: CheckoutSession }
  | { kind: 'expired' }
  | { kind: 'unknown'; error: Error | null }
  | { kind: 'canceled' };

export function useCheckoutReturn({ initial, onConfirmed, clearAddress }: UseCheckoutReturnOptions) {
  const [handled, setHandled] = useState<CheckoutReturn | null>(initial);
  const [slow, setSlow] = useState(false);
  const sessionId = handled?.kind === 'success' ? handled.sessionId : null;
  const session = useCheckoutSession(sessionId, { slow });
  const status = session.data?.status;
  const settled = isCheckoutSettled(status, session.error);
  const callbacks = useRef({ onConfirmed, clearAddress });
  useEffect(() => {
    callbacks.current = { onConfirmed, clearAddress };
  });

  // After a minute without the webhook, say so and poll less often (it keeps going).
  useEffect(() => {
    if (sessionId === null || settled) return;
    const timer = setTimeout(() => setSlow(true), CHECKOUT_SLOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [sessionId, settled]);

  // Once the checkout is settled, the address has said what it had to: a reload should not start over.
  const done = useRef(false);
  useEffect(() => {
    if (done.current || handled === null) return;
    if (handled.kind === 'success' && !settled) return;
    done.current = true;
    if (handled.kind === 'success-unknown' || status === 'complete') callbacks.current.onConfirmed();
    callbacks.current.clearAddress();
  }, [handled, settled, status]);

  let state: CheckoutReturnState | null = null;
  if (handled?.kind === 'canceled') state = { kind: 'canceled' };
  else if (handled?.kind === 'success-unknown') state = { kind: 'unknown', error: null };
  else if (handled?.kind === 'success') {
    if (status === 'complete' && session.data) state = { kind: 'confirmed', session: session.data };
    else if (status === 'expired') state = { kind: 'expired' };
    else if (settled) state = { kind: 'unknown', error: session.error };
    else state = { kind: 'pending', slow };
  }

  return {
    state,
    /** Hides the banner (the pending one cannot be dismissed: it is still working). */
    dismiss: () => setHandled(null),
  };
}
