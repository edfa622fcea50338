/**
 * End-to-end: billing through Stripe (the emulator, in this process, sending signed webhooks to the
 * API). Sign up, see the Free plan and the welcome credits, upgrade to Premium on Stripe's hosted
 * checkout, come back to the pending state (webhooks held, then late), see Premium with its credits in
 * the page and the header, cancel in the customer portal and come back to "Canceling". Also: Stripe
 * unreachable (503, Try again), leaving the checkout (and a declined card) charges nothing, and the page
 * at 390px, light and dark.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Billing, CheckoutSession, Payment, SessionResponse } from '@visiona/shared';
import {
  apiSignUp,
  callApi,
  e2e,
  fetchMe,
  newPage,
  noHorizontalOverflow,
  pathOf,
  seedSession,
  setupE2E,
  shot,
  signUpInBrowser,
  uncaughtErrors,
  uniqueEmail,
  watchPosts,
} from './support/e2e';

setupE2E();

afterEach(() => e2e.stripe.faults.reset());

const headerBalance = (page: Page) => page.locator('.topbar').getByTestId('credit-balance').textContent();

async function fetchBilling(token: string): Promise<Billing> {
  const res = await callApi(token, '/api/v1/billing');
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Billing;
}

/** A date as the page writes it: the browser's own locale and time zone. */
function longDateInPage(page: Page, iso: string): Promise<string> {
  return page.evaluate((value) => new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(value)), iso);
}

/** Subscribes through the API and the emulator's Pay, as a script would; waits until the plan is active. */
async function subscribeThroughApi(token: string, plan: string): Promise<void> {
  const res = await callApi(token, '/api/v1/billing/checkout', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ plan }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const session = (await res.json()) as CheckoutSession;
  e2e.stripe.control.pay(session.id);
  await e2e.stripe.webhooksIdle();
  await expect.poll(async () => (await fetchBilling(token)).plan.id, { timeout: 15_000 }).toBe(plan);
}

describe('billing', () => {
  it('upgrades to Premium through Stripe checkout, then cancels in the billing portal', async () => {
    const { context, page } = await newPage({ width: 1280, height: 900 });
    const checkoutPosts = watchPosts(page, '/api/v1/billing/checkout');
    const portalPosts = watchPosts(page, '/api/v1/billing/portal');
    const sessionPolls: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname.startsWith('/api/v1/billing/checkout/')) sessionPolls.push(req.url());
    });
    try {
      const token = await signUpInBrowser(page, uniqueEmail('billing'));
      const { signupCredits, costs } = (await (await fetch(`${e2e.apiUrl}/api/v1/billing/plans`)).json()) as { signupCredits: number; costs: { trainingCredits: number } };
      expect(signupCredits).toBe(150);

      // Billing, from the navigation: Free, the welcome credits, the plans side by side.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
      await expect.poll(() => page.title()).toBe('Billing · Visiona');
      const currentPlan = page.getByTestId('current-plan');
      await expect.poll(() => currentPlan.textContent()).toBe('Free');
      expect(await page.getByTestId('subscription-status').textContent()).toBe('Free plan');
      expect(await page.getByTestId('billing-balance').textContent()).toBe('150 credits');
      await expect.poll(() => page.getByTestId('cost-training').textContent()).toBe(`${costs.trainingCredits} credits`);
      expect(await page.getByTestId('cost-image').textContent()).toBe(`${e2e.config.generation.creditsPerImage} credit${e2e.config.generation.creditsPerImage === 1 ? '' : 's'}`);
      await page.getByText('Enough for 1 training or 150 images').waitFor();

      const cards = page.getByTestId('plan-card');
      await expect.poll(() => cards.count()).toBe(3);
      expect(await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-plan-id')))).toEqual(['free', 'premium', 'pro']);
      const free = cards.filter({ has: page.getByRole('heading', { name: 'Free' }) });
      const premium = cards.filter({ has: page.getByRole('heading', { name: 'Premium' }) });
      await free.getByTestId('current-plan-badge').waitFor();
      expect(await premium.getByTestId('current-plan-badge').count()).toBe(0);
      // What each allows, and the price from Stripe.
      const premiumText = (await premium.textContent()) ?? '';
      for (const line of ['$19', 'per month', '1,000 credits every month', '3 models at a time', '4 generations at once', 'Up to 4 images per generation']) {
        expect(premiumText).toContain(line);
      }
      expect(await free.textContent()).toContain('Up to 2 images per generation');
      expect(await cards.filter({ has: page.getByRole('heading', { name: 'Pro' }) }).textContent()).toContain('$49');
      // Side by side on a desktop.
      const tops = await cards.evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);

      // The history: the welcome credits, no payments.
      const ledger = page.getByTestId('ledger-entry');
      await expect.poll(() => ledger.count()).toBe(1);
      expect(await ledger.first().textContent()).toContain('Welcome credits');
      expect(await ledger.first().textContent()).toContain('+150');
      await page.getByRole('heading', { name: 'No payments yet' }).waitFor();
      await shot(page, 'billing-free');

      // Upgrade: one checkout request with an Idempotency-Key, then Stripe's hosted checkout.
      await page.clock.install();
      await page.getByRole('button', { name: 'Upgrade to Premium' }).click();
      await page.waitForURL((url) => url.origin === e2e.stripeUrl && url.pathname.startsWith('/c/pay/'));
      expect(checkoutPosts).toHaveLength(1);
      expect(JSON.parse(checkoutPosts[0]!.postData() ?? '{}')).toEqual({ plan: 'premium' });
      expect(checkoutPosts[0]!.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Visiona Premium' }).waitFor();
      await shot(page, 'billing-stripe-checkout');

      // Pay, with Stripe's webhooks held back: the page waits for the confirmation and says so.
      e2e.stripe.faults.hold();
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      await page.waitForURL((url) => url.origin === e2e.webUrl && url.pathname === '/billing');
      const sessionId = new URL(page.url()).searchParams.get('session_id');
      expect(sessionId).toMatch(/^cs_/);
      expect(new URL(page.url()).searchParams.get('checkout')).toBe('success');
      const pending = page.getByTestId('checkout-pending');
      await pending.waitFor();
      expect(await pending.textContent()).toContain('Confirming your payment with Stripe…');
      expect(await page.getByRole('status').filter({ has: pending }).getAttribute('aria-live')).toBe('polite');
      await expect.poll(() => sessionPolls.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(sessionPolls.every((url) => url.endsWith(`/api/v1/billing/checkout/${sessionId}`))).toBe(true);
      // No second checkout while this one is being confirmed.
      expect(await page.getByRole('button', { name: 'Upgrade to Pro' }).isDisabled()).toBe(true);
      expect(await currentPlan.textContent()).toBe('Free');
      await shot(page, 'billing-pending');

      // A minute on: still nothing from Stripe. The page says the payment went through and that it will update.
      await page.clock.fastForward('01:01');
      await expect.poll(() => pending.textContent()).toContain('Your payment went through at Stripe');
      expect(await pending.textContent()).toContain('updates by itself');
      await shot(page, 'billing-pending-slow');

      // The webhooks arrive: Premium, its credits in the page and the header, and a clean address.
      e2e.stripe.faults.release();
      const success = page.getByTestId('checkout-success');
      await success.waitFor({ timeout: 20_000 });
      expect(await success.textContent()).toContain("You're on Premium — 1,000 credits added");
      await expect.poll(() => currentPlan.textContent()).toBe('Premium');
      await expect.poll(() => page.getByTestId('billing-balance').textContent()).toBe('1,150 credits');
      await expect.poll(() => headerBalance(page)).toBe('1,150 credits');
      await expect.poll(() => pathOf(page)).toBe('/billing');
      expect(await page.getByTestId('subscription-status').textContent()).toBe('Active');
      await premium.getByTestId('current-plan-badge').waitFor();
      const billing = await fetchBilling(token);
      expect(billing.plan.id).toBe('premium');
      expect(billing.creditBalance).toBe(1150);
      expect((await fetchMe(token)).plan).toBe('premium');
      const renewal = await longDateInPage(page, billing.subscription!.currentPeriodEnd!);
      expect(await page.getByTestId('subscription-renewal').textContent()).toBe(renewal);
      // The credits and the payment in the history, with Stripe's invoice.
      await expect.poll(() => ledger.count()).toBe(2);
      expect(await ledger.first().textContent()).toContain('Premium credits');
      expect(await ledger.first().textContent()).toContain('+1,000');
      const payment = page.getByTestId('payment');
      await expect.poll(() => payment.count()).toBe(1);
      const paymentText = (await payment.textContent()) ?? '';
      expect(paymentText).toContain('$19.00');
      expect(paymentText).toContain('Paid');
      expect(paymentText).toContain('1,000 credits added');
      const invoice = payment.getByRole('link', { name: /^Invoice/ });
      expect(await invoice.getAttribute('href')).toBe((billing.payments[0] as Payment).invoiceUrl);
      expect(await invoice.getAttribute('target')).toBe('_blank');
      // Already subscribed: the other paid plan goes through the portal, not a second checkout.
      expect(await page.getByRole('button', { name: 'Upgrade to Pro' }).isEnabled()).toBe(true);
      await shot(page, 'billing-premium');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dark-billing-premium');
      await page.emulateMedia({ colorScheme: 'light' });

      // The success message can be put away.
      await success.getByRole('button', { name: 'Dismiss this message' }).click();
      await success.waitFor({ state: 'detached' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');

      // Manage billing: Stripe's portal. Cancel there, and come back.
      await page.getByRole('button', { name: 'Manage billing' }).click();
      await page.waitForURL((url) => url.origin === e2e.stripeUrl && url.pathname.startsWith('/p/session/'));
      expect(portalPosts).toHaveLength(1);
      await shot(page, 'billing-stripe-portal');
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      await page.getByRole('button', { name: 'Renew subscription' }).waitFor();
      await page.getByRole('link', { name: /^Return to / }).click();
      await page.waitForURL((url) => url.origin === e2e.webUrl && url.pathname === '/billing');
      // The cancellation arrives by webhook: the page reads the account again until it shows.
      const ends = await longDateInPage(page, billing.subscription!.currentPeriodEnd!);
      await expect.poll(() => page.getByTestId('subscription-status').textContent(), { timeout: 20_000 }).toBe(`Canceling — ends on ${ends}`);
      expect(await currentPlan.textContent()).toBe('Premium');
      // The date once in the status (no "Renews on" any more), and what happens then.
      expect(await page.getByTestId('subscription-renewal').count()).toBe(0);
      await page.getByText(`You keep Premium and its limits until ${ends}, then move to the free plan.`).waitFor();
      await free.getByText(`Your plan from ${ends}.`).waitFor();
      expect(await headerBalance(page)).toBe('1,150 credits');
      expect((await fetchBilling(token)).subscription).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
      await shot(page, 'billing-canceling');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says when Stripe is unreachable, and charges nothing when the checkout is left or the card declined', async () => {
    const session = await apiSignUp(uniqueEmail('billing-cancel'));
    const { context, page } = await newPage({ width: 1280, height: 900 });
    try {
      await seedSession(page, session);
      await page.goto('/billing');
      await page.getByTestId('plan-card').first().waitFor();

      // Stripe unreachable: the API's 503 is said, with Try again (a new click, a new Idempotency-Key).
      const checkoutPosts = watchPosts(page, '/api/v1/billing/checkout');
      e2e.stripe.faults.failNextRequests(3, 503);
      await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
      const failure = page.getByTestId('billing-error');
      await failure.waitFor();
      expect(await failure.textContent()).toContain('The checkout could not be opened');
      expect(await failure.textContent()).toContain('Stripe could not be reached');
      await expect.poll(() => failure.evaluate((el) => el === document.activeElement)).toBe(true);
      expect((await checkoutPosts[0]!.response())?.status()).toBe(503);
      await shot(page, 'billing-stripe-down');
      e2e.stripe.faults.reset();
      await failure.getByRole('button', { name: 'Try again' }).click();
      await page.waitForURL((url) => url.origin === e2e.stripeUrl && url.pathname.startsWith('/c/pay/'));
      expect(checkoutPosts).toHaveLength(2);
      expect(checkoutPosts[1]!.headers()['idempotency-key']).not.toBe(checkoutPosts[0]!.headers()['idempotency-key']);

      // A declined card stays on Stripe's page, with its message.
      await page.getByRole('button', { name: 'Pay with a declined card' }).click();
      await page.getByRole('alert').filter({ hasText: 'Your card was declined.' }).waitFor();

      // Cancel: back on Billing with the banner, the address cleaned, nothing charged.
      await page.getByRole('link', { name: 'Cancel', exact: true }).click();
      await page.waitForURL((url) => url.origin === e2e.webUrl && url.pathname === '/billing');
      const banner = page.getByTestId('checkout-canceled');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('Checkout canceled — you have not been charged.');
      await expect.poll(() => pathOf(page)).toBe('/billing');
      await expect.poll(() => page.getByTestId('current-plan').textContent()).toBe('Free');
      expect(await page.getByTestId('billing-balance').textContent()).toBe('150 credits');
      await page.getByRole('heading', { name: 'No payments yet' }).waitFor();
      await shot(page, 'billing-checkout-canceled');
      const billing = await fetchBilling(session.token);
      expect(billing).toMatchObject({ plan: { id: 'free' }, subscription: null, creditBalance: 150, payments: [] });

      // Dismissed with the keyboard; focus goes back to the page's heading.
      await banner.getByRole('button', { name: 'Dismiss this message' }).focus();
      await page.keyboard.press('Enter');
      await banner.waitFor({ state: 'detached' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      // A reload does not bring it back.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
      await page.getByTestId('plan-card').first().waitFor();
      expect(await page.getByTestId('checkout-canceled').count()).toBe(0);

      // While the account loads: placeholders. When it cannot be loaded: said, with Try again (the plans still show).
      let release: () => void = () => undefined;
      let failing = true;
      const account = (url: URL) => url.pathname === '/api/v1/billing';
      await page.route(
        account,
        async (route) => {
          await new Promise<void>((resolve) => (release = resolve));
          if (!failing) return route.continue();
          return route.fulfill({
            status: 503,
            json: { statusCode: 503, error: 'Service Unavailable', message: 'Visiona is restarting. Try again in a moment.', requestId: 'req-e2e-billing' },
          });
        },
      );
      await page.reload();
      await page.getByText('Loading your plan and credits').waitFor({ state: 'attached' });
      await page.getByTestId('plan-card').first().waitFor();
      await shot(page, 'billing-loading');
      release();
      // The query client tries a 5xx once more before giving up.
      await expect.poll(async () => {
        release();
        return page.getByRole('heading', { name: 'Your plan and credits could not be loaded' }).count();
      }).toBe(1);
      expect(await page.getByRole('alert').filter({ hasText: 'Visiona is restarting' }).count()).toBe(1);
      await shot(page, 'billing-error');
      failing = false;
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => {
        release();
        return page.getByTestId('current-plan').count();
      }).toBe(1);
      expect(await page.getByTestId('current-plan').textContent()).toBe('Free');
      await page.unroute(account);
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone, light and dark, on Free and on Premium', async () => {
    const fresh: SessionResponse = await apiSignUp(uniqueEmail('billing-phone'));
    const subscribed: SessionResponse = await apiSignUp(uniqueEmail('billing-phone-premium'));
    await subscribeThroughApi(subscribed.token, 'premium');
    const { context, page } = await newPage({ width: 390, height: 844 });
    try {
      await seedSession(page, fresh);
      await page.goto('/billing');
      await page.getByTestId('plan-card').first().waitFor();
      await expect.poll(() => page.getByTestId('current-plan').textContent()).toBe('Free');
      // Stacked on a phone: one card under the other.
      const lefts = await page.getByTestId('plan-card').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().left)));
      expect(new Set(lefts).size).toBe(1);
      await noHorizontalOverflow(page, 390);
      await shot(page, 'phone-billing');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dark-phone-billing');

      await seedSession(page, subscribed);
      await page.goto('/billing');
      await expect.poll(() => page.getByTestId('current-plan').textContent()).toBe('Premium');
      await page.getByTestId('payment').first().waitFor();
      await noHorizontalOverflow(page, 390);
      await shot(page, 'dark-phone-billing-premium');
      await page.emulateMedia({ colorScheme: 'light' });
      await shot(page, 'phone-billing-premium');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
