import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeEmulator, DEFAULT_PRICES } from '../../src/stripe/server.ts';
import { fakeClock, PREMIUM, PRO, SECRET_KEY, sdk, startEmulator, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h?.close();
});

async function raw(method: string, path: string, opts: { key?: string | null; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers };
  if (opts.key !== null) headers['authorization'] = `Bearer ${opts.key ?? SECRET_KEY}`;
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: opts.body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe('stripe emulator: customers', () => {
  it('creates, retrieves, updates (metadata merge and unset), lists and deletes customers', async () => {
    const c = await h.stripe.customers.create({ email: 'grace@example.com', name: 'Grace', metadata: { user_id: 'u1', plan: 'free' } });
    expect(c).toMatchObject({ object: 'customer', email: 'grace@example.com', name: 'Grace', livemode: false, metadata: { user_id: 'u1', plan: 'free' }, delinquent: false });
    expect(c.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(c.lastResponse.requestId).toMatch(/^req_/);

    expect((await h.stripe.customers.retrieve(c.id)) as Stripe.Customer).toMatchObject({ id: c.id, email: 'grace@example.com' });
    const updated = await h.stripe.customers.update(c.id, { name: 'Grace H.', metadata: { plan: '', tier: 'gold' } });
    expect(updated.name).toBe('Grace H.');
    expect(updated.metadata).toEqual({ user_id: 'u1', tier: 'gold' });
    const [event] = (await h.stripe.events.list({ type: 'customer.updated', limit: 1 })).data;
    expect(event?.data.previous_attributes).toEqual({ name: 'Grace', metadata: { plan: 'free', tier: null } });
    expect((event?.data.object as Stripe.Customer).name).toBe('Grace H.');

    const found = await h.stripe.customers.list({ email: 'grace@example.com' });
    expect(found.data.map((x) => x.id)).toEqual([c.id]);

    const deleted = await h.stripe.customers.del(c.id);
    expect(deleted).toMatchObject({ id: c.id, object: 'customer', deleted: true });
    expect(await h.stripe.customers.retrieve(c.id)).toMatchObject({ id: c.id, deleted: true });
    await expect(h.stripe.customers.update(c.id, { name: 'x' })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' });
    expect((await h.stripe.customers.list({ email: 'grace@example.com' })).data).toEqual([]);
  });

  it('pages lists newest first with limit, starting_after and ending_before; auto-pagination walks them all', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.stripe.customers.create({ email: `page-${i}@example.com`, metadata: { batch: 'paging' } })).id);
    const first = await h.stripe.customers.list({ limit: 2 });
    expect(first.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    expect(first.url).toBe('/v1/customers');
    const second = await h.stripe.customers.list({ limit: 2, starting_after: ids[3] });
    expect(second.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const before = await h.stripe.customers.list({ limit: 2, ending_before: ids[1] });
    expect(before.data.map((c) => c.id)).toEqual([ids[3], ids[2]]);
    const all = await h.stripe.customers.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.filter((c) => c.metadata['batch'] === 'paging').map((c) => c.id)).toEqual([...ids].reverse());
    await expect(h.stripe.customers.list({ limit: 101 })).rejects.toMatchObject({ statusCode: 400, param: 'limit', code: 'parameter_invalid_integer' });
    await expect(h.stripe.customers.list({ starting_after: 'cus_missing' })).rejects.toMatchObject({ statusCode: 400, param: 'starting_after', code: 'resource_missing' });
  });

  it('replays an idempotent create: same key gives the same customer with Idempotent-Replayed; other parameters give an idempotency_error', async () => {
    const a = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'create-idem-1' });
    const b = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'create-idem-1' });
    expect(b.id).toBe(a.id);
    expect(a.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.customers.list({ email: 'idem@example.com' })).data).toHaveLength(1);
    const err = await h.stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: 'create-idem-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((err as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((err as Stripe.errors.StripeError).message).toMatch(/same parameters/);
  });

  it('forgets idempotency keys after 24 hours (by the clock)', async () => {
    const clock = fakeClock();
    const emu = await createStripeEmulator({ secretKey: SECRET_KEY, publicUrl: 'http://emulator.invalid', prices: [...DEFAULT_PRICES], clock });
    const create = async (): Promise<{ id: string; replayed: string | undefined }> => {
      const res = await emu.app.inject({ method: 'POST', url: '/v1/customers', payload: 'email=late%40example.com', headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'k-24h' } });
      return { id: (res.json() as { id: string }).id, replayed: res.headers['idempotent-replayed'] as string | undefined };
    };
    try {
      const first = await create();
      clock.advance(23 * 3600 * 1000);
      expect(await create()).toEqual({ id: first.id, replayed: 'true' });
      clock.advance(3600 * 1000);
      const later = await create();
      expect(later.id).not.toBe(first.id);
      expect(later.replayed).toBeUndefined();
    } finally {
      await emu.close();
    }
  });
});

describe('stripe emulator: authentication and errors', () => {
  it('answers 401 in Stripe shape for a wrong or missing key; the SDK raises StripeAuthenticationError', async () => {
    const err = await sdk(h.port, { key: 'sk_test_wrongkey1234' }).customers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((err as Stripe.errors.StripeError).message).toBe('Invalid API Key provided: sk_test_****1234');
    const wrong = await raw('GET', '/v1/customers', { key: 'sk_test_wrongkey1234' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****1234' } });
    const missing = await raw('GET', '/v1/customers', { key: null });
    expect(missing.status).toBe(401);
    expect((missing.json['error'] as { message: string }).message).toMatch(/You did not provide an API key/);
    const basic = await fetch(`${h.baseUrl}/v1/prices/${PREMIUM}`, { headers: { authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}` } });
    expect(basic.status).toBe(200);
  });

  it('answers 404 resource_missing and 400 parameter errors that the SDK turns into StripeInvalidRequestError', async () => {
    const missing = await h.stripe.subscriptions.retrieve('sub_nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such subscription: 'sub_nope'", doc_url: 'https://docs.stripe.com/error-codes/resource-missing' });

    const noItems = await h.stripe.checkout.sessions.create({ mode: 'subscription', success_url: 'https://a.example/ok' }).catch((e: unknown) => e);
    expect(noItems).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noItems).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'line_items', message: 'Missing required param: line_items.' });

    const body = await raw('POST', '/v1/checkout/sessions', { body: 'mode=subscription&success_url=https%3A%2F%2Fa.example&line_items[0][price]=price_visiona_premium_monthly&line_items[0][quantity]=zero' });
    expect(body.status).toBe(400);
    expect(body.json).toEqual({
      error: { code: 'parameter_invalid_integer', doc_url: 'https://docs.stripe.com/error-codes/parameter-invalid-integer', message: 'Invalid integer: zero', param: 'line_items[0][quantity]', type: 'invalid_request_error' },
    });
    await expect(h.stripe.customers.create({ email: 'not-an-email' })).rejects.toMatchObject({ statusCode: 400, code: 'email_invalid', param: 'email' });
    await expect(h.stripe.subscriptions.list({ status: 'bogus' as 'active' })).rejects.toMatchObject({ statusCode: 400, param: 'status', message: expect.stringMatching(/^Invalid status: must be one of active, all, /) });
  });

  it('answers unknown URLs and other API versions like Stripe', async () => {
    const unknown = await raw('GET', '/v1/charges');
    expect(unknown.status).toBe(404);
    expect((unknown.json['error'] as { message: string }).message).toBe('Unrecognized request URL (GET: /v1/charges). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.');
    const old = await raw('GET', `/v1/prices/${PREMIUM}`, { headers: { 'stripe-version': '2023-10-16' } });
    expect(old.status).toBe(400);
    expect((old.json['error'] as { message: string }).message).toMatch(/2026-10-28\.endive only/);
    const current = await raw('GET', `/v1/prices/${PREMIUM}`, { headers: { 'stripe-version': '2026-10-28.endive' } });
    expect(current.status).toBe(200);
    expect(current.headers.get('stripe-version')).toBe('2026-10-28.endive');
  });
});

describe('stripe emulator: products and prices', () => {
  it('lists the seeded prices with filters and expands their product', async () => {
    const all = await h.stripe.prices.list({ active: true });
    expect(all.data.map((p) => p.id).sort()).toEqual([PREMIUM, PRO]);
    const premium = all.data.find((p) => p.id === PREMIUM);
    expect(premium).toMatchObject({ object: 'price', unit_amount: 1900, currency: 'usd', type: 'recurring', product: 'prod_visiona_premium', lookup_key: 'visiona_premium_monthly', recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' } });
    const byKey = await h.stripe.prices.list({ lookup_keys: ['visiona_pro_monthly'], expand: ['data.product'] });
    expect(byKey.data.map((p) => [p.id, (p.product as Stripe.Product).name])).toEqual([[PRO, 'Visiona Pro']]);
    expect((await h.stripe.prices.list({ product: 'prod_visiona_premium' })).data.map((p) => p.id)).toEqual([PREMIUM]);
    expect((await h.stripe.prices.list({ active: false })).data).toEqual([]);
    const one = await h.stripe.prices.retrieve(PRO, { expand: ['product'] });
    expect((one.product as Stripe.Product)).toMatchObject({ id: 'prod_visiona_pro', object: 'product', name: 'Visiona Pro', default_price: PRO, active: true });
    await expect(h.stripe.prices.list({ expand: ['data.product.a.b.c.d'] })).rejects.toMatchObject({ statusCode: 400, param: 'expand', message: expect.stringMatching(/more than 4 levels/) });
    await expect(h.stripe.prices.retrieve(PRO, { expand: ['recurring'] })).rejects.toMatchObject({ statusCode: 400, param: 'expand', message: 'This property cannot be expanded (recurring).' });
  });

  it('retrieves and lists products', async () => {
    expect(await h.stripe.products.retrieve('prod_visiona_premium')).toMatchObject({ object: 'product', name: 'Visiona Premium', default_price: PREMIUM, type: 'service' });
    expect((await h.stripe.products.list({ ids: ['prod_visiona_pro'] })).data.map((p) => p.id)).toEqual(['prod_visiona_pro']);
    await expect(h.stripe.products.retrieve('prod_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such product: 'prod_nope'" });
  });

  it('refuses bad seeds at start', async () => {
    const base = { secretKey: SECRET_KEY, publicUrl: 'http://x.invalid' };
    await expect(createStripeEmulator({ ...base, prices: [] })).rejects.toThrow(/at least one price/);
    await expect(createStripeEmulator({ ...base, prices: [{ ...DEFAULT_PRICES[0], unitAmount: 19.5 } as never] })).rejects.toThrow(/unitAmount/);
    await expect(createStripeEmulator({ ...base, prices: [DEFAULT_PRICES[0] as never, DEFAULT_PRICES[0] as never] })).rejects.toThrow(/duplicate price id/);
  });
});

describe('stripe emulator: API faults', () => {
  it('failNextRequests answers 500/503/429 without running; the SDK retries 5xx with the same idempotency key', async () => {
    const retrying = sdk(h.port, { maxNetworkRetries: 2 });
    h.emu.faults.failNextRequests(2, 500);
    const c = await retrying.customers.create({ email: 'retried@example.com' });
    expect(c.email).toBe('retried@example.com');
    expect((await h.stripe.customers.list({ email: 'retried@example.com' })).data).toHaveLength(1);

    h.emu.faults.failNextRequests(1, 503);
    const unavailable = await h.stripe.customers.retrieve(c.id).catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((unavailable as Stripe.errors.StripeError).statusCode).toBe(503);

    h.emu.faults.failNextRequests(1, 429);
    const limited = await retrying.customers.retrieve(c.id).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect((limited as Stripe.errors.StripeError).code).toBe('rate_limit');
    expect(h.emu.faults.snapshot()['pending_api_errors']).toBe(0);
  });

  it('hangNextRequests holds a request; after the SDK times out and retries, the late original is replayed, not run twice', async () => {
    const impatient = sdk(h.port, { maxNetworkRetries: 1, timeout: 300 });
    h.emu.faults.hangNextRequests(1, 900);
    const t0 = Date.now();
    const c = await impatient.customers.create({ email: 'hung@example.com' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 800));
    expect((await h.stripe.customers.list({ email: 'hung@example.com' })).data.map((x) => x.id)).toEqual([c.id]);
  });
});
