import type { Billing } from '@visiona/shared';
import { Alert, Badge, Button, Card, CardHeader, Icon } from '@/components/ui';
import type { StripeRedirect } from '../hooks/use-stripe-redirect';
import { planPriceText } from '../utils/plans';
import { describeSubscription, keepsPaidPlan, renewalFact } from '../utils/subscription';

export interface SubscriptionPanelProps {
  billing: Billing;
  redirect: StripeRedirect;
  /** The plan of a later checkout is being confirmed: the portal waits. */
  actionsEnabled: boolean;
}

/** The plan the person is on, where the subscription stands, what they use of it, and the way to manage it. */
export function SubscriptionPanel({ billing, redirect, actionsEnabled }: SubscriptionPanelProps) {
  const { plan, subscription, usage, canManage } = billing;
  const status = describeSubscription(subscription);
  const renewal = renewalFact(subscription);
  const paying = keepsPaidPlan(subscription);
  const openingPortal = redirect.leavingTo?.kind === 'portal';

  return (
    <Card aria-labelledby="subscription-title" className="subscription-panel" data-testid="subscription-panel">
      <CardHeader id="subscription-title" title="Your plan" />
      <div className="subscription-panel__plan">
        <span className="icon-tile" aria-hidden="true">
          <Icon name="billing" size={22} />
        </span>
        <div>
          <p className="subscription-panel__name" data-testid="current-plan">
            {plan.name}
          </p>
          <p className="subscription-panel__price">{plan.paid ? planPriceText(plan) : 'No subscription'}</p>
        </div>
      </div>

      <dl className="facts">
        <div className="facts__row">
          <dt>Status</dt>
          <dd data-testid="subscription-status">
            {status ? (
              <span className="subscription-panel__status">
                <Badge tone={status.tone}>{status.label}</Badge>
                {status.detail ? (
                  <span className="subscription-panel__detail">
                    <span className="sr-only"> — </span>
                    {status.detail}
                  </span>
                ) : null}
              </span>
            ) : (
              'Free plan'
            )}
          </dd>
        </div>
        {/* A canceling subscription's end date is already in its status. */}
        {renewal && !subscription?.cancelAtPeriodEnd ? (
          <div className="facts__row">
            <dt>{renewal.label}</dt>
            <dd data-testid="subscription-renewal">
              <time dateTime={renewal.iso}>{renewal.value}</time>
            </dd>
          </div>
        ) : null}
        <div className="facts__row">
          <dt>Models</dt>
          <dd data-testid="usage-models">
            {usage.models} of {plan.limits.maxModels}
          </dd>
        </div>
        <div className="facts__row">
          <dt>Generations running</dt>
          <dd data-testid="usage-generations">
            {usage.runningGenerations} of {plan.limits.maxConcurrentGenerations}
          </dd>
        </div>
      </dl>

      {subscription?.status === 'past_due' || subscription?.status === 'unpaid' ? (
        <Alert tone="danger" title="Your last payment failed">
          <p>
            Update your card in the billing portal to keep {plan.name}. Stripe tries the payment again over the next few days.
          </p>
        </Alert>
      ) : null}
      {paying && subscription.cancelAtPeriodEnd && renewal ? (
        <Alert tone="info" title="Your subscription will not renew">
          <p>
            You keep {plan.name} and its limits until {renewal.value}, then move to the free plan. Your credits stay yours.
            Changed your mind? Renew it in the billing portal.
          </p>
        </Alert>
      ) : null}

      {canManage ? (
        <div className="subscription-panel__manage">
          <Button
            variant={subscription?.status === 'past_due' || subscription?.status === 'unpaid' ? 'primary' : 'secondary'}
            onClick={redirect.openPortal}
            isLoading={openingPortal}
            loadingText="Opening billing portal…"
            disabled={!actionsEnabled || (redirect.leavingTo !== null && !openingPortal)}
            icon={<Icon name="external" size={16} />}
          >
            Manage billing
          </Button>
          <p className="subscription-panel__hint">
            {paying
              ? 'Change or cancel your plan, update your card and download invoices, in Stripe’s secure portal.'
              : 'Your payment details and past invoices, in Stripe’s secure portal.'}
          </p>
        </div>
      ) : (
        <p className="subscription-panel__hint">Upgrade below for monthly credits and higher limits. Payments are handled securely by Stripe.</p>
      )}
    </Card>
  );
}
