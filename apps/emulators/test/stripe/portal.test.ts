import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../src/stripe/money.ts';
import { addMonths } from '../../src/stripe/util.ts';
import { eventTypes, fakeClock, lastEventId, PREMIUM, PRO, startEmulator, submit, subscribe, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h?.close();
});

async function html(url: string): Promise<{ status: number; html: string }> {
  const res = await fetch(url);
  return { status: res.status, html: await res.text() };
}

async function portal(customer: string, harness = h): Promise<Stripe.BillingPortal.Session> {
  return harness.stripe.billingPortal.sessions.create({ customer, return_url: 'https://app.example/settings/billing' });
}

function item(sub: Stripe.Subscription): Stripe.SubscriptionItem {
  return sub.items.data[0] as Stripe.SubscriptionItem;
}

describe('stripe emulator: Customer Portal', () => {
  it('creates a portal session and shows the plan, price, status, renewal date and actions', async () => {
    const { customer, subscription } = await subscribe(h, 'portal@example.com');
    const s = await portal(customer.id);
    expect(s.id).toMatch(/^bps_/);
    expect(s).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'https://app.example/settings/billing', url: `${h.baseUrl}/p/session/${s.id}`, livemode: false });
    expect(s.configuration).toMatch(/^bpc_/);
    const p = await html(s.url);
    expect(p.status).toBe(200);
    expect(p.html).toContain('portal@example.com');
    expect(p.html).toContain('Visiona Premium');
    expect(p.html).toContain('$19.00 / month');
    expect(p.html).toContain('Active');
    expect(p.html).toContain(`Renews on ${formatDate(item(subscription).current_period_end)}`);
    expect(p.html).toContain('>Cancel subscription</button>');
    expect(p.html).toContain('>Switch to Visiona Pro</button>');
    expect(p.html).not.toContain('Renew subscription');
    expect(p.html).toContain('<a href="https://app.example/settings/billing">Return to app.example</a>');
    expect(p.html).toMatch(/This session is valid until /);
  });

  it('"Cancel subscription" sets cancel_at_period_end and emits customer.subscription.updated with previous_attributes; "Renew" undoes it', async () => {
    const { customer, subscription } = await subscribe(h, 'cancel@example.com');
    const s = await portal(customer.id);
    const before = await lastEventId(h);
    const res = await submit(`${s.url}/subscriptions/${subscription.id}/cancel`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/p/session/${s.id}?done=canceled`);
    const canceling = await h.stripe.subscriptions.retrieve(subscription.id);
    expect(canceling).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: item(subscription).current_period_end, cancellation_details: { reason: 'cancellation_requested' } });
    expect(canceling.canceled_at).not.toBeNull();
    const [updated] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(updated?.data.previous_attributes).toEqual({ cancel_at: null, cancel_at_period_end: false, canceled_at: null, cancellation_details: { reason: null } });
    expect((updated?.data.object as Stripe.Subscription).cancel_at_period_end).toBe(true);
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.updated']);

    const after = await html(`${h.baseUrl}${res.headers.get('location') ?? ''}`);
    expect(after.html).toContain('<p class="notice" role="status">Your subscription will end at the close of the current period.</p>');
    expect(after.html).toContain(`Cancels on ${formatDate(item(subscription).current_period_end)}`);
    expect(after.html).toContain('>Renew subscription</button>');
    expect(after.html).not.toContain('>Cancel subscription</button>');

    expect((await submit(`${s.url}/subscriptions/${subscription.id}/renew`)).status).toBe(303);
    const renewed = await h.stripe.subscriptions.retrieve(subscription.id);
    expect(renewed).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    const [again] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(again?.data.previous_attributes).toMatchObject({ cancel_at_period_end: true, cancellation_details: { reason: 'cancellation_requested' } });
  });

  it('"Switch to Visiona Pro" changes the price, restarts the period and bills it with a subscription_update invoice', async () => {
    const { customer, subscription } = await subscribe(h, 'switch@example.com');
    const s = await portal(customer.id);
    const before = await lastEventId(h);
    const res = await submit(`${s.url}/subscriptions/${subscription.id}/switch`, { price: PRO });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/p/session/${s.id}?done=switched`);
    const sub = await h.stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(item(sub).price.id).toBe(PRO);
    expect(item(sub).id).toBe(item(subscription).id);
    expect(item(sub).current_period_end).toBe(addMonths(item(sub).current_period_start, 1));
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect(inv).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', amount_paid: 4900, parent: { subscription_details: { subscription: sub.id } } });
    expect(inv.lines.data[0]?.pricing?.price_details?.price).toBe(PRO);
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.updated', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']);
    const [updated] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    const prevItems = (updated?.data.previous_attributes as { items: { data: Stripe.SubscriptionItem[] } }).items.data;
    expect(prevItems[0]?.price.id).toBe(PREMIUM);
    const p = await html(s.url);
    expect(p.html).toContain('Visiona Pro');
    expect(p.html).toContain('$49.00 / month');
    expect(p.html).toContain('>Switch to Visiona Premium</button>');
  });

  it('refuses actions on another customer\'s subscription and unknown sessions; shows errors on the page', async () => {
    const a = await subscribe(h, 'a@example.com');
    const b = await subscribe(h, 'b@example.com');
    const s = await portal(a.customer.id);
    expect((await submit(`${s.url}/subscriptions/${b.subscription.id}/cancel`)).status).toBe(404);
    expect((await h.stripe.subscriptions.retrieve(b.subscription.id)).cancel_at_period_end).toBe(false);
    expect((await html(`${h.baseUrl}/p/session/bps_unknown`)).status).toBe(404);
    const bad = await submit(`${s.url}/subscriptions/${a.subscription.id}/switch`, { price: 'price_nope' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<p class="alert" role="alert">No such price: &#39;price_nope&#39;</p>');
  });

  it('a portal link must be opened within 5 minutes; once opened it lasts an hour; then it shows that it expired', async () => {
    const clock = fakeClock();
    const other = await startEmulator({ clock });
    try {
      const { customer, subscription } = await subscribe(other, 'clock@example.com');
      const unused = await portal(customer.id, other);
      const used = await portal(customer.id, other);
      expect((await html(used.url)).status).toBe(200);
      clock.advance(5 * 60 * 1000);
      const gone = await html(unused.url);
      expect(gone.status).toBe(410);
      expect(gone.html).toContain('This billing portal session has expired');
      expect(gone.html).toContain('Return to app.example');
      expect((await submit(`${unused.url}/subscriptions/${subscription.id}/cancel`)).status).toBe(410);
      expect((await other.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(false);
      clock.advance(50 * 60 * 1000);
      expect((await html(used.url)).status).toBe(200);
      clock.advance(5 * 60 * 1000);
      expect((await html(used.url)).status).toBe(410);
    } finally {
      await other.close();
    }
  });

  it('validates portal session parameters', async () => {
    await expect(h.stripe.billingPortal.sessions.create({ customer: 'cus_nope' })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    const c = await h.stripe.customers.create({ email: 'flow@example.com' });
    await expect(h.stripe.billingPortal.sessions.create({ customer: c.id, flow_data: { type: 'payment_method_update' } })).rejects.toMatchObject({ statusCode: 400, param: 'flow_data' });
    const none = await h.stripe.billingPortal.sessions.create({ customer: c.id });
    expect(none.return_url).toBeNull();
    const p = await html(none.url);
    expect(p.html).toContain('You have no active subscription.');
    expect(p.html).not.toContain('Return to');
  });
});
