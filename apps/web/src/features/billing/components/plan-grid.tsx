import type { Billing, Plan, PlanList } from '@visiona/shared';
import { Badge, Button, Card, Checklist, ErrorState, Icon, Skeleton, SkeletonList, SkeletonText, cx } from '@/components/ui';
import { formatLongDate } from '@/lib/format';
import type { StripeRedirect } from '../hooks/use-stripe-redirect';
import { keepsPaidPlan } from '../utils/subscription';
import { planAction, planAllowances, planPrice } from '../utils/plans';

function PlanPrice({ plan, id }: { plan: Plan; id: string }) {
  const price = planPrice(plan);
  if (price.kind === 'free') {
    return (
      <p className="plan-card__price" id={id}>
        <span className="plan-card__amount">Free</span>
        <span className="plan-card__period">no card needed</span>
      </p>
    );
  }
  if (price.kind === 'unavailable') {
    return (
      <p className="plan-card__price plan-card__price--unavailable" id={id}>
        <span className="plan-card__amount">Price unavailable</span>
        <span className="plan-card__period">Stripe could not be reached. Try again in a moment.</span>
      </p>
    );
  }
  return (
    <p className="plan-card__price" id={id}>
      <span className="plan-card__amount">{price.amount}</span>
      <span className="plan-card__period">{price.period}</span>
    </p>
  );
}

interface PlanCardProps {
  plan: Plan;
  plans: readonly Plan[];
  signupCredits: number;
  /** Undefined while the account loads (the buttons wait for it) or when it could not be loaded. */
  billing: Billing | undefined;
  billingPending: boolean;
  redirect: StripeRedirect;
  /** Payments are on, and no checkout is being confirmed right now. */
  actionsEnabled: boolean;
}

function PlanCard({ plan, plans, signupCredits, billing, billingPending, redirect, actionsEnabled }: PlanCardProps) {
  const action = billing ? planAction(plan, billing, plans) : null;
  const current = action?.kind === 'current';
  const titleId = `plan-${plan.id}-title`;
  const priceId = `plan-${plan.id}-price`;
  const leaving = redirect.leavingTo;
  const busy =
    leaving !== null &&
    action !== null &&
    ((action.kind === 'checkout' && leaving.kind === 'checkout' && leaving.planId === plan.id) || (action.kind === 'portal' && leaving.kind === 'portal'));
  const subscription = billing?.subscription ?? null;
  // The plan people fall back to when a canceled subscription runs out.
  const nextFrom =
    !plan.paid && keepsPaidPlan(subscription) && subscription.cancelAtPeriodEnd && subscription.currentPeriodEnd ? formatLongDate(subscription.currentPeriodEnd) : null;

  let footer;
  if (!billing) {
    footer = billingPending ? <Skeleton height="2.5rem" radius="10px" /> : null;
  } else if (current) {
    footer = (
      <p className="plan-card__current">
        <Icon name="check" size={16} />
        <span>You are on this plan</span>
      </p>
    );
  } else if (action?.kind === 'checkout' || action?.kind === 'portal') {
    footer = (
      <>
        <Button
          variant={action.kind === 'checkout' ? 'primary' : 'secondary'}
          block
          onClick={() => (action.kind === 'checkout' ? redirect.startCheckout(plan.id) : redirect.openPortal())}
          disabled={!actionsEnabled || (leaving !== null && !busy)}
          isLoading={busy}
          loadingText={action.kind === 'checkout' ? 'Opening checkout…' : 'Opening billing portal…'}
          aria-describedby={priceId}
          data-testid={`plan-action-${plan.id}`}
        >
          {action.label}
        </Button>
        <p className="plan-card__hint">
          {action.kind === 'checkout' ? 'Secure payment with Stripe. Cancel any time.' : 'In the billing portal, where your subscription is managed.'}
        </p>
      </>
    );
  } else {
    footer = <p className="plan-card__hint">{nextFrom ? `Your plan from ${nextFrom}.` : 'Every account starts here.'}</p>;
  }

  return (
    <li className={cx('card', 'plan-card', current && 'plan-card--current', plan.paid && 'plan-card--paid')} data-testid="plan-card" data-plan-id={plan.id} aria-labelledby={titleId}>
      <div className="plan-card__head">
        <h3 className="plan-card__name" id={titleId}>
          {plan.name}
        </h3>
        {current ? (
          <Badge tone="accent" data-testid="current-plan-badge">
            Current plan
          </Badge>
        ) : null}
      </div>
      <p className="plan-card__description">{plan.description}</p>
      <PlanPrice plan={plan} id={priceId} />
      <Checklist items={planAllowances(plan, signupCredits)} className="plan-card__allowances" />
      <div className="plan-card__footer">{footer}</div>
    </li>
  );
}

export interface PlanGridProps {
  plans: PlanList | undefined;
  plansError: Error | null;
  onRetryPlans: () => void;
  isRetryingPlans: boolean;
  billing: Billing | undefined;
  billingPending: boolean;
  redirect: StripeRedirect;
  actionsEnabled: boolean;
}

/** The plans side by side (stacked on phones): what each allows and costs, and the way to it. */
export function PlanGrid({ plans, plansError, onRetryPlans, isRetryingPlans, billing, billingPending, redirect, actionsEnabled }: PlanGridProps) {
  let body;
  if (plans) {
    body = (
      <ul className="plan-grid" aria-labelledby="plans-title">
        {plans.plans.map((plan) => (
          <PlanCard key={plan.id} plan={plan} plans={plans.plans} signupCredits={plans.signupCredits} billing={billing} billingPending={billingPending} redirect={redirect} actionsEnabled={actionsEnabled} />
        ))}
      </ul>
    );
  } else if (plansError) {
    body = (
      <Card>
        <ErrorState level={3} className="state--compact" title="The plans could not be loaded" error={plansError} onRetry={onRetryPlans} isRetrying={isRetryingPlans} />
      </Card>
    );
  } else {
    body = (
      <SkeletonList label="Loading the plans" className="plan-grid" rows={3}>
        <li className="card plan-card">
          <Skeleton width="6rem" height="1.25rem" />
          <SkeletonText lines={2} />
          <Skeleton width="7rem" height="2.25rem" />
          <SkeletonText lines={4} />
          <Skeleton height="2.5rem" radius="10px" />
        </li>
      </SkeletonList>
    );
  }

  return (
    <section className="billing-section" aria-labelledby="plans-title">
      <div className="billing-section__head">
        <h2 className="billing-section__title" id="plans-title">
          Plans
        </h2>
        <p className="billing-section__description">
          Every plan uses the same credits. Paid plans add credits every month and raise how much you can do at once.
        </p>
      </div>
      {body}
    </section>
  );
}
