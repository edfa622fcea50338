import type { Billing, Plan, PlanList } from '@visiona/shared';
import { formatCount, formatCredits, formatMoney } from '@/lib/format';
import { keepsPaidPlan } from './subscription';

export type PriceView =
  /** The free plan. */
  | { kind: 'free' }
  /** "$19" and "per month". */
  | { kind: 'price'; amount: string; period: string }
  /** A paid plan whose price Stripe could not tell the API just now. */
  | { kind: 'unavailable' };

export function planPrice(plan: Pick<Plan, 'paid' | 'price'>, locale?: string): PriceView {
  if (!plan.paid) return { kind: 'free' };
  if (!plan.price) return { kind: 'unavailable' };
  return {
    kind: 'price',
    amount: formatMoney(plan.price.amountCents, plan.price.currency, { trimWhole: true, locale }),
    period: plan.price.interval === 'year' ? 'per year' : 'per month',
  };
}

/** "$19 per month", "Free", "Price unavailable": the price in one line (for buttons and screen readers). */
export function planPriceText(plan: Pick<Plan, 'paid' | 'price'>, locale?: string): string {
  const price = planPrice(plan, locale);
  if (price.kind === 'free') return 'Free';
  if (price.kind === 'unavailable') return 'Price unavailable';
  return `${price.amount} ${price.period}`;
}

/** What a plan allows, one line each, in the order people compare them. */
export function planAllowances(plan: Pick<Plan, 'paid' | 'monthlyCredits' | 'price' | 'limits'>, signupCredits: number): string[] {
  const credits = plan.paid
    ? `${formatCredits(plan.monthlyCredits * (plan.price?.interval === 'year' ? 12 : 1))} every ${plan.price?.interval === 'year' ? 'year' : 'month'}`
    : `${formatCredits(signupCredits)} to start with`;
  const { maxModels, maxConcurrentGenerations, maxImagesPerGeneration } = plan.limits;
  return [
    credits,
    `${formatCount(maxModels, 'model')} at a time`,
    `${formatCount(maxConcurrentGenerations, 'generation')} at once`,
    `Up to ${formatCount(maxImagesPerGeneration, 'image')} per generation`,
  ];
}

/**
 * What a plan card's button does:
 * - `current`: the person is on it;
 * - `checkout`: Stripe's checkout for a first subscription;
 * - `portal`: a subscription already exists, so plan changes (and going back to Free) happen in Stripe's
 *   portal (the API refuses a second checkout with 409 `already_subscribed`);
 * - `none`: nothing to do (the free plan while not subscribed, or once going back to it is scheduled).
 */
export type PlanAction = { kind: 'current' } | { kind: 'checkout' | 'portal'; label: string } | { kind: 'none' };

export function planAction(plan: Pick<Plan, 'id' | 'name' | 'paid'>, billing: Pick<Billing, 'plan' | 'subscription'>, plans: readonly Pick<Plan, 'id'>[]): PlanAction {
  if (plan.id === billing.plan.id) return { kind: 'current' };
  const subscription = billing.subscription;
  const subscribed = keepsPaidPlan(subscription);
  const rank = (id: string) => plans.findIndex((p) => p.id === id);
  const verb = rank(plan.id) > rank(billing.plan.id) ? 'Upgrade' : 'Switch';
  if (!plan.paid) {
    // Going back to Free is canceling; once that is scheduled there is nothing more to do.
    return subscribed && !subscription.cancelAtPeriodEnd ? { kind: 'portal', label: `Switch to ${plan.name}` } : { kind: 'none' };
  }
  return { kind: subscribed ? 'portal' : 'checkout', label: `${verb} to ${plan.name}` };
}

/** A plan of the list by id (for names of plans in payments and checkouts). */
export function findPlan(plans: readonly Plan[] | undefined, id: string | null | undefined): Plan | undefined {
  return id ? plans?.find((plan) => plan.id === id) : undefined;
}

export interface Affordable {
  /** Whole trainings the balance pays for; null when training costs nothing. */
  trainings: number | null;
  images: number | null;
}

export function affordable(balance: number, costs: PlanList['costs']): Affordable {
  const count = (cost: number) => (cost > 0 ? Math.floor(Math.max(0, balance) / cost) : null);
  return { trainings: count(costs.trainingCredits), images: count(costs.creditsPerImage) };
}

/** "Enough for 1 training or 150 images", "Enough for 50 images, not for a training". */
export function affordableText(balance: number, costs: PlanList['costs']): string | null {
  const { trainings, images } = affordable(balance, costs);
  const parts: string[] = [];
  if (trainings !== null && trainings > 0) parts.push(formatCount(trainings, 'training'));
  if (images !== null && images > 0) parts.push(formatCount(images, 'image'));
  if (parts.length === 0) return trainings === null && images === null ? null : 'Not enough for a training or an image yet';
  const text = `Enough for ${parts.join(' or ')}`;
  return trainings === 0 ? `${text}, not for a training` : text;
}
