import type { Plan } from '@visiona/shared';
import { Alert, Spinner } from '@/components/ui';
import { formatPlan } from '@/lib/format';
import type { CheckoutReturnState } from '../hooks/use-checkout-return';
import { checkoutSuccessMessage } from '../utils/checkout-return';
import { findPlan } from '../utils/plans';

export interface CheckoutReturnBannerProps {
  state: CheckoutReturnState | null;
  plans: readonly Plan[] | undefined;
  onDismiss: () => void;
}

function Banner({ state, plans, onDismiss }: CheckoutReturnBannerProps & { state: CheckoutReturnState }) {
  switch (state.kind) {
    case 'pending':
      return state.slow ? (
        <Alert tone="info" icon={<Spinner size="sm" label={null} />} title="Your payment went through at Stripe" data-testid="checkout-pending">
          <p>
            Confirming it is taking longer than usual. This page updates by itself as soon as it is confirmed: there is no
            need to pay again or to reload.
          </p>
        </Alert>
      ) : (
        <Alert tone="info" icon={<Spinner size="sm" label={null} />} title="Confirming your payment with Stripe…" data-testid="checkout-pending">
          <p>This usually takes a few seconds. Your plan and credits update here once it is confirmed.</p>
        </Alert>
      );
    case 'confirmed': {
      const plan = findPlan(plans, state.session.planId);
      const message = plan ? checkoutSuccessMessage(plan) : `You're on ${formatPlan(state.session.planId)}`;
      return (
        <Alert tone="success" title={message} onDismiss={onDismiss} dismissLabel="Dismiss this message" data-testid="checkout-success">
          <p>Your new limits apply now, and the credits are in your balance.</p>
        </Alert>
      );
    }
    case 'canceled':
      return (
        <Alert tone="info" title="Checkout canceled — you have not been charged." onDismiss={onDismiss} dismissLabel="Dismiss this message" data-testid="checkout-canceled">
          <p>You are still on your current plan. Choose a plan below whenever you are ready.</p>
        </Alert>
      );
    case 'expired':
      return (
        <Alert tone="warning" title="This checkout expired before it was paid" onDismiss={onDismiss} dismissLabel="Dismiss this message" data-testid="checkout-expired">
          <p>You have not been charged. Choose a plan below to start again.</p>
        </Alert>
      );
    case 'unknown':
      return (
        <Alert tone="warning" title="We could not follow this checkout" onDismiss={onDismiss} dismissLabel="Dismiss this message" data-testid="checkout-unknown">
          <p>
            {state.error ? `${state.error.message} ` : ''}If you completed a payment, your plan shows here as soon as Stripe has
            confirmed it.
          </p>
        </Alert>
      );
  }
}

/**
 * What happened to the checkout the person came back from. Always in the page (empty when there is
 * nothing to say), so that what it later says is announced politely.
 */
export function CheckoutReturnBanner({ state, plans, onDismiss }: CheckoutReturnBannerProps) {
  return (
    <div className="billing-banner" role="status" aria-live="polite">
      {state ? <Banner state={state} plans={plans} onDismiss={onDismiss} /> : null}
    </div>
  );
}
