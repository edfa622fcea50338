import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { signUp } from '../helpers/app.ts';
import { createServicesHarness, eventually, STRIPE_WEBHOOK_SECRET, type ServicesHarness } from '../helpers/services.ts';
import { billing, call, checkoutComplete, ledgerSum, pay, subscriber } from './helpers.ts';

let h: ServicesHarness;
beforeAll(async () => {
  h = await createServicesHarness();
});
afterAll(async () => h?.close());

const signer = new Stripe('sk_test_unused');

function post(body: string, signature: string | null) {
  return fetch(`${h.baseUrl}/api/v1/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'stripe-signature': signature }) },
    body,
  });
}

const sign = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
  signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? STRIPE_WEBHOOK_SECRET, ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });

/** The latest event of `type` Stripe sent about a customer. */
async function eventFor(type: string, customer: string): Promise<Stripe.Event> {
  for await (const e of h.stripeClient.events.list({ limit: 100 })) {
    if (e.type === type && (e.data.object as { customer?: unknown }).customer === customer) return e;
  }
  throw new Error(`no ${type} event for ${customer}`);
}

const customerOf = async (subscriptionId: string) => (await h.stripeClient.subscriptions.retrieve(subscriptionId)).customer as string;

describe('Stripe webhooks', () => {
  it('a changed byte, a wrong secret, an old timestamp or no signature get 400 and change nothing', async () => {
    const user = await subscriber(h);
    await h.stripeEmu.webhooksIdle();
    const event = await eventFor('invoice.paid', await customerOf(user.subscriptionId));
    // A fresh event id, so that only the signature stands between it and a second grant.
    const payload = JSON.stringify({ ...event, id: 'evt_forged_0001' });
    const ok = sign(payload);
    const tampered = payload.replace('"paid"', '"paiD"');
    expect(tampered).not.toBe(payload);
    for (const [body, signature] of [
      [tampered, ok],
      [payload, sign(payload, { secret: 'whsec_wrong_secret' })],
      [payload, sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })],
      [payload, sign(payload, { timestamp: Math.floor(Date.now() / 1000) + 600 })],
      [payload, null],
      [payload, 't=123,v1=deadbeef'],
    ] as const) {
      const res = await post(body, signature);
      expect(res.status).toBe(400);
      const err = (await res.json()) as { code: string; message: string };
      expect(err.code).toBe('invalid_signature');
    }
    expect((await billing(h, user.token)).creditBalance).toBe(1150);
    // The same forged body, correctly signed, is a new event for an invoice already fulfilled: processed, still one grant.
    const accepted = await post(payload, sign(payload));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: true, outcome: 'processed' });
    expect((await ledgerSum(h, user.user.id)).grants).toBe(1);
  });

  it('a replayed event grants once', async () => {
    const user = await subscriber(h);
    await h.stripeEmu.webhooksIdle();
    const customer = await customerOf(user.subscriptionId);
    for (const type of ['invoice.paid', 'checkout.session.completed', 'invoice.payment_succeeded']) await h.stripeEmu.control.resend((await eventFor(type, customer)).id);
    await h.stripeEmu.webhooksIdle();
    const event = await eventFor('invoice.paid', customer);
    const payload = JSON.stringify(event);
    const replay = await post(payload, sign(payload));
    expect(await replay.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await ledgerSum(h, user.user.id)).toEqual({ sum: 1150, balance: 1150, grants: 1 });
  });

  it('events delivered at once, each twice, grant once', async () => {
    const user = await signUp(h.app);
    h.stripeEmu.faults.duplicateNext(20);
    h.stripeEmu.faults.hold();
    try {
      const session = await pay(h, user.token);
      h.stripeEmu.faults.release('concurrent');
      await checkoutComplete(h, user.token, session.id);
      await h.stripeEmu.webhooksIdle();
    } finally {
      h.stripeEmu.faults.reset();
    }
    expect(await ledgerSum(h, user.user.id)).toEqual({ sum: 1150, balance: 1150, grants: 1 });
    expect((await billing(h, user.token)).plan.id).toBe('premium');

    // The very same signed request twice at the same moment: one is processed, the other is a duplicate.
    const event = await eventFor('customer.subscription.created', await customerOf((await billing(h, user.token)).subscription!.id));
    const payload = JSON.stringify({ ...event, id: 'evt_twice_at_once' });
    const signature = sign(payload);
    const answers = await Promise.all([post(payload, signature), post(payload, signature)]);
    const outcomes = (await Promise.all(answers.map((r) => r.json() as Promise<{ outcome: string }>))).map((a) => a.outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'processed']);
  });

  it('events in reverse order end in the same state: plan active, credits once', async () => {
    const user = await signUp(h.app);
    h.stripeEmu.faults.hold();
    try {
      const session = await pay(h, user.token);
      h.stripeEmu.faults.release('reverse');
      await checkoutComplete(h, user.token, session.id);
      await h.stripeEmu.webhooksIdle();
    } finally {
      h.stripeEmu.faults.reset();
    }
    const b = await billing(h, user.token);
    expect(b).toMatchObject({ plan: { id: 'premium' }, subscription: { status: 'active' }, creditBalance: 1150 });
  });

  it('subscription.deleted followed by an older subscription.updated leaves it canceled', async () => {
    const user = await subscriber(h);
    await h.stripeEmu.webhooksIdle();
    h.stripeEmu.faults.hold();
    try {
      await h.stripeClient.subscriptions.update(user.subscriptionId, { cancel_at_period_end: true }); // updated (older)
      await h.stripeClient.subscriptions.cancel(user.subscriptionId); // deleted (newer)
      h.stripeEmu.faults.release('reverse');
      await h.stripeEmu.webhooksIdle();
    } finally {
      h.stripeEmu.faults.reset();
    }
    const b = await billing(h, user.token);
    expect(b.subscription).toMatchObject({ status: 'canceled' });
    expect(b.plan.id).toBe('free');
    // A late copy of an old "active" update, delivered again now, does not bring it back.
    const old = await eventFor('customer.subscription.created', await customerOf(user.subscriptionId));
    const payload = JSON.stringify({ ...old, id: 'evt_late_old_update', type: 'customer.subscription.updated' });
    expect((await post(payload, sign(payload))).status).toBe(200);
    expect((await billing(h, user.token)).subscription!.status).toBe('canceled');
    expect((await billing(h, user.token)).plan.id).toBe('free');
  });

  it('a first delivery that fails (answer lost, or never arrived) followed by the retry grants once', async () => {
    for (const mode of ['lost-response', 'not-delivered'] as const) {
      const user = await signUp(h.app);
      h.stripeEmu.faults.failFirstAttempt(10, mode);
      try {
        const session = await pay(h, user.token);
        await checkoutComplete(h, user.token, session.id);
        await h.stripeEmu.webhooksIdle();
      } finally {
        h.stripeEmu.faults.reset();
      }
      expect(await ledgerSum(h, user.user.id), mode).toEqual({ sum: 1150, balance: 1150, grants: 1 });
      const statuses = h.stripeEmu.control.deliveries().filter((d) => d.status === mode);
      expect(statuses.length).toBeGreaterThan(0);
    }
  });

  it('when Stripe cannot be asked, the webhook answers 503 and the retry grants once', async () => {
    const user = await signUp(h.app);
    const res = await call<{ id: string }>(h, user.token, 'POST', '/api/v1/billing/checkout', { plan: 'premium' });
    // Every re-read the webhooks make fails for a while (the SDK's own retries included).
    h.stripeEmu.faults.failNextRequests(9, 500);
    try {
      await h.stripeEmu.control.pay(res.body.id);
      await checkoutComplete(h, user.token, res.body.id);
      await h.stripeEmu.webhooksIdle();
    } finally {
      h.stripeEmu.faults.reset();
    }
    expect(h.stripeEmu.control.deliveries().some((d) => d.status === 503)).toBe(true);
    expect(await ledgerSum(h, user.user.id)).toEqual({ sum: 1150, balance: 1150, grants: 1 });
  });

  it('a late invoice.paid for a period already granted changes nothing', async () => {
    const user = await subscriber(h);
    h.stripeEmu.faults.delayNext(5, 300);
    try {
      await h.stripeEmu.control.advance(user.subscriptionId);
      await eventually(async () => ((await billing(h, user.token)).payments.length === 2 ? true : undefined));
      await h.stripeEmu.webhooksIdle();
    } finally {
      h.stripeEmu.faults.reset();
    }
    expect(await ledgerSum(h, user.user.id)).toEqual({ sum: 2150, balance: 2150, grants: 2 });
  });
});
