import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateSaver } from '../../src/stripe/persistence.ts';
import { createStripeEmulator, DEFAULT_PRICES, type StripeEmulatorOptions } from '../../src/stripe/server.ts';
import { addMonths } from '../../src/stripe/util.ts';
import { checkoutSession, freePort, PRO, sdk, SECRET_KEY, submit, waitFor, webhookReceiver, type Harness, type Receiver } from './helpers.ts';

let dir: string;
let file: string;
const cleanups: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stripe-emulator-'));
  file = path.join(dir, 'stripe-emulator.json');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

/** An emulator keeping its state in `file`; a restart passes the same port, as `pnpm start` does. */
async function start(opts: Partial<StripeEmulatorOptions> & { port?: number } = {}): Promise<Harness> {
  const { port: wanted, ...rest } = opts;
  const port = wanted ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const emu = await createStripeEmulator({ secretKey: SECRET_KEY, publicUrl: baseUrl, prices: [...DEFAULT_PRICES], retryBaseMs: 20, dataFile: file, ...rest });
  await emu.app.listen({ host: '127.0.0.1', port });
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => (closed ??= emu.close());
  cleanups.push(close);
  return { emu, baseUrl, port, stripe: sdk(port), close };
}

async function receiver(secret: string): Promise<Receiver> {
  const r = await webhookReceiver();
  r.secret = secret;
  cleanups.push(() => r.close());
  return r;
}

async function saved(): Promise<Record<string, unknown[]> & { version: number }> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown[]> & { version: number };
}

function ids(list: unknown[]): string[] {
  return list.map((x) => (x as { id: string }).id);
}

function item(sub: Stripe.Subscription): Stripe.SubscriptionItem {
  return sub.items.data[0] as Stripe.SubscriptionItem;
}

/** A customer subscribed through Checkout and `control.pay`, as the app's users are. */
async function subscribed(h: Harness, email: string): Promise<{ customer: Stripe.Customer; session: Stripe.Checkout.Session; subscription: Stripe.Subscription }> {
  const created = await h.stripe.customers.create({ email, metadata: { visiona_user: email } });
  const checkout = await checkoutSession(h, created.id, undefined, { subscription_data: { metadata: { visiona_user: email } } });
  const paid = h.emu.control.pay(checkout.id);
  const subscription = await h.stripe.subscriptions.retrieve(String(paid.subscription));
  const session = await h.stripe.checkout.sessions.retrieve(checkout.id);
  const customer = (await h.stripe.customers.retrieve(created.id)) as Stripe.Customer;
  return { customer, session, subscription };
}

describe('stripe emulator: persistence (dataFile)', () => {
  it('after a restart, finds the customer, subscription, invoices, events and sessions, opens the portal and renews', async () => {
    const a = await start();
    const { customer, session, subscription } = await subscribed(a, 'keep@example.com');
    const invoices = await a.stripe.invoices.list({ customer: customer.id });
    const events = await a.stripe.events.list({ limit: 100 });
    const portalBefore = await a.stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://app.example/settings/billing' });
    expect(events.data.map((e) => e.type)).toContain('checkout.session.completed');
    await a.close();

    const b = await start({ port: a.port });
    expect(await b.stripe.customers.retrieve(customer.id)).toEqual(customer);
    const sub = await b.stripe.subscriptions.retrieve(subscription.id);
    expect(sub).toEqual(subscription);
    expect(sub).toMatchObject({ status: 'active', customer: customer.id, metadata: { visiona_user: 'keep@example.com' } });
    expect(item(sub).price.id).toBe(item(subscription).price.id);
    expect([item(sub).current_period_start, item(sub).current_period_end]).toEqual([item(subscription).current_period_start, item(subscription).current_period_end]);
    expect((await b.stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([subscription.id]);
    expect(await b.stripe.invoices.list({ customer: customer.id })).toEqual(invoices);
    expect(await b.stripe.checkout.sessions.retrieve(session.id)).toEqual(session);
    for (const e of events.data) expect(await b.stripe.events.retrieve(e.id)).toEqual(e);
    // The portal session made just before closing is the newest event; the rest follow, newest first.
    const eventsAfter = (await b.stripe.events.list({ limit: 100 })).data;
    expect(eventsAfter.map((e) => e.id).slice(1)).toEqual(events.data.map((e) => e.id));
    expect(eventsAfter[0]?.type).toBe('billing_portal.session.created');
    expect((await b.stripe.prices.list()).data.map((p) => p.id).sort()).toEqual(DEFAULT_PRICES.map((p) => p.id).sort());

    // The portal link made before the restart still opens (within its 5 minutes), and new ones work.
    expect((await fetch(portalBefore.url)).status).toBe(200);
    const portal = await b.stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://app.example/settings/billing' });
    expect(portal.configuration).toBe(portalBefore.configuration);
    const page = await fetch(portal.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('keep@example.com');
    expect(html).toContain('Visiona Premium');

    const renewed = b.emu.control.advance(subscription.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]?.current_period_start).toBe(item(subscription).current_period_end);
    expect(renewed.items.data[0]?.current_period_end).toBe(addMonths(item(subscription).current_period_start, 2));
    const latest = await b.stripe.invoices.retrieve(String(renewed.latest_invoice));
    expect(latest).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid', amount_paid: 1900 });
    // The invoice numbering carries on from the customer's saved sequence.
    expect(latest.number).toBe(`${customer.invoice_prefix}-0002`);
  });

  it('switches the price of a subscription made before the restart (portal and API)', async () => {
    const a = await start();
    const { customer, subscription } = await subscribed(a, 'switch@example.com');
    await a.close();

    const b = await start({ port: a.port });
    const portal = await b.stripe.billingPortal.sessions.create({ customer: customer.id });
    const res = await submit(`${portal.url}/subscriptions/${subscription.id}/switch`, { price: PRO });
    expect(res.status).toBe(303);
    const switched = await b.stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(item(switched).price.id).toBe(PRO);
    expect(switched.latest_invoice).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', amount_paid: 4900 });
    await b.close();

    const c = await start({ port: a.port });
    const back = await c.stripe.subscriptions.update(subscription.id, { items: [{ id: item(switched).id, price: DEFAULT_PRICES[0]?.id }], proration_behavior: 'always_invoice' });
    expect(item(back).price.id).toBe(DEFAULT_PRICES[0]?.id);
    expect((await c.stripe.invoices.list({ subscription: subscription.id })).data.map((i) => i.billing_reason)).toEqual(['subscription_update', 'subscription_update', 'subscription_create']);
  });

  it('saves after each change, before any close: requests, hosted pages and control methods', async () => {
    const h = await start();
    const customer = await h.stripe.customers.create({ email: 'early@example.com' });
    await waitFor(saved, (s) => ids(s['customers'] ?? []).includes(customer.id));
    const checkout = await checkoutSession(h, customer.id);
    await waitFor(saved, (s) => (s['checkouts'] ?? []).some((r) => (r as { session: { id: string } }).session.id === checkout.id));
    expect((await submit(`${checkout.url}/confirm`, { card: 'success' })).status).toBe(303);
    const state = await waitFor(saved, (s) => (s['subscriptions'] ?? []).length === 1);
    const sub = (state['subscriptions']?.[0] as { sub: Stripe.Subscription; periodIndex: number });
    expect(sub.periodIndex).toBe(0);
    h.emu.control.advance(sub.sub.id);
    await waitFor(saved, (s) => (s['subscriptions']?.[0] as { periodIndex: number }).periodIndex === 1);
    const other = await checkoutSession(h, customer.id, PRO);
    h.emu.control.pay(other.id);
    await waitFor(saved, (s) => (s['subscriptions'] ?? []).length === 2);
  });

  it('writes the file with mode 0600 through <file>.tmp and a rename, leaving no .tmp behind', async () => {
    const h = await start();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await Promise.all(Array.from({ length: 10 }, (_, i) => h.stripe.customers.create({ email: `m${i}@example.com` })));
    await h.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['stripe-emulator.json']);
    const s = await saved();
    expect(s.version).toBe(1);
    expect(s['customers']).toHaveLength(10);
  });

  it('keeps 20 customers created in parallel across a restart', async () => {
    const a = await start();
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => a.stripe.customers.create({ email: `c${i}@example.com`, metadata: { n: String(i) } })));
    await a.close();
    const b = await start({ port: a.port });
    const listed = await b.stripe.customers.list({ limit: 100 });
    expect(listed.data.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort());
    for (const c of created) expect(await b.stripe.customers.retrieve(c.id)).toEqual(c);
    expect((await b.stripe.events.list({ type: 'customer.created', limit: 100 })).data).toHaveLength(20);
  });

  it('keeps only the newest 1,000 events', async () => {
    const a = await start();
    const auth = { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded' };
    for (let i = 0; i < 1005; i++) {
      const res = await a.emu.app.inject({ method: 'POST', url: '/v1/customers', headers: auth, payload: `email=e${i}%40example.com` });
      expect(res.statusCode).toBe(200);
    }
    const all = await a.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 2000 });
    expect(all).toHaveLength(1005);
    await a.close();
    const s = await saved();
    expect(s['events']).toHaveLength(1000);
    expect(s['customers']).toHaveLength(1005);

    const b = await start({ port: a.port });
    const kept = await b.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 2000 });
    expect(kept.map((e) => e.id)).toEqual(all.slice(0, 1000).map((e) => e.id));
    const oldest = all[all.length - 1] as Stripe.Event;
    await expect(b.stripe.events.retrieve(oldest.id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('keeps webhook endpoints with their secrets; the configured one is not duplicated and takes the option\'s secret', async () => {
    const configured = await receiver('whsec_first_start');
    const viaApi = await receiver('');
    const a = await start({ webhookEndpoints: [{ url: configured.url, secret: 'whsec_first_start' }] });
    const created = await a.stripe.webhookEndpoints.create({ url: viaApi.url, enabled_events: ['customer.created'] });
    viaApi.secret = String(created.secret);
    const before = await a.stripe.webhookEndpoints.list();
    expect(before.data).toHaveLength(2);
    await a.close();

    const b = await start({ port: a.port, webhookEndpoints: [{ url: configured.url, secret: 'whsec_second_start' }] });
    const after = await b.stripe.webhookEndpoints.list();
    expect(after.data.map((e) => [e.id, e.url, e.enabled_events])).toEqual(before.data.map((e) => [e.id, e.url, e.enabled_events]));
    expect(b.emu.webhookSecret).toBe('whsec_second_start');
    configured.secret = 'whsec_second_start';
    configured.received.splice(0);
    viaApi.received.splice(0);
    await b.stripe.customers.create({ email: 'hooked@example.com' });
    await b.emu.webhooksIdle();
    expect(configured.invalid).toEqual([]);
    expect(viaApi.invalid).toEqual([]);
    expect(configured.types()).toEqual(['customer.created']);
    expect(viaApi.types()).toEqual(['customer.created']);
    await b.close();

    // Without the option, the endpoint it added is configuration gone stale; the API's stays.
    const c = await start({ port: a.port });
    expect((await c.stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([created.id]);
  });

  it.each([
    ['not JSON', '{"version": 1, "customers": [', /is not valid JSON/],
    ['not an object', '[]', /the top level must be a JSON object/],
    ['another version', '{"version": 2}', /version must be 1 \(found 2\)/],
    ['without version', '{"customers": []}', /version must be 1 \(found nothing\)/],
    ['a list of the wrong kind', JSON.stringify({ version: 1, portalConfiguration: 'bpc_1x', customers: 'none' }), /customers must be an array/],
  ])('refuses a data file that is %s with an error naming the file, and leaves it alone', async (_name, content, message) => {
    await writeFile(file, content);
    const err = (await createStripeEmulator({ secretKey: SECRET_KEY, publicUrl: 'http://127.0.0.1:1', prices: [...DEFAULT_PRICES], dataFile: file }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(message);
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it('names the broken record of a state that is otherwise well formed', async () => {
    const a = await start();
    await subscribed(a, 'broken@example.com');
    await a.close();
    const s = await saved();
    (s['subscriptions']?.[0] as { periodIndex: number }).periodIndex = -1;
    await writeFile(file, JSON.stringify(s));
    await expect(start()).rejects.toThrow(`the Stripe emulator data file ${file} is not a version 1 Stripe emulator state: subscriptions[0].periodIndex must be an integer ≥ 0`);
  });

  it('refuses to start when the data file cannot be written', async () => {
    // A directory where the temporary file goes makes the first write fail.
    await mkdir(`${file}.tmp`);
    await expect(start()).rejects.toThrow(`cannot write the Stripe emulator data file ${file}: EISDIR`);
  });
});

describe('stripe emulator: StateSaver', () => {
  it('writes a burst of changes once, at most one write in flight, and flushes the last state', async () => {
    let state = 0;
    const written: string[] = [];
    const saver = new StateSaver({
      file,
      serialize: () => {
        written.push(String(state));
        return JSON.stringify({ state });
      },
      onError: (err) => {
        throw err;
      },
    });
    for (state = 1; state <= 50; state++) saver.schedule();
    state = 50;
    await waitFor(() => written.length, (n) => n >= 1);
    await saver.flush();
    expect(written).toEqual(['50']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ state: 50 });

    // Changes made while a write is in flight are written once, right after it.
    state = 51;
    saver.schedule();
    await waitFor(() => written.length, (n) => n === 2);
    for (state = 52; state <= 60; state++) saver.schedule();
    state = 60;
    await saver.flush();
    expect(written.slice(2)).toEqual(['60']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ state: 60 });
    expect(await readdir(dir)).toEqual(['stripe-emulator.json']);
  });
});
