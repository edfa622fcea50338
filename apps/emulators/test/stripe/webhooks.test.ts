import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { signStripePayload, type StripeEmulatorOptions } from '../../src/stripe/server.ts';
import { connect, fakeClock, SECRET_KEY, startEmulator, subscribe, webhookReceiver, type Harness, type Receiver } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Partial<StripeEmulatorOptions> = {}): Promise<{ h: Harness; r: Receiver }> {
  const h = await startEmulator(opts);
  cleanups.push(() => h.close());
  const r = await webhookReceiver();
  cleanups.push(() => r.close());
  connect(h, r);
  return { h, r };
}

/** Emits one `customer.created` per email, in order. */
async function customers(h: Harness, ...emails: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const email of emails) ids.push((await h.stripe.customers.create({ email })).id);
  return ids;
}

function emails(r: Receiver): string[] {
  return r.received.map((x) => String((x.event.data.object as { email?: string }).email));
}

const PAY_EVENTS = ['customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'checkout.session.completed'];

describe('stripe emulator: webhook deliveries', () => {
  it('signs every delivery so stripe.webhooks.constructEvent verifies it, with Stripe\'s headers and event shape', async () => {
    const { h, r } = await setup();
    await subscribe(h, 'hooks@example.com');
    await h.emu.webhooksIdle();
    expect(r.invalid).toEqual([]);
    expect(r.types()).toEqual(['customer.created', ...PAY_EVENTS]);
    const first = r.received[0] as (typeof r.received)[number];
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['user-agent']).toBe('Stripe/1.0 (+https://stripe.com/docs/webhooks)');
    expect(first.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(first.event).toMatchObject({ object: 'event', api_version: '2026-10-28.endive', livemode: false, type: 'customer.created' });
    expect(first.event.id).toMatch(/^evt_/);
    expect(first.event.request?.id).toMatch(/^req_/);
    expect(first.event.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
    expect(r.received[1]?.event.request).toEqual({ id: null, idempotency_key: null });

    const stored = await h.stripe.events.retrieve(first.event.id);
    expect(stored.pending_webhooks).toBe(0);
    expect({ ...(JSON.parse(first.body) as object), pending_webhooks: 0 }).toEqual(JSON.parse(JSON.stringify(stored)) as object);

    // Each event carries the object as it was when emitted.
    const invoiceStatuses = r.received.filter((x) => x.event.type.startsWith('invoice.')).map((x) => (x.event.data.object as Stripe.Invoice).status);
    expect(invoiceStatuses).toEqual(['draft', 'open', 'paid', 'paid']);
  });

  it('signStripePayload matches stripe-node\'s own test header; a wrong secret fails verification', async () => {
    const { h, r } = await setup();
    await customers(h, 'sig@example.com');
    await h.emu.webhooksIdle();
    const { body, headers } = r.received[0] as (typeof r.received)[number];
    const t = Number(/^t=(\d+)/.exec(String(headers['stripe-signature']))?.[1]);
    const verifier = new Stripe('sk_test_unused');
    expect(signStripePayload(body, r.secret, t)).toBe(verifier.webhooks.generateTestHeaderString({ payload: body, secret: r.secret, timestamp: t }));
    expect(() => verifier.webhooks.constructEvent(body, String(headers['stripe-signature']), 'whsec_someone_else')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => verifier.webhooks.constructEvent(body.replace('sig@', 'sag@'), String(headers['stripe-signature']), r.secret)).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('delivers to one endpoint one at a time, in emission order', async () => {
    const { h, r } = await setup();
    r.slow(25);
    await customers(h, '1@x.io', '2@x.io', '3@x.io', '4@x.io');
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['1@x.io', '2@x.io', '3@x.io', '4@x.io']);
    expect(r.maxInFlight()).toBe(1);
  });

  it('retries a failed delivery (500 from the receiver) with exponential backoff until it is accepted', async () => {
    const { h, r } = await setup({ retryBaseMs: 60 });
    r.failNext(2, 500);
    const [id] = await customers(h, 'retry@example.com');
    await h.emu.webhooksIdle();
    expect(r.received.map((x) => (x.event.data.object as Stripe.Customer).id)).toEqual([id]);
    const log = h.emu.control.deliveries();
    expect(log.map((d) => [d.type, d.attempt, d.status])).toEqual([
      ['customer.created', 1, 500],
      ['customer.created', 2, 500],
      ['customer.created', 3, 200],
    ]);
    expect(log.every((d) => d.endpoint === r.url && d.eventId === r.received[0]?.event.id)).toBe(true);
    const at = log.map((d) => Date.parse(d.at));
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(55);
    expect((at[2] as number) - (at[1] as number)).toBeGreaterThanOrEqual(115);
  });

  it('gives up after maxAttempts; the event stays pending for that endpoint', async () => {
    const { h, r } = await setup({ retryBaseMs: 5, maxAttempts: 3 });
    r.failNext(100, 503);
    await customers(h, 'never@example.com');
    await h.emu.webhooksIdle();
    expect(h.emu.control.deliveries().map((d) => d.status)).toEqual([503, 503, 503]);
    expect(r.received).toEqual([]);
    const [event] = (await h.stripe.events.list({ limit: 1 })).data;
    expect(event?.pending_webhooks).toBe(1);
  });

  it('counts a refused connection as a network error and retries it', async () => {
    const { h } = await setup({ retryBaseMs: 5, maxAttempts: 2 });
    const dead = await webhookReceiver();
    await dead.close();
    h.emu.control.addWebhookEndpoint(dead.url);
    await customers(h, 'netfail@example.com');
    await h.emu.webhooksIdle();
    expect(h.emu.control.deliveries().filter((d) => d.endpoint === dead.url).map((d) => [d.attempt, d.status])).toEqual([
      [1, 'network-error'],
      [2, 'network-error'],
    ]);
  });

  it('counts a delivery that takes longer than the timeout as a network error and retries it', async () => {
    const { h, r } = await setup({ webhookTimeoutMs: 100, retryBaseMs: 50 });
    r.slow(300);
    await customers(h, 'slow@example.com');
    await new Promise((res) => setTimeout(res, 120));
    r.slow(0);
    await h.emu.webhooksIdle();
    expect(h.emu.control.deliveries().map((d) => [d.attempt, d.status])).toEqual([
      [1, 'network-error'],
      [2, 200],
    ]);
    await new Promise((res) => setTimeout(res, 250));
    // The receiver finished the timed-out request too: it sees the event twice.
    expect(emails(r)).toEqual(['slow@example.com', 'slow@example.com']);
  });

  it('re-signs every attempt with the current time', async () => {
    const clock = fakeClock(Date.now());
    const { h, r } = await setup({ clock, retryBaseMs: 150 });
    r.failNext(1, 500);
    await customers(h, 'resign@example.com');
    await new Promise((res) => setTimeout(res, 50));
    clock.advance(90_000);
    await h.emu.webhooksIdle();
    const t = Number(/^t=(\d+)/.exec(String(r.received[0]?.headers['stripe-signature']))?.[1]);
    expect(t).toBe(Math.floor(clock.now().getTime() / 1000));
    const [a, b] = h.emu.control.deliveries();
    expect(Date.parse(b?.at ?? '') - Date.parse(a?.at ?? '')).toBeGreaterThanOrEqual(90_000);
  });

  it('fans out to every endpoint; pending_webhooks counts the endpoints still waiting', async () => {
    const { h, r } = await setup({ retryBaseMs: 5, maxAttempts: 2 });
    const other = await webhookReceiver();
    cleanups.push(() => other.close());
    connect(h, other);
    await customers(h, 'fan@example.com');
    await h.emu.webhooksIdle();
    expect(r.types()).toEqual(['customer.created']);
    expect(other.types()).toEqual(['customer.created']);
    expect(other.received[0]?.event.id).toBe(r.received[0]?.event.id);
    expect((await h.stripe.events.list({ limit: 1 })).data[0]?.pending_webhooks).toBe(0);
  });
});

describe('stripe emulator: webhook faults', () => {
  it('duplicateNext delivers each of the next events twice with the same id', async () => {
    const { h, r } = await setup();
    h.emu.faults.duplicateNext(1);
    await customers(h, 'dup@x.io', 'single@x.io');
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['dup@x.io', 'dup@x.io', 'single@x.io']);
    expect(r.received[0]?.event.id).toBe(r.received[1]?.event.id);
  });

  it("failFirstAttempt('lost-response') sends the first attempt but counts it failed, so the receiver sees the event again", async () => {
    const { h, r } = await setup();
    h.emu.faults.failFirstAttempt(1);
    await customers(h, 'lost@x.io', 'fine@x.io');
    await h.emu.webhooksIdle();
    expect(emails(r).filter((e) => e === 'lost@x.io')).toHaveLength(2);
    expect(emails(r).filter((e) => e === 'fine@x.io')).toHaveLength(1);
    const lost = h.emu.control.deliveries().filter((d) => d.eventId === r.received[0]?.event.id);
    expect(lost.map((d) => [d.attempt, d.status])).toEqual([
      [1, 'lost-response'],
      [2, 200],
    ]);
  });

  it("failFirstAttempt('not-delivered') fails the first attempt without sending it", async () => {
    const { h, r } = await setup();
    h.emu.faults.failFirstAttempt(2, 'not-delivered');
    await customers(h, 'nd1@x.io', 'nd2@x.io', 'nd3@x.io');
    await h.emu.webhooksIdle();
    expect([...emails(r)].sort()).toEqual(['nd1@x.io', 'nd2@x.io', 'nd3@x.io']);
    const statuses = h.emu.control.deliveries().map((d) => `${d.attempt}:${d.status}`);
    expect(statuses.filter((s) => s === '1:not-delivered')).toHaveLength(2);
    expect(statuses.filter((s) => s.endsWith(':200'))).toHaveLength(3);
  });

  it('delayNext delivers the next events late, after events emitted later', async () => {
    const { h, r } = await setup();
    h.emu.faults.delayNext(1, 250);
    const t0 = Date.now();
    await customers(h, 'late@x.io', 'early@x.io');
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['early@x.io', 'late@x.io']);
    expect((r.received[1]?.at ?? 0) - t0).toBeGreaterThanOrEqual(240);
  });

  it.each([
    ['emitted', ['h1@x.io', 'h2@x.io', 'h3@x.io']],
    ['reverse', ['h3@x.io', 'h2@x.io', 'h1@x.io']],
  ] as const)('hold() queues events until release(%s)', async (order, expected) => {
    const { h, r } = await setup();
    h.emu.faults.hold();
    await customers(h, 'h1@x.io', 'h2@x.io', 'h3@x.io');
    await h.emu.webhooksIdle();
    await new Promise((res) => setTimeout(res, 50));
    expect(r.received).toEqual([]);
    h.emu.faults.release(order);
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(expected);
    expect(r.maxInFlight()).toBe(1);
  });

  it("release('concurrent') sends every held event at once, in parallel", async () => {
    const { h, r } = await setup();
    r.slow(150);
    h.emu.faults.hold();
    await customers(h, 'c1@x.io', 'c2@x.io', 'c3@x.io', 'c4@x.io');
    h.emu.faults.release('concurrent');
    await h.emu.webhooksIdle();
    expect([...emails(r)].sort()).toEqual(['c1@x.io', 'c2@x.io', 'c3@x.io', 'c4@x.io']);
    expect(r.maxInFlight()).toBe(4);
  });

  it('dropNext never delivers the next events; they are still listed, and resend delivers them (same id)', async () => {
    const { h, r } = await setup();
    h.emu.faults.dropNext(1);
    const [dropped] = await customers(h, 'dropped@x.io', 'kept@x.io');
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['kept@x.io']);
    const listed = (await h.stripe.events.list({ type: 'customer.created' })).data.find((e) => (e.data.object as Stripe.Customer).id === dropped);
    expect(listed).toBeDefined();
    expect(h.emu.control.deliveries().some((d) => d.eventId === listed?.id)).toBe(false);
    h.emu.control.resend(String(listed?.id));
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['kept@x.io', 'dropped@x.io']);
    expect(r.received[1]?.event.id).toBe(listed?.id);
  });

  it('resend replays an event that was already delivered', async () => {
    const { h, r } = await setup();
    await customers(h, 'replay@x.io');
    await h.emu.webhooksIdle();
    h.emu.control.resend(String(r.received[0]?.event.id));
    await h.emu.webhooksIdle();
    expect(r.received.map((x) => x.event.id)).toEqual([r.received[0]?.event.id, r.received[0]?.event.id]);
    expect(() => h.emu.control.resend('evt_nope')).toThrow(/No such event/);
  });

  it('reset clears pending faults and releases held events', async () => {
    const { h, r } = await setup();
    h.emu.faults.dropNext(5);
    h.emu.faults.duplicateNext(5);
    h.emu.faults.hold();
    h.emu.faults.reset();
    expect(h.emu.faults.snapshot()).toMatchObject({ drop_next: 0, duplicate_next: 0, holding: false });
    await customers(h, 'after-reset@x.io');
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['after-reset@x.io']);

    h.emu.faults.hold();
    await customers(h, 'held@x.io');
    h.emu.faults.reset();
    await h.emu.webhooksIdle();
    expect(emails(r)).toEqual(['after-reset@x.io', 'held@x.io']);
  });

  it('the webhook faults and log are reachable over HTTP', async () => {
    const { h, r } = await setup();
    const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${h.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    await call('POST', '/_emulator/faults', { hold: true, duplicate_next: 1 });
    await customers(h, 'x1@x.io', 'x2@x.io');
    expect(r.received).toEqual([]);
    await call('POST', '/_emulator/faults', { release: 'reverse' });
    await call('POST', '/_emulator/webhooks/idle');
    expect(emails(r)).toEqual(['x2@x.io', 'x1@x.io', 'x1@x.io']);
    const log = (await call('GET', '/_emulator/deliveries'))['data'] as { eventId: string; status: number }[];
    expect(log).toHaveLength(3);
    await call('POST', `/_emulator/events/${log[0]?.eventId}/resend`);
    await call('POST', '/_emulator/webhooks/idle');
    expect(emails(r)).toEqual(['x2@x.io', 'x1@x.io', 'x1@x.io', 'x2@x.io']);
  });
});

describe('stripe emulator: webhook endpoints', () => {
  it('manages endpoints through the SDK: the secret only on create, enabled_events filter, disable and delete', async () => {
    const h = await startEmulator();
    cleanups.push(() => h.close());
    const r = await webhookReceiver();
    cleanups.push(() => r.close());
    const created = await h.stripe.webhookEndpoints.create({ url: r.url, enabled_events: ['invoice.paid', 'checkout.session.completed'], description: 'Visiona' });
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(created).toMatchObject({ object: 'webhook_endpoint', url: r.url, status: 'enabled', enabled_events: ['invoice.paid', 'checkout.session.completed'], api_version: '2026-10-28.endive' });
    r.secret = created.secret ?? '';
    expect(h.emu.webhookSecret).toBe(created.secret);
    expect(await h.stripe.webhookEndpoints.retrieve(created.id)).not.toHaveProperty('secret');
    expect((await h.stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([created.id]);

    await subscribe(h, 'filtered@example.com');
    await h.emu.webhooksIdle();
    expect(r.types()).toEqual(['invoice.paid', 'checkout.session.completed']);

    await h.stripe.webhookEndpoints.update(created.id, { disabled: true });
    await subscribe(h, 'disabled@example.com');
    await h.emu.webhooksIdle();
    expect(r.received).toHaveLength(2);

    expect(await h.stripe.webhookEndpoints.del(created.id)).toEqual(expect.objectContaining({ id: created.id, deleted: true }));
    expect((await h.stripe.webhookEndpoints.list()).data).toEqual([]);
    expect(h.emu.webhookSecret).toBe('');
    await expect(h.stripe.webhookEndpoints.create({ url: r.url, enabled_events: ['not an event' as 'invoice.paid'] })).rejects.toMatchObject({ statusCode: 400, param: 'enabled_events[0]' });
    await expect(h.stripe.webhookEndpoints.create({ enabled_events: ['*'] } as unknown as Stripe.WebhookEndpointCreateParams)).rejects.toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'url' });
  });

  it('takes endpoints from the options, with a given or generated secret', async () => {
    const r = await webhookReceiver();
    cleanups.push(() => r.close());
    const h = await startEmulator({ webhookEndpoints: [{ url: r.url, secret: 'whsec_visiona_local_emulator' }, { url: 'http://127.0.0.1:9/other' }] });
    cleanups.push(() => h.close());
    expect(h.emu.webhookSecret).toBe('whsec_visiona_local_emulator');
    r.secret = 'whsec_visiona_local_emulator';
    await h.stripe.customers.create({ email: 'opts@example.com' });
    await new Promise((res) => setTimeout(res, 100));
    expect(r.types()).toEqual(['customer.created']);
    await expect(startEmulator({ webhookEndpoints: [{ url: 'http://x.io', secret: 'plain' }] })).rejects.toThrow(/whsec_/);
  });
});
