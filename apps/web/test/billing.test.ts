import type { Billing, Plan, Subscription } from '@visiona/shared';
import { describe, expect, it } from 'vitest';
import {
  CHECKOUT_POLL_MS,
  CHECKOUT_SLOW_POLL_MS,
  checkoutPollInterval,
  checkoutSuccessMessage,
  creditsPerPeriod,
  isCheckoutSettled,
  parseCheckoutReturn,
  withoutCheckoutParams,
} from '@/features/billing/utils/checkout-return';
import { describeCreditDelta, formatCreditDelta, ledgerEntryLabel } from '@/features/billing/utils/ledger';
import { paymentDescription } from '@/features/billing/utils/payments';
import { affordable, affordableText, planAction, planAllowances, planPrice, planPriceText } from '@/features/billing/utils/plans';
import {
  PORTAL_SYNC_MS,
  PORTAL_SYNC_POLL_MS,
  billingRefetchInterval,
  forgetPortalVisit,
  portalSyncDeadline,
  rememberPortalVisit,
} from '@/features/billing/utils/portal-return';
import { isWebUrl } from '@/features/billing/utils/redirect';
import { describeSubscription, keepsPaidPlan, renewalFact } from '@/features/billing/utils/subscription';
import { clampImageCount, imageCountChoices } from '@/features/generations/utils/options';
import { ApiError } from '@/lib/api-client';
import { formatMoney, moneyFromMinorUnits } from '@/lib/format';
import {
  canRaiseLimit,
  countsAgainstModelLimit,
  imagesPerGenerationHint,
  isAtModelLimit,
  isPlanLimitError,
  modelUsageText,
  planById,
} from '@/lib/plan-limits';

const FREE: Plan = {
  id: 'free',
  name: 'Free',
  description: 'Try Visiona.',
  paid: false,
  price: null,
  monthlyCredits: 0,
  limits: { maxModels: 1, maxConcurrentGenerations: 2, maxImagesPerGeneration: 2 },
};
const PREMIUM: Plan = {
  id: 'premium',
  name: 'Premium',
  description: 'For regular creators.',
  paid: true,
  price: { amountCents: 1900, currency: 'usd', interval: 'month' },
  monthlyCredits: 1000,
  limits: { maxModels: 3, maxConcurrentGenerations: 4, maxImagesPerGeneration: 4 },
};
const PRO: Plan = {
  id: 'pro',
  name: 'Pro',
  description: 'For professionals.',
  paid: true,
  price: { amountCents: 4900, currency: 'usd', interval: 'month' },
  monthlyCredits: 3000,
  limits: { maxModels: 10, maxConcurrentGenerations: 8, maxImagesPerGeneration: 4 },
};
const PLANS = [FREE, PREMIUM, PRO];

function subscription(patch: Partial<Subscription> = {}): Subscription {
  return {
    id: 'sub_123',
    planId: 'premium',
    status: 'active',
    currentPeriodStart: '2026-11-25T12:00:00.000Z',
    currentPeriodEnd: '2026-12-25T12:00:00.000Z',
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    ...patch,
  };
}

function account(plan: Plan, sub: Subscription | null): Pick<Billing, 'plan' | 'subscription'> {
  return { plan, subscription: sub };
}

describe('money', () => {
  it('reads Stripe amounts in the currency’s smallest unit, by Stripe’s list of exceptions', () => {
    expect(moneyFromMinorUnits(1900, 'usd')).toBe(19);
    expect(moneyFromMinorUnits(1900, 'EUR')).toBe(19);
    expect(moneyFromMinorUnits(1200, 'jpy')).toBe(1200);
    expect(moneyFromMinorUnits(5000, 'krw')).toBe(5000);
    expect(moneyFromMinorUnits(12345, 'kwd')).toBe(12.345);
    // Stripe counts ISK in hundredths although Intl shows no decimals for it.
    expect(moneyFromMinorUnits(50000, 'isk')).toBe(500);
  });

  it('formats with the currency’s symbol and decimals; prices may drop a whole amount’s cents', () => {
    expect(formatMoney(1900, 'usd', { locale: 'en-US' })).toBe('$19.00');
    expect(formatMoney(1999, 'usd', { locale: 'en-US' })).toBe('$19.99');
    expect(formatMoney(1900, 'usd', { locale: 'en-US', trimWhole: true })).toBe('$19');
    expect(formatMoney(1999, 'usd', { locale: 'en-US', trimWhole: true })).toBe('$19.99');
    expect(formatMoney(1900, 'eur', { locale: 'en-US' })).toBe('€19.00');
    expect(formatMoney(1900, 'eur', { locale: 'de-DE' })).toBe('19,00\u00a0€');
    expect(formatMoney(1200, 'jpy', { locale: 'en-US' })).toBe('¥1,200');
    expect(formatMoney(123456, 'usd', { locale: 'en-US' })).toBe('$1,234.56');
    expect(formatMoney(0, 'usd', { locale: 'en-US' })).toBe('$0.00');
  });

  it('still says the amount and the code for a currency Intl does not know', () => {
    expect(formatMoney(1900, 'x1', { locale: 'en-US' })).toBe('19.00 X1');
  });
});

describe('plans', () => {
  it('shows the price, "Free", or "Price unavailable" when Stripe could not be reached', () => {
    expect(planPrice(PREMIUM, 'en-US')).toEqual({ kind: 'price', amount: '$19', period: 'per month' });
    expect(planPrice({ paid: true, price: { amountCents: 19000, currency: 'usd', interval: 'year' } }, 'en-US')).toEqual({
      kind: 'price',
      amount: '$190',
      period: 'per year',
    });
    expect(planPrice(FREE)).toEqual({ kind: 'free' });
    expect(planPrice({ ...PREMIUM, price: null })).toEqual({ kind: 'unavailable' });
    expect(planPriceText(PREMIUM, 'en-US')).toBe('$19 per month');
    expect(planPriceText({ ...PREMIUM, price: null })).toBe('Price unavailable');
    expect(planPriceText(FREE)).toBe('Free');
  });

  it('lists what each plan allows: credits, models, generations at once, images per generation', () => {
    expect(planAllowances(FREE, 150)).toEqual(['150 credits to start with', '1 model at a time', '2 generations at once', 'Up to 2 images per generation']);
    expect(planAllowances(PREMIUM, 150)).toEqual(['1,000 credits every month', '3 models at a time', '4 generations at once', 'Up to 4 images per generation']);
    expect(planAllowances({ ...PREMIUM, price: { amountCents: 19000, currency: 'usd', interval: 'year' } }, 150)[0]).toBe('12,000 credits every year');
  });

  it('offers checkout from Free, the portal once subscribed (a second checkout is refused), nothing on the current plan', () => {
    const onFree = account(FREE, null);
    expect(planAction(FREE, onFree, PLANS)).toEqual({ kind: 'current' });
    expect(planAction(PREMIUM, onFree, PLANS)).toEqual({ kind: 'checkout', label: 'Upgrade to Premium' });
    expect(planAction(PRO, onFree, PLANS)).toEqual({ kind: 'checkout', label: 'Upgrade to Pro' });

    const onPremium = account(PREMIUM, subscription());
    expect(planAction(PREMIUM, onPremium, PLANS)).toEqual({ kind: 'current' });
    expect(planAction(PRO, onPremium, PLANS)).toEqual({ kind: 'portal', label: 'Upgrade to Pro' });
    expect(planAction(FREE, onPremium, PLANS)).toEqual({ kind: 'portal', label: 'Switch to Free' });
    const canceling = account(PREMIUM, subscription({ cancelAtPeriodEnd: true }));
    expect(planAction(FREE, canceling, PLANS)).toEqual({ kind: 'none' });
    expect(planAction(PRO, canceling, PLANS)).toEqual({ kind: 'portal', label: 'Upgrade to Pro' });
    const onPro = account(PRO, subscription({ planId: 'pro' }));
    expect(planAction(PREMIUM, onPro, PLANS)).toEqual({ kind: 'portal', label: 'Switch to Premium' });

    // Still past due: the subscription keeps the plan, so changes still go through the portal.
    expect(planAction(PRO, account(PREMIUM, subscription({ status: 'past_due' })), PLANS).kind).toBe('portal');
    // A subscription that ended leaves the person on Free, free to check out again.
    const ended = account(FREE, subscription({ status: 'canceled', endedAt: '2026-12-25T12:00:00.000Z' }));
    expect(planAction(PREMIUM, ended, PLANS)).toEqual({ kind: 'checkout', label: 'Upgrade to Premium' });
    expect(planAction(FREE, ended, PLANS)).toEqual({ kind: 'current' });
  });

  it('says what the balance pays for, from the costs', () => {
    const costs = { trainingCredits: 100, creditsPerImage: 1 };
    expect(affordable(150, costs)).toEqual({ trainings: 1, images: 150 });
    expect(affordableText(150, costs)).toBe('Enough for 1 training or 150 images');
    expect(affordableText(1150, costs)).toBe('Enough for 11 trainings or 1,150 images');
    expect(affordableText(50, costs)).toBe('Enough for 50 images, not for a training');
    expect(affordableText(0, costs)).toBe('Not enough for a training or an image yet');
    expect(affordableText(10, { trainingCredits: 0, creditsPerImage: 5 })).toBe('Enough for 2 images');
    expect(affordableText(10, { trainingCredits: 0, creditsPerImage: 0 })).toBeNull();
  });
});

describe('subscription status', () => {
  it('says where the subscription stands, as one line', () => {
    expect(describeSubscription(null)).toBeNull();
    expect(describeSubscription(subscription(), 'en-US')).toMatchObject({ label: 'Active', text: 'Active', tone: 'success' });
    expect(describeSubscription(subscription({ status: 'past_due' }), 'en-US')?.text).toBe('Past due — payment failed, update your card');
    expect(describeSubscription(subscription({ status: 'past_due' }))?.tone).toBe('danger');
    expect(describeSubscription(subscription({ cancelAtPeriodEnd: true }), 'en-US')?.text).toBe('Canceling — ends on December 25, 2026');
    expect(describeSubscription(subscription({ cancelAtPeriodEnd: true, currentPeriodEnd: null }), 'en-US')?.text).toBe(
      'Canceling — ends at the end of this period',
    );
    expect(describeSubscription(subscription({ status: 'canceled', endedAt: '2026-12-25T12:00:00.000Z' }), 'en-US')?.text).toBe(
      'Canceled — ended on December 25, 2026',
    );
    expect(describeSubscription(subscription({ status: 'canceled' }), 'en-US')?.text).toBe('Canceled');
    expect(describeSubscription(subscription({ status: 'trialing' }), 'en-US')?.text).toBe('Trial — first payment on December 25, 2026');
    expect(describeSubscription(subscription({ status: 'unpaid' }), 'en-US')?.text).toBe('Unpaid — payment failed, update your card');
  });

  it('gives the date that matters next: renewal, end, or the payment that is due', () => {
    expect(renewalFact(null)).toBeNull();
    expect(renewalFact(subscription(), 'en-US')).toEqual({ label: 'Renews on', value: 'December 25, 2026', iso: '2026-12-25T12:00:00.000Z' });
    expect(renewalFact(subscription({ cancelAtPeriodEnd: true }), 'en-US')?.label).toBe('Ends on');
    expect(renewalFact(subscription({ status: 'past_due' }), 'en-US')).toMatchObject({ label: 'Payment due since', value: 'November 25, 2026' });
    expect(renewalFact(subscription({ status: 'canceled', canceledAt: '2026-12-01T12:00:00.000Z' }), 'en-US')).toMatchObject({
      label: 'Ended on',
      value: 'December 1, 2026',
    });
    expect(renewalFact(subscription({ status: 'incomplete' }))).toBeNull();
  });

  it('keeps the paid plan while active, on trial or past due', () => {
    expect(keepsPaidPlan(null)).toBe(false);
    expect(keepsPaidPlan(subscription())).toBe(true);
    expect(keepsPaidPlan(subscription({ status: 'trialing' }))).toBe(true);
    expect(keepsPaidPlan(subscription({ status: 'past_due' }))).toBe(true);
    expect(keepsPaidPlan(subscription({ status: 'canceled' }))).toBe(false);
    expect(keepsPaidPlan(subscription({ status: 'incomplete_expired' }))).toBe(false);
    expect(keepsPaidPlan(subscription({ status: 'unpaid' }))).toBe(false);
  });
});

describe('credit activity and payments', () => {
  const payments = [{ invoiceId: 'in_1', planId: 'premium' }, { invoiceId: 'in_2', planId: 'gold' }];
  const context = { payments, plans: PLANS };

  it('names each movement for people', () => {
    expect(ledgerEntryLabel({ reason: 'signup', reference: 'user_1' }, context)).toBe('Welcome credits');
    expect(ledgerEntryLabel({ reason: 'subscription', reference: 'in_1' }, context)).toBe('Premium credits');
    // A plan no longer offered: its id, as words.
    expect(ledgerEntryLabel({ reason: 'subscription', reference: 'in_2' }, context)).toBe('Gold credits');
    expect(ledgerEntryLabel({ reason: 'subscription', reference: 'in_unknown' }, context)).toBe('Subscription credits');
    expect(ledgerEntryLabel({ reason: 'training', reference: 'm' }, context)).toBe('Model training');
    expect(ledgerEntryLabel({ reason: 'training_refund', reference: 'm' }, context)).toBe('Training refunded');
    expect(ledgerEntryLabel({ reason: 'generation', reference: 'g' }, context)).toBe('Image generation');
    expect(ledgerEntryLabel({ reason: 'generation_refund', reference: 'g' }, context)).toBe('Generation refunded');
    expect(ledgerEntryLabel({ reason: 'support_goodwill', reference: 'x' }, context)).toBe('Support goodwill');
    expect(ledgerEntryLabel({ reason: '', reference: 'x' }, context)).toBe('Credit adjustment');
  });

  it('signs the amounts, with a real minus sign, and says them in words for screen readers', () => {
    expect(formatCreditDelta(1000, 'en-US')).toBe('+1,000');
    expect(formatCreditDelta(-100, 'en-US')).toBe('\u2212100');
    expect(formatCreditDelta(0, 'en-US')).toBe('0');
    expect(describeCreditDelta(1000, 'en-US')).toBe('1,000 credits added');
    expect(describeCreditDelta(-1, 'en-US')).toBe('1 credit spent');
  });

  it('describes a payment by Stripe’s description, else its plan', () => {
    expect(paymentDescription({ description: 'Premium plan renewal', planId: 'premium' }, PREMIUM)).toBe('Premium plan renewal');
    expect(paymentDescription({ description: null, planId: 'premium' }, PREMIUM)).toBe('Premium plan');
    expect(paymentDescription({ description: '  ', planId: null }, undefined)).toBe('Payment');
  });
});

describe('the return from checkout', () => {
  it('reads Stripe’s success and cancel addresses', () => {
    expect(parseCheckoutReturn(new URLSearchParams('checkout=success&session_id=cs_test_a1B2c3'))).toEqual({ kind: 'success', sessionId: 'cs_test_a1B2c3' });
    expect(parseCheckoutReturn(new URLSearchParams('checkout=canceled'))).toEqual({ kind: 'canceled' });
    // The template was not filled in, or something else is in its place: nothing to poll.
    expect(parseCheckoutReturn(new URLSearchParams('checkout=success&session_id={CHECKOUT_SESSION_ID}'))).toEqual({ kind: 'success-unknown' });
    expect(parseCheckoutReturn(new URLSearchParams('checkout=success&session_id=../../me'))).toEqual({ kind: 'success-unknown' });
    expect(parseCheckoutReturn(new URLSearchParams('checkout=success'))).toEqual({ kind: 'success-unknown' });
    expect(parseCheckoutReturn(new URLSearchParams(''))).toBeNull();
    expect(parseCheckoutReturn(new URLSearchParams('checkout=maybe'))).toBeNull();
  });

  it('takes only its own parameters out of the address', () => {
    expect(withoutCheckoutParams(new URLSearchParams('checkout=success&session_id=cs_1&tab=history')).toString()).toBe('tab=history');
  });

  it('polls every second, more slowly once late, and stops when settled', () => {
    expect(checkoutPollInterval('open', null, false)).toBe(CHECKOUT_POLL_MS);
    expect(checkoutPollInterval(undefined, null, false)).toBe(CHECKOUT_POLL_MS);
    expect(checkoutPollInterval('open', null, true)).toBe(CHECKOUT_SLOW_POLL_MS);
    expect(checkoutPollInterval('complete', null, false)).toBe(false);
    expect(checkoutPollInterval('expired', null, true)).toBe(false);
    // No answer, or a 5xx: keep trying. A 404 (not this person's checkout): stop.
    const lost = new ApiError({ kind: 'network', statusCode: 0, error: 'Network Error', message: 'offline' });
    const down = new ApiError({ kind: 'http', statusCode: 503, error: 'Service Unavailable', message: 'down' });
    const missing = new ApiError({ kind: 'http', statusCode: 404, error: 'Not Found', message: 'No such checkout session.' });
    expect(checkoutPollInterval('open', lost, false)).toBe(CHECKOUT_POLL_MS);
    expect(checkoutPollInterval(undefined, down, false)).toBe(CHECKOUT_POLL_MS);
    expect(checkoutPollInterval(undefined, missing, false)).toBe(false);
    expect(isCheckoutSettled(undefined, missing)).toBe(true);
    expect(isCheckoutSettled('open', lost)).toBe(false);
  });

  it('says which plan is active and how many credits came with it', () => {
    expect(checkoutSuccessMessage(PREMIUM)).toBe("You're on Premium — 1,000 credits added");
    expect(checkoutSuccessMessage({ ...PRO, price: { amountCents: 49000, currency: 'usd', interval: 'year' } })).toBe("You're on Pro — 36,000 credits added");
    expect(checkoutSuccessMessage({ ...PREMIUM, monthlyCredits: 0 })).toBe("You're on Premium");
    expect(creditsPerPeriod(FREE)).toBe(0);
  });

  it('follows only web addresses from the API', () => {
    expect(isWebUrl('https://checkout.stripe.com/c/pay/cs_test_1')).toBe(true);
    expect(isWebUrl('http://127.0.0.1:8790/c/pay/cs_test_1')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('/billing')).toBe(false);
    expect(isWebUrl('')).toBe(false);
  });
});

describe('the return from the billing portal', () => {
  function memoryStorage() {
    const items = new Map<string, string>();
    return {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
  }

  it('reads the account again for a while after the portal, then stops', () => {
    const storage = memoryStorage();
    const opened = Date.parse('2026-11-25T12:00:00Z');
    expect(portalSyncDeadline(storage, opened)).toBe(0);
    rememberPortalVisit(storage, opened);
    const back = opened + 90_000;
    const until = portalSyncDeadline(storage, back);
    expect(until).toBe(back + PORTAL_SYNC_MS);
    expect(billingRefetchInterval(until, back + 1000)).toBe(PORTAL_SYNC_POLL_MS);
    expect(billingRefetchInterval(until, until)).toBe(false);
    expect(billingRefetchInterval(0, back)).toBe(false);
    // Noted once: the next visit is an ordinary one.
    forgetPortalVisit(storage);
    expect(portalSyncDeadline(storage, back + 5000)).toBe(0);
  });

  it('does not take a visit from long ago (or a broken one) for a return', () => {
    const storage = memoryStorage();
    const opened = Date.parse('2026-11-25T12:00:00Z');
    rememberPortalVisit(storage, opened);
    expect(portalSyncDeadline(storage, opened + 2 * 60 * 60_000)).toBe(0);
    storage.setItem('visiona.billing.portalOpenedAt', 'yesterday');
    expect(portalSyncDeadline(storage, opened)).toBe(0);
    expect(portalSyncDeadline(null, opened)).toBe(0);
    const refuse = () => {
      throw new Error('SecurityError');
    };
    const blocked = { getItem: refuse, setItem: refuse, removeItem: refuse };
    expect(() => rememberPortalVisit(blocked, opened)).not.toThrow();
    expect(portalSyncDeadline(blocked, opened)).toBe(0);
  });
});

describe('plan limits on other pages', () => {
  it('finds the plan by id, falling back to the free plan as the API does', () => {
    expect(planById(PLANS, 'pro')).toBe(PRO);
    expect(planById(PLANS, 'retired-plan')).toBe(FREE);
    expect(planById(PLANS, undefined)).toBeUndefined();
    expect(planById([], 'free')).toBeUndefined();
  });

  it('offers an upgrade only when some plan allows more', () => {
    expect(canRaiseLimit(PLANS, FREE, 'maxImagesPerGeneration')).toBe(true);
    expect(canRaiseLimit(PLANS, PREMIUM, 'maxImagesPerGeneration')).toBe(false);
    expect(canRaiseLimit(PLANS, PREMIUM, 'maxModels')).toBe(true);
    expect(canRaiseLimit(PLANS, PRO, 'maxModels')).toBe(false);
  });

  it('words the limits as the pages show them', () => {
    expect(imagesPerGenerationHint(FREE)).toBe('Up to 2 images on Free');
    expect(imagesPerGenerationHint({ name: 'Solo', limits: { ...FREE.limits, maxImagesPerGeneration: 1 } })).toBe('Up to 1 image on Solo');
    expect(modelUsageText(1, FREE)).toBe('1 of 1 models on Free');
    expect(modelUsageText(0, FREE)).toBe('0 of 1 models on Free');
    expect(modelUsageText(2, PREMIUM)).toBe('2 of 3 models on Premium');
  });

  it('counts training and ready models against the limit, not failed or canceled ones', () => {
    expect(['Processing', 'Ready', 'Failed', 'Canceled'].filter(countsAgainstModelLimit)).toEqual(['Processing', 'Ready']);
    expect(isAtModelLimit(1, FREE)).toBe(true);
    expect(isAtModelLimit(0, FREE)).toBe(false);
    expect(isAtModelLimit(2, PREMIUM)).toBe(false);
  });

  it('offers no more images than the plan makes, and brings a larger choice down', () => {
    expect(imageCountChoices()).toEqual([1, 2, 3, 4]);
    expect(imageCountChoices(2)).toEqual([1, 2]);
    expect(imageCountChoices(10)).toEqual([1, 2, 3, 4]);
    expect(imageCountChoices(0)).toEqual([1]);
    expect(clampImageCount(4, 2)).toBe(2);
    expect(clampImageCount(1, 2)).toBe(1);
    expect(clampImageCount(3, undefined)).toBe(3);
  });

  it('recognises the refusals that come from the plan', () => {
    const limit = new ApiError({ kind: 'http', statusCode: 403, error: 'Forbidden', message: 'Your Free plan allows 1 model at a time…', code: 'plan_limit' });
    const running = new ApiError({ kind: 'http', statusCode: 429, error: 'Too Many Requests', message: 'Your Free plan runs 2 generations at once…', code: 'too_many_running' });
    const scope = new ApiError({ kind: 'http', statusCode: 403, error: 'Forbidden', message: 'Missing scope', code: 'insufficient_scope' });
    const rate = new ApiError({ kind: 'http', statusCode: 429, error: 'Too Many Requests', message: 'Slow down', code: 'rate_limited' });
    expect(isPlanLimitError(limit)).toBe(true);
    expect(isPlanLimitError(running)).toBe(true);
    expect(isPlanLimitError(scope)).toBe(false);
    expect(isPlanLimitError(rate)).toBe(false);
    expect(isPlanLimitError(new Error('plan_limit'))).toBe(false);
  });
});
