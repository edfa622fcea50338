import type { Subscription } from '@visiona/shared';
import { formatLongDate } from '@/lib/format';

/** Statuses in which the subscription keeps its paid plan (Stripe retries a failed payment while past due). */
export const PLAN_KEEPING_STATUSES: ReadonlySet<Subscription['status']> = new Set(['active', 'trialing', 'past_due']);

/** The subscription still holds a paid plan: a second checkout would be refused, changes go through the portal. */
export function keepsPaidPlan(subscription: Subscription | null): subscription is Subscription {
  return subscription !== null && PLAN_KEEPING_STATUSES.has(subscription.status);
}

export type SubscriptionTone = 'success' | 'accent' | 'warning' | 'danger' | 'neutral';

export interface SubscriptionStatusView {
  /** "Active", "Past due", "Canceling"… */
  label: string;
  /** What it means for the person, e.g. "ends on December 25, 2026"; null when the label says it all. */
  detail: string | null;
  tone: SubscriptionTone;
  /** The label and detail as one line: "Canceling — ends on December 25, 2026". */
  text: string;
}

function view(label: string, detail: string | null, tone: SubscriptionTone): SubscriptionStatusView {
  return { label, detail, tone, text: detail ? `${label} — ${detail}` : label };
}

const on = (iso: string | null, locale?: string) => (iso ? formatLongDate(iso, locale) : null);

/** Where the subscription stands, in words; null without a subscription. */
export function describeSubscription(subscription: Subscription | null, locale?: string): SubscriptionStatusView | null {
  if (!subscription) return null;
  const end = on(subscription.currentPeriodEnd, locale);
  switch (subscription.status) {
    case 'active':
    case 'trialing':
      if (subscription.cancelAtPeriodEnd) return view('Canceling', end ? `ends on ${end}` : 'ends at the end of this period', 'warning');
      return subscription.status === 'trialing' ? view('Trial', end ? `first payment on ${end}` : null, 'accent') : view('Active', null, 'success');
    case 'past_due':
      return view('Past due', 'payment failed, update your card', 'danger');
    case 'unpaid':
      return view('Unpaid', 'payment failed, update your card', 'danger');
    case 'incomplete':
      return view('Incomplete', 'the first payment needs your attention', 'warning');
    case 'incomplete_expired':
      return view('Expired', 'the first payment was never completed', 'neutral');
    case 'paused':
      return view('Paused', null, 'neutral');
    case 'canceled': {
      const ended = on(subscription.endedAt ?? subscription.canceledAt, locale);
      return view('Canceled', ended ? `ended on ${ended}` : null, 'neutral');
    }
    default:
      return view(String(subscription.status), null, 'neutral');
  }
}

export interface RenewalFact {
  /** "Renews on", "Ends on", "Payment due since", "Ended on". */
  label: string;
  /** The date, written out. */
  value: string;
  iso: string;
}

/** The subscription's next (or last) date and what happens then; null when there is none to give. */
export function renewalFact(subscription: Subscription | null, locale?: string): RenewalFact | null {
  if (!subscription) return null;
  const fact = (label: string, iso: string | null): RenewalFact | null => (iso ? { label, value: formatLongDate(iso, locale), iso } : null);
  switch (subscription.status) {
    case 'canceled':
    case 'incomplete_expired':
      return fact('Ended on', subscription.endedAt ?? subscription.canceledAt);
    case 'past_due':
    case 'unpaid':
      // The unpaid invoice is the one that opened the current period.
      return fact('Payment due since', subscription.currentPeriodStart);
    case 'incomplete':
    case 'paused':
      return null;
    case 'trialing':
      return fact(subscription.cancelAtPeriodEnd ? 'Ends on' : 'First payment on', subscription.currentPeriodEnd);
    default:
      return fact(subscription.cancelAtPeriodEnd ? 'Ends on' : 'Renews on', subscription.currentPeriodEnd);
  }
}
