import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, ErrorState, Icon, PageHeader, RequestId, Skeleton, SkeletonList, SkeletonText, focusMainContent } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { useBilling, billingQueryKey } from '../api/get-billing';
import { usePlans } from '../api/get-plans';
import { useCheckoutReturn } from '../hooks/use-checkout-return';
import { useStripeRedirect, type StripeRedirect } from '../hooks/use-stripe-redirect';
import type { CheckoutReturn } from '../utils/checkout-return';
import { billingRefetchInterval, forgetPortalVisit, portalSyncDeadline } from '../utils/portal-return';
import { CheckoutReturnBanner } from './checkout-return-banner';
import { CreditActivity } from './credit-activity';
import { CreditsPanel } from './credits-panel';
import { PaymentHistory } from './payment-history';
import { PlanGrid } from './plan-grid';
import { SubscriptionPanel } from './subscription-panel';

export interface BillingPageProps {
  /** The server takes payments (`features.billing`). */
  paymentsEnabled: boolean;
  /** Stripe's return to this page (`?checkout=…`), read once when the page opened. */
  checkoutReturn: CheckoutReturn | null;
  /** Takes `checkout` and `session_id` out of the address. */
  onClearCheckoutParams: () => void;
  /** A plan became active: credits were added, and the header's balance should refresh. */
  onCreditsChanged: () => void;
}

/** Why Stripe could not be opened, and what to do about it. */
function RedirectFailure({ redirect }: { redirect: StripeRedirect }) {
  const ref = useRef<HTMLDivElement>(null);
  const failure = redirect.failure;
  useEffect(() => {
    if (failure) ref.current?.focus();
  }, [failure]);
  if (!failure) return null;
  const { error, destination } = failure;
  const api = error instanceof ApiError ? error : null;
  const code = api?.code;
  const transient = api ? api.isTransient : true;
  const title = destination.kind === 'checkout' ? 'The checkout could not be opened' : 'The billing portal could not be opened';
  return (
    <Alert tone="danger" role="alert" ref={ref} focusable className="form-alert" title={title} onDismiss={redirect.dismissFailure} dismissLabel="Dismiss this error" data-testid="billing-error">
      <p>{error.message}</p>
      {code === 'already_subscribed' ? (
        <div>
          <Button size="sm" variant="secondary" onClick={redirect.openPortal} icon={<Icon name="external" size={14} />}>
            Manage billing
          </Button>
        </div>
      ) : null}
      {transient ? (
        <div>
          <Button size="sm" variant="secondary" onClick={redirect.retry} icon={<Icon name="refresh" size={14} />}>
            Try again
          </Button>
        </div>
      ) : null}
      {!api || api.kind !== 'http' || api.statusCode >= 500 ? <RequestId id={api?.requestId} /> : null}
    </Alert>
  );
}

function OverviewSkeleton() {
  return (
    <div className="billing-overview" aria-busy="true">
      <p className="sr-only" role="status">
        Loading your plan and credits
      </p>
      {[0, 1].map((key) => (
        <Card key={key} aria-hidden="true">
          <Skeleton width="7rem" height="1.25rem" />
          <div className="skeleton-row">
            <Skeleton width="2.75rem" height="2.75rem" radius="10px" />
            <SkeletonText lines={2} />
          </div>
          <SkeletonText lines={4} />
        </Card>
      ))}
    </div>
  );
}

function HistorySkeleton() {
  return (
    <div className="billing-history">
      {['Credit activity', 'Payments'].map((title) => (
        <Card key={title}>
          <Skeleton width="9rem" height="1.25rem" />
          <SkeletonList label={`Loading ${title.toLowerCase()}`} className="ledger-list" rows={3}>
            <li className="ledger-item">
              <Skeleton width="2.25rem" height="2.25rem" radius="10px" />
              <SkeletonText lines={2} />
            </li>
          </SkeletonList>
        </Card>
      ))}
    </div>
  );
}

/** Billing: the plan and its subscription, credits and what they buy, the plans to change to, and the history. */
export function BillingPage({ paymentsEnabled, checkoutReturn, onClearCheckoutParams, onCreditsChanged }: BillingPageProps) {
  const queryClient = useQueryClient();
  // Back from the portal: what was changed there arrives by webhook, so read the account again for a little while.
  const [syncUntil] = useState(() => portalSyncDeadline());
  useEffect(() => forgetPortalVisit(), []);
  const billing = useBilling({ refetchInterval: () => billingRefetchInterval(syncUntil) });
  const plans = usePlans();
  const redirect = useStripeRedirect();
  const checkout = useCheckoutReturn({
    initial: checkoutReturn,
    onConfirmed: () => {
      void queryClient.invalidateQueries({ queryKey: billingQueryKey });
      onCreditsChanged();
    },
    clearAddress: onClearCheckoutParams,
  });
  const confirming = checkout.state?.kind === 'pending';
  // While a paid checkout is being confirmed, another one would be refused (or pay twice): wait.
  const actionsEnabled = paymentsEnabled && !confirming;
  const planList = plans.data?.plans;

  let overview;
  let history;
  if (billing.data) {
    overview = (
      <div className="billing-overview">
        <SubscriptionPanel billing={billing.data} redirect={redirect} actionsEnabled={actionsEnabled} />
        <CreditsPanel billing={billing.data} costs={plans.data?.costs} />
      </div>
    );
    history = (
      <div className="billing-history">
        <CreditActivity billing={billing.data} plans={planList ?? []} />
        <PaymentHistory payments={billing.data.payments} plans={planList ?? []} />
      </div>
    );
  } else if (billing.isPending) {
    overview = <OverviewSkeleton />;
    history = <HistorySkeleton />;
  } else {
    overview = (
      <Card padding="lg">
        <ErrorState
          title="Your plan and credits could not be loaded"
          error={billing.error}
          onRetry={() => void billing.refetch()}
          isRetrying={billing.isFetching}
        />
      </Card>
    );
    history = null;
  }

  return (
    <div className="page page--billing">
      <PageHeader title="Billing" description="Your plan, your credits and what they buy, and your payments. Payments are handled securely by Stripe." />
      <CheckoutReturnBanner
        state={checkout.state}
        plans={planList}
        onDismiss={() => {
          checkout.dismiss();
          focusMainContent();
        }}
      />
      {!paymentsEnabled ? (
        <Alert tone="warning" title="This server does not take payments">
          <p>Whoever runs this Visiona server has not set up payments, so plans cannot be changed here yet. Your credits work as usual.</p>
        </Alert>
      ) : null}
      <RedirectFailure redirect={redirect} />
      {billing.data && billing.isError ? (
        <Alert tone="warning" role="status">
          <p>This page could not be refreshed, so it may be out of date. {billing.error.message}</p>
        </Alert>
      ) : null}
      {overview}
      <PlanGrid
        plans={plans.data}
        plansError={plans.error}
        onRetryPlans={() => void plans.refetch()}
        isRetryingPlans={plans.isFetching}
        billing={billing.data}
        billingPending={billing.isPending}
        redirect={redirect}
        actionsEnabled={actionsEnabled}
      />
      {history}
    </div>
  );
}
