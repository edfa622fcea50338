import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Billing, CheckoutSession, PlanList } from '@visiona/shared';
import { createServer } from 'node:http';
import { createTestApp, signUp } from '../helpers/app.ts';
import { createServicesHarness, eventually, photoFixture, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';
import { userWithReadyModel } from '../generations/helpers.ts';
import { auditActions, billing, call, checkoutComplete, ledgerSum, pay, subscriber } from './helpers.ts';

let h: ServicesHarness;
beforeAll(async () => {
  h = await createServicesHarness();
});
afterAll(async () => h?.close());

describe('billing through Stripe (emulator)', () => {
  it('lists the plans publicly, with prices read from Stripe and the credit costs', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/billing/plans`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as PlanList;
    expect(body.plans.map((p) => p.id)).toEqual(['free', 'premium', 'pro']);
    expect(body.plans[0]).toMatchObject({ paid: false, price: null, monthlyCredits: 0, limits: { maxModels: 1, maxConcurrentGenerations: 2, maxImagesPerGeneration: 2 } });
    expect(body.plans[1]).toMatchObject({ paid: true, price: { amountCents: 1900, currency: 'usd', interval: 'month' }, monthlyCredits: 1000 });
    expect(body.plans[2]!.price).toEqual({ amountCents: 4900, currency: 'usd', interval: 'month' });
    expect(body).toMatchObject({ signupCredits: 150, costs: { trainingCredits: 100, creditsPerImage: 1 } });
  });

  it('starts on the free plan with the signup credits and nothing to manage', async () => {
    const user = await signUp(h.app);
    const b = await billing(h, user.token);
    expect(b).toMatchObject({ plan: { id: 'free' }, subscription: null, creditBalance: 150, canManage: false, usage: { models: 0, runningGenerations: 0 }, payments: [] });
    expect(b.ledger.map((l) => [l.reason, l.delta])).toEqual([['signup', 150]]);
    const portal = await call(h, user.token, 'POST', '/api/v1/billing/portal');
    expect(portal.status).toBe(409);
    expect(portal.body).toMatchObject({ code: 'no_billing_account' });
  });

  it('checkout: a Stripe session for a paid plan, the same one for a retry, 400 for an unknown plan', async () => {
    const user = await signUp(h.app);
    const first = await call<CheckoutSession>(h, user.token, 'POST', '/api/v1/billing/checkout', { plan: 'premium' }, { 'idempotency-key': 'upgrade-1' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ planId: 'premium', status: 'open' });
    expect(first.body.url).toMatch(/\/c\/pay\/cs_/);
    const again = await call<CheckoutSession>(h, user.token, 'POST', '/api/v1/billing/checkout', { plan: 'premium' }, { 'idempotency-key': 'upgrade-1' });
    expect(again.body.id).toBe(first.body.id);
    const session = await h.stripeClient.checkout.sessions.retrieve(first.body.id);
    expect(session).toMatchObject({ mode: 'subscription', client_reference_id: expect.any(String), status: 'open' });
    expect(session.success_url).toContain('/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}');
    // One Stripe customer for the person, however many sessions.
    const other = await call<CheckoutSession>(h, user.token, 'POST', '/api/v1/billing/checkout', { plan: 'pro' });
    expect((await h.stripeClient.checkout.sessions.retrieve(other.body.id)).customer).toBe(session.customer);

    const unknown = await call(h, user.token, 'POST', '/api/v1/billing/checkout', { plan: 'free' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/Choose one of: premium, pro/);
    const other2 = await signUp(h.app);
    expect((await call(h, other2.token, 'GET', `/api/v1/billing/checkout/${first.body.id}`)).status).toBe(404);
  });

  it('paying activates the plan and grants its credits once, through the webhook; the portal cancels at period end', async () => {
    const user = await signUp(h.app);
    const session = await pay(h, user.token);
    const done = await checkoutComplete(h, user.token, session.id);
    expect(done.status).toBe('complete');
    const b = await billing(h, user.token);
    expect(b.plan.id).toBe('premium');
    expect(b.subscription).toMatchObject({ planId: 'premium', status: 'active', cancelAtPeriodEnd: false });
    expect(new Date(b.subscription!.currentPeriodEnd!).getTime()).toBeGreaterThan(Date.now() + 25 * 86_400_000);
    expect(b.creditBalance).toBe(1150);
    expect(b.payments).toHaveLength(1);
    expect(b.payments[0]).toMatchObject({ amountCents: 1900, currency: 'usd', status: 'paid', planId: 'premium', creditsGranted: 1000 });
    expect(b.ledger[0]).toMatchObject({ reason: 'subscription', delta: 1000, reference: b.payments[0]!.invoiceId });
    expect(b.canManage).toBe(true);
    await h.stripeEmu.webhooksIdle();
    expect(await ledgerSum(h, user.user.id)).toEqual({ sum: 1150, balance: 1150, grants: 1 });
    const actions = await auditActions(h, user.user.id);
    expect(actions.filter((a) => a === 'billing.plan_changed')).toHaveLength(1);
    expect(actions.filter((a) => a === 'credits.granted')).toHaveLength(1);
    expect((await call(h, user.token, 'GET', '/api/v1/me')).body).toMatchObject({ plan: 'premium', creditBalance: 1150 });

    const twice = await call(h, user.token, 'POST', '/api/v1/billing/checkout', { plan: 'pro' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'already_subscribed' });

    const portal = await call<{ url: string }>(h, user.token, 'POST', '/api/v1/billing/portal', undefined, { origin: 'http://localhost:5173' });
    expect(portal.status).toBe(200);
    expect(portal.body.url).toMatch(/\/p\/session\/bps_/);
    await h.stripeClient.subscriptions.update(b.subscription!.id, { cancel_at_period_end: true });
    const canceling = await eventually(async () => {
      const s = await billing(h, user.token);
      return s.subscription?.cancelAtPeriodEnd ? s : undefined;
    });
    expect(canceling.plan.id).toBe('premium');

    // The period ends: back to free, and the credits stay.
    await h.stripeEmu.control.advance(b.subscription!.id);
    const ended = await eventually(async () => {
      const s = await billing(h, user.token);
      return s.subscription?.status === 'canceled' ? s : undefined;
    });
    expect(ended.plan.id).toBe('free');
    expect(ended.creditBalance).toBe(1150);
    expect((await auditActions(h, user.user.id)).filter((a) => a === 'billing.plan_changed')).toHaveLength(2);
  });

  it('each renewal grants the period’s credits once; a failed renewal is recorded and keeps the plan while Stripe retries', async () => {
    const user = await subscriber(h);
    await h.stripeEmu.control.advance(user.subscriptionId);
    const renewed = await eventually(async () => {
      const s = await billing(h, user.token);
      return s.payments.length === 2 ? s : undefined;
    });
    expect(renewed.creditBalance).toBe(2150);
    expect(renewed.payments[0]).toMatchObject({ status: 'paid', description: 'Premium plan renewal', creditsGranted: 1000 });

    await h.stripeEmu.control.advance(user.subscriptionId, { fail: true });
    const failed = await eventually(async () => {
      const s = await billing(h, user.token);
      return s.payments.some((p) => p.status === 'failed') && s.subscription?.status === 'past_due' ? s : undefined;
    });
    expect(failed.plan.id).toBe('premium');
    expect(failed.creditBalance).toBe(2150);
    await h.stripeEmu.webhooksIdle();
    expect(await ledgerSum(h, user.user.id)).toEqual({ sum: 2150, balance: 2150, grants: 2 });
    expect(await auditActions(h, user.user.id)).toContain('billing.payment_failed');
  });

  it('switching plans in the portal moves to the new plan and grants the new period’s credits', async () => {
    const user = await subscriber(h);
    const current = await h.stripeClient.subscriptions.retrieve(user.subscriptionId);
    await h.stripeClient.subscriptions.update(user.subscriptionId, {
      items: [{ id: current.items.data[0]!.id, price: 'price_visiona_pro_monthly' }],
      proration_behavior: 'none',
    });
    await h.stripeEmu.control.advance(user.subscriptionId);
    const pro = await eventually(async () => {
      const s = await billing(h, user.token);
      return s.plan.id === 'pro' && s.payments.length === 2 ? s : undefined;
    });
    expect(pro.creditBalance).toBe(150 + 1000 + 3000);
    expect(pro.plan.limits.maxModels).toBe(10);
  });
});

describe('plan limits', () => {
  it('refuses more images per generation than the plan makes, before any credits move', async () => {
    const owner = await userWithReadyModel(h);
    const before = (await billing(h, owner.token)).creditBalance;
    const big = await call(h, owner.token, 'POST', '/api/v1/generations', { modelId: owner.model.id, prompt: 'ZXQ_ME at the beach', options: { numOutputs: 3 } });
    expect(big.status).toBe(403);
    expect(big.body).toMatchObject({ code: 'plan_limit' });
    expect(big.body.message).toMatch(/Free plan makes up to 2 images per generation; you asked for 3\. Ask for fewer, or upgrade on the Billing page\./);
    expect((await billing(h, owner.token)).creditBalance).toBe(before);

    // Two running at once on Free: the third waits its turn (429 with Retry-After), charged nothing.
    h.replicateEmu.faults.hangNextRequests(2, 3000);
    try {
      const running = await Promise.all(
        ['on a boat', 'in a forest'].map((where) => call(h, owner.token, 'POST', '/api/v1/generations', { modelId: owner.model.id, prompt: `ZXQ_ME ${where}` })),
      );
      expect(running.map((r) => r.status)).toEqual([202, 202]);
      const third = await call(h, owner.token, 'POST', '/api/v1/generations', { modelId: owner.model.id, prompt: 'ZXQ_ME in a city' });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('5');
      expect(third.body).toMatchObject({ code: 'too_many_running' });
      expect(third.body.message).toMatch(/Free plan runs 2 generations at once, and 2 are running\. Wait for one to finish, or upgrade/);
      expect((await billing(h, owner.token)).creditBalance).toBe(before - 2);
    } finally {
      h.replicateEmu.faults.reset();
    }
  });

  it('of 10 parallel trainings on the free plan, with credits for all, exactly one starts', async () => {
    const user = await signUp(h.app);
    await h.database.db.query(
      `insert into credit_ledger (owner_subject, delta, reason, reference) select auth_subject, 2000, 'test_grant', auth_subject from users where id = $1`,
      [user.user.id],
    );
    const photos = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `p${i}.jpg`, data: await photoFixture(i + 700) })));
    expect((await uploadPhotos(h.baseUrl, user.token, photos)).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(h, user.token, 'POST', '/api/v1/models', { name: `Me ${i}`, triggerWord: 'ZXQ_RACE', parameters: { steps: 100 } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(9).fill(403)]);
    expect((await billing(h, user.token)).creditBalance).toBe(2150 - 100);
  });

  it('refuses a second model on the free plan, and allows it once premium', async () => {
    const owner = await userWithReadyModel(h);
    const photos = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `p${i}.jpg`, data: await photoFixture(i + 900) })));
    expect((await uploadPhotos(h.baseUrl, owner.token, photos)).status).toBe(201);
    const before = (await billing(h, owner.token)).creditBalance;
    const second = await call(h, owner.token, 'POST', '/api/v1/models', { name: 'Second', triggerWord: 'ZXQ_TWO' });
    expect(second.status).toBe(403);
    expect(second.body.message).toMatch(/Free plan allows 1 model at a time, and you have 1\. Delete a model on the Models page, or upgrade on the Billing page\./);
    expect((await billing(h, owner.token)).creditBalance).toBe(before);

    const session = await pay(h, owner.token);
    await checkoutComplete(h, owner.token, session.id);
    const ok = await call(h, owner.token, 'POST', '/api/v1/models', { name: 'Second', triggerWord: 'ZXQ_TWO', parameters: { steps: 100 } });
    expect(ok.status).toBe(201);
    const b: Billing = await billing(h, owner.token);
    expect(b.usage.models).toBe(2);
  });
});

describe('when Stripe is unreachable', () => {
  it('a hanging Stripe does not hold the plans page: prices are unavailable after 2 s; checkout answers 503 with Retry-After', async () => {
    const hanging = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    const t = await createTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_hanging', STRIPE_API_URL: `http://127.0.0.1:${port}`, STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_TIMEOUT_MS: '1000' } });
    try {
      const started = Date.now();
      const res = await t.app.inject({ url: '/api/v1/billing/plans' });
      expect(Date.now() - started).toBeLessThan(3500);
      expect(res.statusCode).toBe(200);
      expect((res.json() as PlanList).plans.map((p) => p.price)).toEqual([null, null, null]);
      const user = await signUp(t.app);
      const checkout = await t.app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: user.auth, payload: { plan: 'premium' } });
      expect(checkout.statusCode).toBe(503);
      expect(checkout.headers['retry-after']).toBeDefined();
      expect(checkout.json().message).toMatch(/Stripe could not be reached/);
    } finally {
      await t.close();
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});
