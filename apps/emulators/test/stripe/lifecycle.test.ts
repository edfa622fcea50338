import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths } from '../../src/stripe/util.ts';
import { checkoutSession, eventTypes, fakeClock, lastEventId, PREMIUM, PRO, SECRET_KEY, startEmulator, subscribe, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h?.close();
});

function item(sub: Stripe.Subscription): Stripe.SubscriptionItem {
  return sub.items.data[0] as Stripe.SubscriptionItem;
}

describe('stripe emulator: renewals (control.advance)', () => {
  it('renews into the next period with a paid subscription_cycle invoice, in Stripe\'s event order', async () => {
    const { subscription } = await subscribe(h, 'renew@example.com');
    const first = item(subscription);
    const before = await lastEventId(h);
    const advanced = h.emu.control.advance(subscription.id);
    expect(advanced.status).toBe('active');
    const sub = await h.stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(item(sub).current_period_start).toBe(first.current_period_end);
    expect(item(sub).current_period_end).toBe(addMonths(first.current_period_start, 2));
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect(inv).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid', amount_due: 1900, amount_paid: 1900, period_start: first.current_period_start, period_end: first.current_period_end });
    expect(inv.number).toMatch(/-0002$/);
    expect(inv.lines.data[0]?.period).toEqual({ start: item(sub).current_period_start, end: item(sub).current_period_end });
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.updated', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']);
    const [updated] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect((updated?.data.previous_attributes as { items: { data: Stripe.SubscriptionItem[] } }).items.data[0]?.current_period_end).toBe(first.current_period_end);
  });

  it('with fail, leaves the invoice open, emits invoice.payment_failed and makes the subscription past_due; a paid renewal recovers it', async () => {
    const { customer, subscription } = await subscribe(h, 'fail@example.com');
    const before = await lastEventId(h);
    expect(h.emu.control.advance(subscription.id, { fail: true }).status).toBe('past_due');
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.updated', 'invoice.created', 'invoice.finalized', 'invoice.payment_failed', 'customer.subscription.updated']);
    const sub = await h.stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice', 'customer'] });
    expect(sub.status).toBe('past_due');
    expect((sub.customer as Stripe.Customer).delinquent).toBe(true);
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect(inv).toMatchObject({ status: 'open', billing_reason: 'subscription_cycle', amount_paid: 0, amount_remaining: 1900, attempted: true, attempt_count: 1 });
    expect(inv.next_payment_attempt).toBeGreaterThan(inv.created);
    const [statusChange] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(statusChange?.data.previous_attributes).toEqual({ status: 'active' });
    expect((await h.stripe.invoices.list({ customer: customer.id, status: 'open' })).data.map((i) => i.id)).toEqual([inv.id]);
    const page = await fetch(`${h.baseUrl}/p/session/${(await h.stripe.billingPortal.sessions.create({ customer: customer.id })).id}`);
    expect(await page.text()).toContain('Past due');

    h.emu.control.advance(subscription.id);
    const recovered = await h.stripe.subscriptions.retrieve(subscription.id, { expand: ['customer'] });
    expect(recovered.status).toBe('active');
    expect((recovered.customer as Stripe.Customer).delinquent).toBe(false);
  });

  it('ends a cancel_at_period_end subscription at the period end with customer.subscription.deleted', async () => {
    const { subscription } = await subscribe(h, 'ending@example.com');
    await h.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    const before = await lastEventId(h);
    const ended = h.emu.control.advance(subscription.id);
    expect(ended).toMatchObject({ status: 'canceled', ended_at: item(subscription).current_period_end });
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.deleted']);
    const [deleted] = (await h.stripe.events.list({ type: 'customer.subscription.deleted', limit: 1 })).data;
    expect((deleted?.data.object as Stripe.Subscription).status).toBe('canceled');
    expect(() => h.emu.control.advance(subscription.id)).toThrow(/canceled/);
  });

  it('anchors monthly periods on the day of month (Jan 31 → Feb 28 → Mar 31) and yearly ones on the date', async () => {
    const clock = fakeClock(Date.parse('2027-01-31T12:00:00Z'));
    const other = await startEmulator({
      clock,
      prices: [
        { id: 'price_m', productId: 'prod_m', productName: 'Monthly', unitAmount: 500, currency: 'eur', interval: 'month' },
        { id: 'price_y', productId: 'prod_y', productName: 'Yearly', unitAmount: 5000, currency: 'eur', interval: 'year' },
      ],
    });
    try {
      const m = await subscribe(other, 'm@example.com', 'price_m');
      const ends = [item(m.subscription).current_period_end];
      for (let i = 0; i < 2; i++) ends.push(item(other.emu.control.advance(m.subscription.id) as unknown as Stripe.Subscription).current_period_end);
      expect(ends.map((s) => new Date(s * 1000).toISOString())).toEqual(['2027-02-28T12:00:00.000Z', '2027-03-31T12:00:00.000Z', '2027-04-30T12:00:00.000Z']);
      const y = await subscribe(other, 'y@example.com', 'price_y');
      expect(new Date(item(y.subscription).current_period_end * 1000).toISOString()).toBe('2028-01-31T12:00:00.000Z');
      const page = await fetch(y.session.url ?? `${other.baseUrl}/c/pay/${y.session.id}`);
      expect(page.status).toBe(200);
      const fresh = await checkoutSession(other, y.customer.id, 'price_m');
      expect(await (await fetch(fresh.url ?? '')).text()).toContain('€5.00 / month');
    } finally {
      await other.close();
    }
  });
});

describe('stripe emulator: subscriptions through the API', () => {
  it('cancel_at_period_end through the SDK emits an event that names the request and its idempotency key', async () => {
    const { subscription } = await subscribe(h, 'api-cancel@example.com');
    const updated = await h.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }, { idempotencyKey: 'cancel-1' });
    expect(updated.cancel_at_period_end).toBe(true);
    const [event] = (await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(event?.request).toEqual({ id: updated.lastResponse.requestId, idempotency_key: 'cancel-1' });
    const again = await h.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(again.cancel_at_period_end).toBe(true);
    expect((await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data[0]?.id).toBe(event?.id);
  });

  it('switches price with items[0][id] + items[0][price]: always_invoice bills now, create_prorations only changes the price', async () => {
    const { subscription } = await subscribe(h, 'api-switch@example.com');
    const si = item(subscription).id;
    const before = await lastEventId(h);
    const quiet = await h.stripe.subscriptions.update(subscription.id, { items: [{ id: si, price: PRO }], proration_behavior: 'create_prorations', metadata: { plan: 'pro' } });
    expect(item(quiet).price.id).toBe(PRO);
    expect(item(quiet).current_period_end).toBe(item(subscription).current_period_end);
    expect(quiet.latest_invoice).toBe(subscription.latest_invoice);
    expect(quiet.metadata).toEqual({ visiona_user: 'api-switch@example.com', plan: 'pro' });
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.updated']);

    const billed = await h.stripe.subscriptions.update(subscription.id, { items: [{ id: si, price: PREMIUM }], proration_behavior: 'always_invoice' }, { idempotencyKey: 'switch-back' });
    const inv = await h.stripe.invoices.retrieve(String(billed.latest_invoice));
    expect(inv).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', amount_paid: 1900 });
    const replay = await h.stripe.subscriptions.update(subscription.id, { items: [{ id: si, price: PREMIUM }], proration_behavior: 'always_invoice' }, { idempotencyKey: 'switch-back' });
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(2);

    await expect(h.stripe.subscriptions.update(subscription.id, { items: [{ id: 'si_wrong', price: PRO }] })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'items[0][id]' });
    await expect(h.stripe.subscriptions.update(subscription.id, { items: [{ id: si, price: 'price_nope' }] })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'items[0][price]' });
    await expect(h.stripe.subscriptions.update(subscription.id, { items: [{ id: si, quantity: 3 }] })).rejects.toMatchObject({ statusCode: 400, param: 'items[0][quantity]' });
    await expect(h.stripe.subscriptions.update(subscription.id, { proration_behavior: 'sometimes' as 'none' })).rejects.toMatchObject({ statusCode: 400, param: 'proration_behavior' });
  });

  it('DELETE cancels at once with customer.subscription.deleted; lists hide canceled ones unless asked', async () => {
    const { customer, subscription } = await subscribe(h, 'api-delete@example.com');
    const before = await lastEventId(h);
    const canceled = await h.stripe.subscriptions.cancel(subscription.id, { cancellation_details: { comment: 'too pricey', feedback: 'too_expensive' } });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'cancellation_requested', comment: 'too pricey', feedback: 'too_expensive' } });
    expect(canceled.canceled_at).not.toBeNull();
    expect(canceled.ended_at).toBe(canceled.canceled_at);
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.deleted']);
    expect((await h.stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data.map((s) => s.id)).toEqual([subscription.id]);
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data.map((s) => s.id)).toEqual([subscription.id]);
    await expect(h.stripe.subscriptions.cancel(subscription.id)).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(h.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true })).rejects.toMatchObject({ message: 'A canceled subscription can only update its cancellation_details and metadata.' });
    expect((await h.stripe.subscriptions.update(subscription.id, { metadata: { note: 'churned' } })).metadata['note']).toBe('churned');
  });

  it('filters subscriptions by price and expands customer and latest_invoice in lists', async () => {
    const { customer, subscription } = await subscribe(h, 'api-list@example.com', PRO);
    const list = await h.stripe.subscriptions.list({ price: PRO, customer: customer.id, expand: ['data.customer', 'data.latest_invoice'] });
    expect(list.data.map((s) => s.id)).toEqual([subscription.id]);
    expect((list.data[0]?.customer as Stripe.Customer).email).toBe('api-list@example.com');
    expect((list.data[0]?.latest_invoice as Stripe.Invoice).billing_reason).toBe('subscription_create');
    expect((await h.stripe.subscriptions.list({ price: PREMIUM, customer: customer.id })).data).toEqual([]);
    const product = await h.stripe.subscriptions.retrieve(subscription.id, { expand: ['items.data.price.product'] });
    expect((item(product).price.product as Stripe.Product).name).toBe('Visiona Pro');
  });

  it('deleting a customer cancels its subscriptions first', async () => {
    const { customer, subscription } = await subscribe(h, 'api-gone@example.com');
    const before = await lastEventId(h);
    await h.stripe.customers.del(customer.id);
    expect((await h.stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    expect(await eventTypes(h, before)).toEqual(['customer.subscription.deleted', 'customer.deleted']);
    const expanded = await h.stripe.subscriptions.retrieve(subscription.id, { expand: ['customer'] });
    expect(expanded.customer).toEqual({ id: customer.id, object: 'customer', deleted: true });
  });
});

describe('stripe emulator: invoices', () => {
  it('lists invoices by customer, subscription and status, and their lines', async () => {
    const { customer, subscription } = await subscribe(h, 'inv@example.com');
    h.emu.control.advance(subscription.id, { fail: true });
    const all = await h.stripe.invoices.list({ customer: customer.id });
    expect(all.data.map((i) => i.billing_reason)).toEqual(['subscription_cycle', 'subscription_create']);
    expect((await h.stripe.invoices.list({ subscription: subscription.id, status: 'paid' })).data.map((i) => i.billing_reason)).toEqual(['subscription_create']);
    const lines = await h.stripe.invoices.listLineItems(String(all.data[0]?.id));
    expect(lines.data).toHaveLength(1);
    expect(lines.data[0]?.pricing?.price_details?.price).toBe(PREMIUM);
    const expanded = await h.stripe.invoices.retrieve(String(all.data[0]?.id), { expand: ['lines.data.pricing.price_details.price'] });
    expect((expanded.lines.data[0]?.pricing?.price_details?.price as Stripe.Price).unit_amount).toBe(1900);
    await expect(h.stripe.invoices.retrieve('in_nope')).rejects.toMatchObject({ statusCode: 404, message: "No such invoice: 'in_nope'" });
  });
});

describe('stripe emulator: control over HTTP', () => {
  it('pays, advances, adds endpoints and changes faults under /_emulator with the secret key', async () => {
    const customer = await h.stripe.customers.create({ email: 'http-control@example.com' });
    const s = await checkoutSession(h, customer.id);
    const call = async (method: string, path: string, body?: unknown, key = SECRET_KEY): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${h.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expect((await call('GET', '/_emulator/health', undefined, 'wrong')).json).toEqual({ status: 'ok', service: 'stripe-emulator' });
    expect((await call('POST', `/_emulator/checkout/sessions/${s.id}/pay`, undefined, 'sk_test_wrong')).status).toBe(401);
    const paid = await call('POST', `/_emulator/checkout/sessions/${s.id}/pay`);
    expect(paid.json).toMatchObject({ id: s.id, status: 'complete', payment_status: 'paid' });
    const sub = String(paid.json['subscription']);
    expect((await call('POST', `/_emulator/subscriptions/${sub}/advance`, { fail: true })).json).toMatchObject({ id: sub, status: 'past_due' });
    const missing = await call('POST', '/_emulator/subscriptions/sub_nope/advance');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'resource_missing' } });
    const endpoint = await call('POST', '/_emulator/webhook_endpoints', { url: 'http://127.0.0.1:9/hooks', secret: 'whsec_fixed' });
    expect(endpoint.json).toMatchObject({ url: 'http://127.0.0.1:9/hooks', secret: 'whsec_fixed' });
    expect((await call('GET', '/_emulator/webhook_endpoints')).json['data']).toContainEqual(expect.objectContaining({ id: endpoint.json['id'], secret: 'whsec_fixed' }));
    expect((await call('POST', '/_emulator/webhook_endpoints', { url: 'ftp://x' })).status).toBe(400);
    const faults = await call('POST', '/_emulator/faults', { http_error: { count: 1, status: 503 }, drop_next: 2 });
    expect(faults.json).toMatchObject({ pending_api_errors: 1, drop_next: 2 });
    expect((await fetch(`${h.baseUrl}/v1/prices`, { headers: { authorization: `Bearer ${SECRET_KEY}` } })).status).toBe(503);
    expect((await call('POST', '/_emulator/faults', { reset: true })).json).toMatchObject({ pending_api_errors: 0, drop_next: 0 });
    expect((await call('POST', '/_emulator/faults', { release: 'sideways' })).status).toBe(400);
  });
});
