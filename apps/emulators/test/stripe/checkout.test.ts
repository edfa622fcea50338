import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths } from '../../src/stripe/util.ts';
import { checkoutSession, eventTypes, fakeClock, lastEventId, PREMIUM, PRO, startEmulator, submit, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h?.close();
});

async function page(url: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

describe('stripe emulator: Checkout Sessions', () => {
  it('creates an open subscription session with a hosted URL that expires in 24 hours', async () => {
    const customer = await h.stripe.customers.create({ email: 'ada@example.com' });
    const s = await checkoutSession(h, customer.id, PREMIUM, { client_reference_id: 'user_42', metadata: { visiona_user: 'u42' } });
    expect(s.id).toMatch(/^cs_test_a1[A-Za-z0-9]{56}$/);
    expect(s).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      status: 'open',
      payment_status: 'unpaid',
      customer: customer.id,
      client_reference_id: 'user_42',
      metadata: { visiona_user: 'u42' },
      amount_total: 1900,
      currency: 'usd',
      subscription: null,
      invoice: null,
      url: `${h.baseUrl}/c/pay/${s.id}`,
      success_url: 'https://app.example/billing/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example/billing',
    });
    expect(s.expires_at - s.created).toBe(24 * 3600);
    const items = await h.stripe.checkout.sessions.listLineItems(s.id);
    expect(items.data.map((li) => [li.price?.id, li.quantity, li.amount_total])).toEqual([[PREMIUM, 1, 1900]]);
  });

  it('serves the hosted page: product, "$19.00 / month", the email, Pay, a declined-card button and Cancel', async () => {
    const customer = await h.stripe.customers.create({ email: 'page@example.com' });
    const s = await checkoutSession(h, customer.id);
    const p = await page(s.url ?? '');
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toMatch(/^text\/html/);
    expect(p.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(p.html).toContain('<h1>Visiona Premium</h1>');
    expect(p.html).toContain('$19.00 / month');
    expect(p.html).toContain('page@example.com');
    expect(p.html).toMatch(new RegExp(`<form method="post" action="/c/pay/${s.id}/confirm"`));
    expect(p.html).toMatch(/<button type="submit" class="primary" name="card" value="success">Pay<\/button>/);
    expect(p.html).toMatch(/<button[^>]*value="declined"[^>]*>Pay with a declined card<\/button>/);
    expect(p.html).toContain('<a href="https://app.example/billing">Cancel</a>');
    expect(p.html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
    expect(p.html).toMatch(/Test mode: Stripe emulator/);
    expect(p.html).not.toContain('id="email"');
    expect((await page(`${h.baseUrl}/c/pay/cs_test_unknown`)).status).toBe(404);
  });

  it('Pay creates the subscription and its paid invoice, completes the session and redirects to success_url with the id', async () => {
    const customer = await h.stripe.customers.create({ email: 'pay@example.com' });
    const s = await checkoutSession(h, customer.id, PREMIUM, { subscription_data: { metadata: { visiona_user: 'u7' } } });
    const before = await lastEventId(h);
    const res = await submit(`${s.url}/confirm`, { card: 'success' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://app.example/billing/success?session_id=${s.id}`);

    const done = await h.stripe.checkout.sessions.retrieve(s.id, { expand: ['subscription', 'invoice'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer: customer.id, url: null, customer_details: { email: 'pay@example.com' } });
    const sub = done.subscription as Stripe.Subscription;
    const inv = done.invoice as Stripe.Invoice;
    expect(sub.id).toMatch(/^sub_/);
    expect(sub).toMatchObject({ object: 'subscription', status: 'active', customer: customer.id, cancel_at_period_end: false, latest_invoice: inv.id, metadata: { visiona_user: 'u7' }, currency: 'usd', collection_method: 'charge_automatically' });
    expect(sub).not.toHaveProperty('current_period_end');
    expect(sub.items.data).toHaveLength(1);
    const item = sub.items.data[0] as Stripe.SubscriptionItem;
    expect(item.id).toMatch(/^si_/);
    expect(item).toMatchObject({ object: 'subscription_item', subscription: sub.id, quantity: 1, price: { id: PREMIUM, unit_amount: 1900 }, plan: { id: PREMIUM, object: 'plan', amount: 1900, interval: 'month' } });
    expect(item.current_period_start).toBe(sub.start_date);
    expect(item.current_period_end).toBe(addMonths(item.current_period_start, 1));

    expect(inv.id).toMatch(/^in_/);
    expect(inv).toMatchObject({
      object: 'invoice',
      status: 'paid',
      billing_reason: 'subscription_create',
      customer: customer.id,
      customer_email: 'pay@example.com',
      amount_due: 1900,
      amount_paid: 1900,
      amount_remaining: 0,
      currency: 'usd',
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: { visiona_user: 'u7' } } },
    });
    expect(inv.number).toMatch(/^[A-Z0-9]{8}-0001$/);
    expect(inv.status_transitions.paid_at).toBeGreaterThanOrEqual(s.created);
    const line = inv.lines.data[0] as Stripe.InvoiceLineItem;
    expect(line.pricing).toMatchObject({ type: 'price_details', price_details: { price: PREMIUM, product: 'prod_visiona_premium' } });
    expect(line).toMatchObject({ amount: 1900, period: { start: item.current_period_start, end: item.current_period_end }, parent: { type: 'subscription_item_details', subscription_item_details: { subscription: sub.id, subscription_item: item.id, proration: false } } });
    expect(inv.hosted_invoice_url).toBe(`${h.baseUrl}/i/${inv.id}`);
    const invoicePage = await page(inv.hosted_invoice_url ?? '');
    expect(invoicePage.status).toBe(200);
    expect(invoicePage.html).toContain('$19.00 paid');

    expect(await eventTypes(h, before)).toEqual(['customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'checkout.session.completed']);

    const after = await page(s.url ?? '');
    expect(after.html).toContain('Payment complete');
    expect(after.html).toContain(`href="https://app.example/billing/success?session_id=${s.id}"`);
  });

  it('paying twice (double submit, or control.pay after the button) creates one subscription', async () => {
    const customer = await h.stripe.customers.create({ email: 'twice@example.com' });
    const s = await checkoutSession(h, customer.id);
    const [a, b] = await Promise.all([submit(`${s.url}/confirm`, { card: 'success' }), submit(`${s.url}/confirm`, { card: 'success' })]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(b.headers.get('location')).toBe(a.headers.get('location'));
    const paid = h.emu.control.pay(s.id);
    const subs = await h.stripe.subscriptions.list({ customer: customer.id });
    expect(subs.data).toHaveLength(1);
    expect(paid.subscription).toBe(subs.data[0]?.id);
    expect((await h.stripe.invoices.list({ customer: customer.id })).data).toHaveLength(1);
  });

  it('"Pay with a declined card" shows the decline and creates nothing', async () => {
    const customer = await h.stripe.customers.create({ email: 'declined@example.com' });
    const s = await checkoutSession(h, customer.id);
    const before = await lastEventId(h);
    const res = await submit(`${s.url}/confirm`, { card: 'declined' });
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain('<p class="alert" role="alert">Your card was declined.</p>');
    expect(html).toContain('>Pay</button>');
    expect((await h.stripe.checkout.sessions.retrieve(s.id)).status).toBe('open');
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
    expect(await eventTypes(h, before)).toEqual([]);
  });

  it('with customer_email, Pay creates the customer first; without any email the page asks for one', async () => {
    const s = await h.stripe.checkout.sessions.create({ mode: 'subscription', customer_email: 'new@example.com', line_items: [{ price: PRO, quantity: 1 }], success_url: 'https://app.example/ok' });
    expect((await page(s.url ?? '')).html).toContain('new@example.com');
    const before = await lastEventId(h);
    expect((await submit(`${s.url}/confirm`, { card: 'success' })).status).toBe(303);
    const done = await h.stripe.checkout.sessions.retrieve(s.id, { expand: ['customer'] });
    expect((done.customer as Stripe.Customer).email).toBe('new@example.com');
    expect((await eventTypes(h, before))[0]).toBe('customer.created');

    const anon = await h.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: PRO, quantity: 1 }], success_url: 'https://app.example/ok' });
    const form = await page(anon.url ?? '');
    expect(form.html).toContain('<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>');
    const bad = await submit(`${anon.url}/confirm`, { card: 'success', email: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter a valid email address.');
    expect((await submit(`${anon.url}/confirm`, { card: 'success', email: 'typed@example.com' })).status).toBe(303);
    const anonDone = await h.stripe.checkout.sessions.retrieve(anon.id, { expand: ['customer'] });
    expect((anonDone.customer as Stripe.Customer).email).toBe('typed@example.com');
  });

  it('expire closes an open session with checkout.session.expired; its page and Pay then change nothing', async () => {
    const customer = await h.stripe.customers.create({ email: 'expire@example.com' });
    const s = await checkoutSession(h, customer.id);
    const before = await lastEventId(h);
    const expired = await h.stripe.checkout.sessions.expire(s.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    expect(await eventTypes(h, before)).toEqual(['checkout.session.expired']);
    const p = await page(`${h.baseUrl}/c/pay/${s.id}`);
    expect(p.status).toBe(410);
    expect(p.html).toContain('This checkout session has expired');
    expect((await submit(`${h.baseUrl}/c/pay/${s.id}/confirm`, { card: 'success' })).status).toBe(410);
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
    await expect(h.stripe.checkout.sessions.expire(s.id)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/status of "expired"/) });
    expect(() => h.emu.control.pay(s.id)).toThrow(/expired/);
  });

  it('an open session expires by itself at expires_at (clock)', async () => {
    const clock = fakeClock();
    const other = await startEmulator({ clock });
    try {
      const customer = await other.stripe.customers.create({ email: 'late@example.com' });
      const s = await checkoutSession(other, customer.id);
      clock.advance(24 * 3600 * 1000 - 1000);
      expect((await other.stripe.checkout.sessions.retrieve(s.id)).status).toBe('open');
      clock.advance(1000);
      expect((await other.stripe.checkout.sessions.retrieve(s.id)).status).toBe('expired');
      expect((await other.stripe.events.list({ type: 'checkout.session.expired' })).data).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('validates parameters like Stripe', async () => {
    const customer = await h.stripe.customers.create({ email: 'v@example.com' });
    const base = { mode: 'subscription' as const, success_url: 'https://app.example/ok', line_items: [{ price: PREMIUM, quantity: 1 }] };
    await expect(h.stripe.checkout.sessions.create({ ...base, customer: customer.id, customer_email: 'v@example.com' })).rejects.toMatchObject({ statusCode: 400, code: 'parameters_exclusive' });
    await expect(h.stripe.checkout.sessions.create({ ...base, line_items: [{ price: PREMIUM }] })).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0]', message: 'Quantity is required. Add `quantity` to `line_items[0]`' });
    await expect(h.stripe.checkout.sessions.create({ ...base, line_items: [{ price: 'price_nope', quantity: 1 }] })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'line_items[0][price]', message: "No such price: 'price_nope'" });
    await expect(h.stripe.checkout.sessions.create({ ...base, mode: 'payment' })).rejects.toMatchObject({ statusCode: 400, param: 'mode' });
    await expect(h.stripe.checkout.sessions.create({ ...base, mode: 'bogus' as 'payment' })).rejects.toMatchObject({ statusCode: 400, param: 'mode', message: 'Invalid mode: must be one of payment, setup, or subscription' });
    await expect(h.stripe.checkout.sessions.create({ ...base, success_url: 'not a url' })).rejects.toMatchObject({ statusCode: 400, param: 'success_url', code: 'url_invalid' });
    await expect(h.stripe.checkout.sessions.create({ ...base, customer: customer.id, subscription_data: { trial_period_days: 7 } })).rejects.toMatchObject({ statusCode: 400, param: 'subscription_data[trial_period_days]' });
    await expect(h.stripe.checkout.sessions.create({ ...base, customer: 'cus_gone' })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    await expect(h.stripe.checkout.sessions.retrieve('cs_test_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('lists sessions by customer and status, and expands line_items and customer', async () => {
    const customer = await h.stripe.customers.create({ email: 'list@example.com' });
    const a = await checkoutSession(h, customer.id);
    const b = await checkoutSession(h, customer.id, PRO);
    h.emu.control.pay(b.id);
    const open = await h.stripe.checkout.sessions.list({ customer: customer.id, status: 'open' });
    expect(open.data.map((s) => s.id)).toEqual([a.id]);
    const got = await h.stripe.checkout.sessions.retrieve(b.id, { expand: ['line_items', 'customer'] });
    expect(got.line_items?.data[0]?.price?.id).toBe(PRO);
    expect((got.customer as Stripe.Customer).email).toBe('list@example.com');
  });
});
