import { describe, expect, it } from 'vitest';
import { previousAttributes } from '../../src/stripe/billing.ts';
import { StripeApiError } from '../../src/stripe/errors.ts';
import { parseForm } from '../../src/stripe/form.ts';
import { IdempotencyStore } from '../../src/stripe/idempotency.ts';
import { formatAmount } from '../../src/stripe/money.ts';
import { mergeMetadata, Params } from '../../src/stripe/params.ts';
import { addMonths } from '../../src/stripe/util.ts';
import { fakeClock } from './helpers.ts';

describe('stripe emulator: pure parts', () => {
  it('decodes stripe-node form bodies: nested brackets, indexed and empty-bracket arrays, unset values', () => {
    const body = 'mode=subscription&line_items[0][price]=price_a&line_items[0][quantity]=1&line_items[1][price]=price_b&metadata[user]=u%201&metadata[gone]=&expand[]=customer&expand[]=invoice&success_url=https%3A%2F%2Fa.example%2Fok%3Fid%3D%7BCHECKOUT_SESSION_ID%7D';
    expect(JSON.parse(JSON.stringify(parseForm(body)))).toEqual({
      mode: 'subscription',
      line_items: [{ price: 'price_a', quantity: '1' }, { price: 'price_b' }],
      metadata: { user: 'u 1', gone: '' },
      expand: ['customer', 'invoice'],
      success_url: 'https://a.example/ok?id={CHECKOUT_SESSION_ID}',
    });
    const hostile = parseForm('lookup_keys[1]=b&lookup_keys[0]=a&__proto__[x]=1');
    expect(hostile['lookup_keys']).toEqual(['a', 'b']);
    expect(Object.keys(hostile)).toEqual(['lookup_keys', '__proto__']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('reads typed parameters and names nested ones in errors', () => {
    const p = new Params(parseForm('a=true&n=12&items[0][price]=p&md[k]=v&md[drop]='));
    expect(p.boolean('a')).toBe(true);
    expect(p.integer('n', { min: 1, max: 100 })).toBe(12);
    expect(p.list('items')?.[0]?.string('price')).toBe('p');
    expect(() => p.list('items')?.[0]?.string('id', { required: true })).toThrow(expect.objectContaining({ param: 'items[0][id]', code: 'parameter_missing' }));
    expect(() => new Params(parseForm('a=yes')).boolean('a')).toThrow('Invalid boolean: yes');
    expect(() => new Params(parseForm('e=')).string('e')).toThrow(expect.objectContaining({ code: 'parameter_invalid_empty' }));
    expect(mergeMetadata({ keep: '1', drop: '2' }, p.metadata('md'))).toEqual({ keep: '1', k: 'v' });
    expect(mergeMetadata({ keep: '1' }, new Params(parseForm('md=')).metadata('md'))).toEqual({});
  });

  it('adds calendar months keeping the anchor day where the month has it', () => {
    const at = (iso: string): number => Date.parse(iso) / 1000;
    const iso = (s: number): string => new Date(s * 1000).toISOString();
    expect(iso(addMonths(at('2027-01-31T08:00:00Z'), 1))).toBe('2027-02-28T08:00:00.000Z');
    expect(iso(addMonths(at('2028-01-31T08:00:00Z'), 1))).toBe('2028-02-29T08:00:00.000Z');
    expect(iso(addMonths(at('2027-01-31T08:00:00Z'), 2))).toBe('2027-03-31T08:00:00.000Z');
    expect(iso(addMonths(at('2027-11-15T08:00:00Z'), 12))).toBe('2028-11-15T08:00:00.000Z');
  });

  it('refuses a second request with a key still in flight (409) and over-long keys', () => {
    const store = new IdempotencyStore(fakeClock());
    expect(store.begin('k', 'POST', '/v1/customers', '{}')).toEqual({ kind: 'new' });
    const inFlight = (() => {
      try {
        store.begin('k', 'POST', '/v1/customers', '{}');
      } catch (e) {
        return e;
      }
    })() as StripeApiError;
    expect(inFlight).toBeInstanceOf(StripeApiError);
    expect([inFlight.status, inFlight.type]).toEqual([409, 'idempotency_error']);
    store.complete('k', 200, '{"id":"cus_1"}');
    expect(store.begin('k', 'POST', '/v1/customers', '{}')).toEqual({ kind: 'replay', status: 200, body: '{"id":"cus_1"}' });
    expect(() => store.begin('k', 'POST', '/v1/checkout/sessions', '{}')).toThrow(/same parameters/);
    store.begin('failed', 'POST', '/v1/customers', '{}');
    store.complete('failed', 400, '{}');
    expect(store.begin('failed', 'POST', '/v1/customers', '{"email":"x"}')).toEqual({ kind: 'new' });
    expect(() => store.begin('x'.repeat(256), 'POST', '/v1/customers', '{}')).toThrow(/at most 255/);
  });

  it('reduces previous_attributes to the changed keys, nested hashes included', () => {
    expect(previousAttributes({ a: 1, b: { c: 1, d: 2 }, e: [1], f: null }, { a: 1, b: { c: 1, d: 3 }, e: [1, 2], f: 'x' })).toEqual({ b: { d: 2 }, e: [1], f: null });
  });

  it('formats amounts in major units, zero-decimal currencies included', () => {
    expect(formatAmount(1900, 'usd')).toBe('$19.00');
    expect(formatAmount(1900, 'jpy')).toBe('¥1,900');
    expect(formatAmount(500, 'eur')).toBe('€5.00');
  });
});
