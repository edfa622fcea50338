import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { newIdempotencyKey } from '@/lib/idempotency-key';
import { useCreateCheckoutSession } from '../api/create-checkout-session';
import { useCreatePortalSession } from '../api/create-portal-session';
import { billingQueryKey } from '../api/get-billing';
import { rememberPortalVisit } from '../utils/portal-return';
import { isWebUrl } from '../utils/redirect';

/** Where the person is being sent: Stripe's checkout for a plan, or the customer portal. */
export type StripeDestination = { kind: 'checkout'; planId: string } | { kind: 'portal' };

export interface StripeRedirectError {
  /** What was being opened, so Try again can open it again. */
  destination: StripeDestination;
  error: Error;
}

function invalidAnswer(): ApiError {
  return new ApiError({
    kind: 'invalid-response',
    statusCode: 200,
    error: 'Invalid Response',
    message: 'Stripe did not give a valid address to continue to. Try again in a moment.',
  });
}

/**
 * Opens Stripe's checkout or portal: asks the API for the address, then leaves the page for it.
 * The button keeps its spinner until the page is gone; coming Back to this page (the
 * back-forward cache) makes it usable again.
 */
export function useStripeRedirect() {
  const queryClient = useQueryClient();
  const checkout = useCreateCheckoutSession();
  const portal = useCreatePortalSession();
  const [leavingTo, setLeavingTo] = useState<StripeDestination | null>(null);
  const [failure, setFailure] = useState<StripeRedirectError | null>(null);

  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) setLeavingTo(null);
    };
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, []);

  function leaveFor(url: string, destination: StripeDestination) {
    if (!isWebUrl(url)) {
      setLeavingTo(null);
      setFailure({ destination, error: invalidAnswer() });
      return;
    }
    if (destination.kind === 'portal') rememberPortalVisit();
    window.location.assign(url);
  }

  function fail(destination: StripeDestination, error: Error) {
    setLeavingTo(null);
    setFailure({ destination, error });
    // "Already subscribed" or "no billing account" mean this page's picture of the account is out of date.
    if (error instanceof ApiError && error.statusCode === 409) void queryClient.invalidateQueries({ queryKey: billingQueryKey });
  }

  function open(destination: StripeDestination) {
    if (leavingTo) return;
    setFailure(null);
    setLeavingTo(destination);
    if (destination.kind === 'checkout') {
      checkout.mutate(
        // A new key per click: a retried request returns the same session, a new click a new one.
        { plan: destination.planId, idempotencyKey: newIdempotencyKey() },
        { onSuccess: (session) => leaveFor(session.url, destination), onError: (error) => fail(destination, error) },
      );
    } else {
      portal.mutate(undefined, { onSuccess: ({ url }) => leaveFor(url, destination), onError: (error) => fail(destination, error) });
    }
  }

  return {
    /** Set from the click until the page has left (or the request failed). */
    leavingTo,
    failure,
    startCheckout: (planId: string) => open({ kind: 'checkout', planId }),
    openPortal: () => open({ kind: 'portal' }),
    retry: () => {
      if (failure) open(failure.destination);
    },
    dismissFailure: () => setFailure(null),
  };
}

export type StripeRedirect = ReturnType<typeof useStripeRedirect>;
