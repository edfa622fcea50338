import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREMIUM, PRO, SECRET_KEY, startEmulator, subscribe, type Harness } from './helpers.ts';

/**
 * Contract check against Stripe's published descriptions, following
 * /work/shared/vendor-api/README.md:
 * - `stripe-subset.json` (OpenAPI 3.0, API version 2023-08-16): each answer is validated against
 *   the operation's `200`/`default` schema with ajv, after turning `nullable: true` into a
 *   `{type: 'null'}` alternative. The emulator speaks 2026-10-28.endive, so the changes Stripe
 *   made since (NO_LONGER_REQUIRED) are applied to the old schema first; any other
 *   schema error fails the test.
 * - `stripe-fixtures-subset.json` (Stripe's example objects for 2026-07-29.dahlia): the top-level
 *   keys of each emulator object must be the example's, apart from the differences listed in
 *   KEY_CHANGES (fields stripe-node 23.1.0's types add or drop for 2026-10-28.endive).
 */
type Json = Record<string, unknown>;
const VENDOR = '/work/shared/vendor-api';

function allowNull(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowNull);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = allowNull(v);
  return (node as Json)['nullable'] === true ? { anyOf: [out, { type: 'null' }] } : out;
}

const spec = allowNull(JSON.parse(readFileSync(`${VENDOR}/stripe-subset.json`, 'utf8'))) as Json;
const fixtures = (JSON.parse(readFileSync(`${VENDOR}/stripe-fixtures-subset.json`, 'utf8')) as { resources: Record<string, Json> }).resources;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addFormat('unix-time', true);
ajv.addFormat('decimal', true);

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * What changed in Stripe's API between the 2023 schema and 2026-10-28.endive, applied to the old
 * schema before validating (schema → fields no longer required, with the change).
 */
const NO_LONGER_REQUIRED: Record<string, Record<string, string>> = {
  subscription: {
    current_period_start: 'moved to items.data[].current_period_start (2025-03-31.basil)',
    current_period_end: 'moved to items.data[].current_period_end (2025-03-31.basil)',
  },
  invoice: {
    paid: "removed; status === 'paid' (2025-03-31.basil)",
    paid_out_of_band: 'removed (2025-03-31.basil)',
    total_tax_amounts: 'replaced by total_taxes (2025-03-31.basil)',
  },
  line_item: {
    proration: 'moved to parent.subscription_item_details.proration (2025-03-31.basil)',
    type: 'replaced by parent.type (2025-03-31.basil)',
  },
  product: { features: 'renamed marketing_features' },
};
const schemas = (spec['components'] as Json)['schemas'] as Record<string, { required?: string[] }>;
for (const [name, fields] of Object.entries(NO_LONGER_REQUIRED)) {
  const schema = schemas[name];
  if (!schema?.required) throw new Error(`schema ${name} has no required list`);
  for (const f of Object.keys(fields)) {
    if (!schema.required.includes(f)) throw new Error(`${name}.${f} is not required in the 2023 schema`);
    schema.required = schema.required.filter((r) => r !== f);
  }
}
ajv.addSchema(spec, 'stripe');

function schemaErrors(method: string, template: string, status: number, body: unknown): string[] {
  const op = ((spec['paths'] as Json)[template] as Json)[method.toLowerCase()] as Json;
  const responses = op['responses'] as Json;
  const key = responses[String(status)] !== undefined ? String(status) : 'default';
  const fn = ajv.getSchema(`stripe#/${pointer('paths', template, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema')}`);
  if (!fn) throw new Error(`no schema for ${method} ${template} ${status}`);
  if (fn(body)) return [];
  return (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Top-level keys that differ from Stripe's 2026-07-29 example because stripe-node 23.1.0 (2026-10-28.endive) types them differently. */
const KEY_CHANGES: Record<string, { extra?: string[]; missing?: string[] }> = {
  'checkout.session': { extra: ['allowed_payment_method_types'] },
  invoice: { missing: ['subscription'] },
  product: { extra: ['tax_details'] },
};

function keyDiff(kind: string, body: Json): { missing: string[]; extra: string[] } {
  const theirs = Object.keys(fixtures[kind] ?? {});
  const ours = Object.keys(body);
  const allowed = KEY_CHANGES[kind] ?? {};
  return {
    missing: theirs.filter((k) => !ours.includes(k) && !(allowed.missing ?? []).includes(k)),
    extra: ours.filter((k) => !theirs.includes(k) && !(allowed.extra ?? []).includes(k)),
  };
}

let h: Harness;
async function call(method: 'GET' | 'POST' | 'DELETE', path: string, form?: Record<string, string>): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, json: (await res.json()) as Json };
}

beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h?.close();
});

describe('stripe emulator: contract with Stripe\'s published API description and examples', () => {
  it('the checks catch a broken body (sanity)', () => {
    expect(schemaErrors('GET', '/v1/prices/{price}', 200, { id: 'price_x', object: 'price', active: 'yes' }).length).toBeGreaterThan(0);
    expect(keyDiff('customer', { id: 'cus_x', object: 'customer', surprise: 1 }).extra).toContain('surprise');
  });

  it('customers, Checkout, the portal, subscriptions, invoices, prices, products, events and errors match', async () => {
    const { customer, session, subscription } = await subscribe(h, 'contract@example.com');
    h.emu.control.advance(subscription.id, { fail: true });
    const checks: { method: 'GET' | 'POST' | 'DELETE'; template: string; path: string; form?: Record<string, string>; kind?: string }[] = [
      { method: 'POST', template: '/v1/customers', path: '/v1/customers', form: { email: 'c2@example.com', 'metadata[k]': 'v' }, kind: 'customer' },
      { method: 'GET', template: '/v1/customers', path: '/v1/customers?limit=2' },
      { method: 'GET', template: '/v1/customers/{customer}', path: `/v1/customers/${customer.id}`, kind: 'customer' },
      { method: 'POST', template: '/v1/customers/{customer}', path: `/v1/customers/${customer.id}`, form: { name: 'Ada' }, kind: 'customer' },
      { method: 'POST', template: '/v1/checkout/sessions', path: '/v1/checkout/sessions', form: { mode: 'subscription', customer: customer.id, 'line_items[0][price]': PRO, 'line_items[0][quantity]': '1', success_url: 'https://a.example/ok' }, kind: 'checkout.session' },
      { method: 'GET', template: '/v1/checkout/sessions/{session}', path: `/v1/checkout/sessions/${session.id}`, kind: 'checkout.session' },
      { method: 'POST', template: '/v1/billing_portal/sessions', path: '/v1/billing_portal/sessions', form: { customer: customer.id, return_url: 'https://a.example' }, kind: 'billing_portal.session' },
      { method: 'GET', template: '/v1/subscriptions/{subscription_exposed_id}', path: `/v1/subscriptions/${subscription.id}`, kind: 'subscription' },
      { method: 'POST', template: '/v1/subscriptions/{subscription_exposed_id}', path: `/v1/subscriptions/${subscription.id}`, form: { cancel_at_period_end: 'true' }, kind: 'subscription' },
      { method: 'GET', template: '/v1/invoices/{invoice}', path: `/v1/invoices/${String(session.invoice)}`, kind: 'invoice' },
      { method: 'GET', template: '/v1/invoices/{invoice}', path: `/v1/invoices/${String((await h.stripe.subscriptions.retrieve(subscription.id)).latest_invoice)}`, kind: 'invoice' },
      { method: 'GET', template: '/v1/prices', path: '/v1/prices?expand[]=data.product' },
      { method: 'GET', template: '/v1/prices/{price}', path: `/v1/prices/${PREMIUM}`, kind: 'price' },
      { method: 'GET', template: '/v1/products/{id}', path: '/v1/products/prod_visiona_premium', kind: 'product' },
      { method: 'GET', template: '/v1/events/{id}', path: `/v1/events/${String((await h.stripe.events.list({ limit: 1 })).data[0]?.id)}`, kind: 'event' },
      { method: 'DELETE', template: '/v1/subscriptions/{subscription_exposed_id}', path: `/v1/subscriptions/${subscription.id}`, kind: 'subscription' },
      { method: 'DELETE', template: '/v1/customers/{customer}', path: `/v1/customers/${customer.id}`, kind: 'deleted_customer' },
      { method: 'GET', template: '/v1/customers/{customer}', path: '/v1/customers/cus_missing' },
      { method: 'POST', template: '/v1/checkout/sessions', path: '/v1/checkout/sessions', form: { mode: 'subscription' } },
    ];
    for (const c of checks) {
      const r = await call(c.method, c.path, c.form);
      expect(schemaErrors(c.method, c.template, r.status, r.json), `${c.method} ${c.path} ${r.status}`).toEqual([]);
      if (c.kind) expect(keyDiff(c.kind, r.json), `${c.method} ${c.path} keys`).toEqual({ missing: [], extra: [] });
    }
    const sub = (await call('GET', `/v1/subscriptions/${subscription.id}`)).json;
    const item = ((sub['items'] as Json)['data'] as Json[])[0] as Json;
    const exampleItem = ((fixtures['subscription']?.['items'] as Json)['data'] as Json[])[0] as Json;
    expect(Object.keys(exampleItem).filter((k) => !(k in item))).toEqual([]);
    const inv = (await call('GET', `/v1/invoices/${String(session.invoice)}`)).json;
    const line = ((inv['lines'] as Json)['data'] as Json[])[0] as Json;
    const exampleLine = ((fixtures['invoice']?.['lines'] as Json)['data'] as Json[])[0] as Json;
    expect({ missing: Object.keys(exampleLine).filter((k) => !(k in line)), extra: Object.keys(line).filter((k) => !(k in exampleLine)) }).toEqual({ missing: [], extra: [] });
  });
});
