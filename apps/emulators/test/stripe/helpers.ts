import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createStripeEmulator, DEFAULT_PRICES, type StripeEmulator, type StripeEmulatorOptions } from '../../src/stripe/server.ts';

export const SECRET_KEY = 'sk_test_emulator_0123456789abcdef';
export const PREMIUM = 'price_visiona_premium_monthly';
export const PRO = 'price_visiona_pro_monthly';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function sdk(port: number, opts: { key?: string; maxNetworkRetries?: number; timeout?: number } = {}): Stripe {
  return new Stripe(opts.key ?? SECRET_KEY, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: opts.maxNetworkRetries ?? 0, timeout: opts.timeout ?? 5000 });
}

export interface Harness {
  emu: StripeEmulator;
  baseUrl: string;
  port: number;
  stripe: Stripe;
  close(): Promise<void>;
}

export async function startEmulator(opts: Partial<StripeEmulatorOptions> = {}): Promise<Harness> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const emu = await createStripeEmulator({ secretKey: SECRET_KEY, publicUrl: baseUrl, prices: [...DEFAULT_PRICES], retryBaseMs: 20, ...opts });
  await emu.app.listen({ host: '127.0.0.1', port });
  return { emu, baseUrl, port, stripe: sdk(port), close: () => emu.close() };
}

/** A settable clock for expiry tests. */
export function fakeClock(start = Date.parse('2026-11-02T10:00:00Z')): { now(): Date; advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}

export interface Received {
  event: Stripe.Event;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  secret: string;
  /** Deliveries that verified with `stripe.webhooks.constructEvent`, in arrival order. */
  received: Received[];
  /** Deliveries whose signature did not verify (answered 400). */
  invalid: string[];
  /** Answers the next `n` deliveries with `status` (after verifying and recording nothing). */
  failNext(n: number, status?: number): void;
  /** Waits `ms` before answering each delivery (to observe parallel deliveries). */
  slow(ms: number): void;
  maxInFlight(): number;
  types(): string[];
  close(): Promise<void>;
}

/** A webhook endpoint (node:http) that verifies every delivery as a Visiona-like consumer would. */
export async function webhookReceiver(): Promise<Receiver> {
  const verifier = new Stripe('sk_test_unused');
  const received: Received[] = [];
  const invalid: string[] = [];
  let fail: { n: number; status: number } = { n: 0, status: 500 };
  let delayMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const r: Receiver = {
    url: '',
    secret: '',
    received,
    invalid,
    failNext: (n, status = 500) => (fail = { n, status }),
    slow: (ms) => (delayMs = ms),
    maxInFlight: () => maxInFlight,
    types: () => received.map((x) => x.event.type),
    close: () => new Promise((res) => server.close(() => res())),
  };
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        inFlight -= 1;
        const body = Buffer.concat(chunks).toString('utf8');
        if (fail.n > 0) {
          fail.n -= 1;
          res.writeHead(fail.status).end('nope');
          return;
        }
        try {
          const event = verifier.webhooks.constructEvent(body, String(req.headers['stripe-signature']), r.secret);
          received.push({ event, headers: req.headers, body, at: Date.now() });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        } catch {
          invalid.push(body);
          res.writeHead(400).end('bad signature');
        }
      }, delayMs);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  return r;
}

/** Registers `receiver` as an endpoint of the emulator (every event type). */
export function connect(h: Harness, receiver: Receiver): void {
  receiver.secret = h.emu.control.addWebhookEndpoint(receiver.url);
}

export async function waitFor<T>(fn: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; last value: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function checkoutSession(h: Harness, customer: string, price = PREMIUM, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}): Promise<Stripe.Checkout.Session> {
  return h.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    line_items: [{ price, quantity: 1 }],
    success_url: 'https://app.example/billing/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://app.example/billing',
    ...extra,
  });
}

/** Presses a button of a hosted page: a form POST, without following the redirect. */
export async function submit(url: string, fields: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

/** A customer with an active subscription, made through Checkout and the Pay button. */
export async function subscribe(h: Harness, email = 'ada@example.com', price = PREMIUM): Promise<{ customer: Stripe.Customer; session: Stripe.Checkout.Session; subscription: Stripe.Subscription }> {
  const customer = await h.stripe.customers.create({ email });
  const created = await checkoutSession(h, customer.id, price, { subscription_data: { metadata: { visiona_user: email } } });
  const res = await submit(`${created.url}/confirm`, { card: 'success' });
  if (res.status !== 303) throw new Error(`Pay answered ${res.status}`);
  const session = await h.stripe.checkout.sessions.retrieve(created.id);
  const subscription = await h.stripe.subscriptions.retrieve(String(session.subscription));
  return { customer, session, subscription };
}

export async function eventTypes(h: Harness, since?: string): Promise<string[]> {
  const all = await h.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
  const chronological = all.reverse();
  const from = since ? chronological.findIndex((e) => e.id === since) + 1 : 0;
  return chronological.slice(from).map((e) => e.type);
}

export async function lastEventId(h: Harness): Promise<string | undefined> {
  return (await h.stripe.events.list({ limit: 1 })).data[0]?.id;
}
