import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Billing } from './billing.ts';
import type { StripeContext } from './context.ts';
import { checkWebhookSecret, createControl, registerControlRoutes, type StripeControl } from './control.ts';
import { redactKey, sendError, StripeApiError } from './errors.ts';
import { StripeFaults, type StripeFaultControls } from './faults.ts';
import { parseForm } from './form.ts';
import { messagePage, sendPage } from './html.ts';
import { IdempotencyStore } from './idempotency.ts';
import { API_VERSION, priceObject, productObject, type PriceSeed } from './objects.ts';
import { registerPages } from './pages.ts';
import { loadStateFile, restore, snapshotOf, StateSaver } from './persistence.ts';
import { registerApiRoutes } from './routes.ts';
import { Store } from './store.ts';
import { newId, systemClock, unixSeconds, type Clock } from './util.ts';
import { WebhookDispatcher } from './webhooks.ts';

export { signStripePayload } from './webhooks.ts';
export type { DeliveryStatus, WebhookDelivery } from './webhooks.ts';
export type { StripeControl } from './control.ts';
export type { ApiFaultStatus, FirstAttemptFailure, ReleaseOrder, StripeFaultControls } from './faults.ts';
export type { WireCheckoutSession, WireCustomer, WireEvent, WireInvoice, WirePrice, WireProduct, WireSubscription } from './objects.ts';
export { API_VERSION } from './objects.ts';

export type StripePriceSeed = PriceSeed;

export interface StripeEmulatorOptions {
  /** The only API key accepted (`Authorization: Bearer sk_…`, or basic auth with the key as user). */
  secretKey: string;
  /** Where the emulator is reachable; the hosted pages' URLs use it. */
  publicUrl: string;
  /** Products and prices seeded at start. */
  prices: StripePriceSeed[];
  /** Webhook endpoints receiving every event type; a `whsec_…` secret is generated when absent. */
  webhookEndpoints?: { url: string; secret?: string }[];
  /** Time scale for webhook retries: retry n waits retryBaseMs * 2^(n-1) (default 500), at most maxAttempts (default 8). */
  retryBaseMs?: number;
  maxAttempts?: number;
  /** How long a delivery may take before it counts as a network error (default 10 000 ms, as Stripe). */
  webhookTimeoutMs?: number;
  logger?: boolean | object;
  /** Tests may advance time (checkout and portal expiry, idempotency keys, timestamps, signatures). */
  clock?: Clock;
  /**
   * JSON file keeping the state across restarts (customers, Checkout and portal sessions,
   * subscriptions, invoices, the newest 1,000 events, webhook endpoints with their secrets):
   * loaded at start when it exists, written after every change (atomically, mode 0600) and on
   * `close()`. Products and prices are seeded from `prices` each start; idempotency keys and
   * pending webhook deliveries are not kept. A file that is not such a state makes the start fail.
   */
  dataFile?: string;
}

export interface StripeEmulator {
  app: FastifyInstance;
  faults: StripeFaultControls;
  control: StripeControl;
  /** Secret of the first webhook endpoint ('' while there is none). */
  readonly webhookSecret: string;
  /** Resolves when every queued delivery (including scheduled retries and delayed events) is done; held events do not count. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

/** Visiona's plans, seeded by the CLI when `STRIPE_EMULATOR_PRICES` is unset. */
export const DEFAULT_PRICES: readonly StripePriceSeed[] = [
  { id: 'price_visiona_premium_monthly', productId: 'prod_visiona_premium', productName: 'Visiona Premium', unitAmount: 1900, currency: 'usd', interval: 'month', lookupKey: 'visiona_premium_monthly' },
  { id: 'price_visiona_pro_monthly', productId: 'prod_visiona_pro', productName: 'Visiona Pro', unitAmount: 4900, currency: 'usd', interval: 'month', lookupKey: 'visiona_pro_monthly' },
];

function checkSeeds(prices: readonly StripePriceSeed[]): void {
  if (prices.length === 0) throw new Error('prices: seed at least one price');
  const ids = new Set<string>();
  const keys = new Set<string>();
  const names = new Map<string, string>();
  for (const [i, p] of prices.entries()) {
    const at = `prices[${i}]`;
    if (!/^[A-Za-z0-9_]+$/.test(p.id ?? '') || !/^[A-Za-z0-9_]+$/.test(p.productId ?? '')) throw new Error(`${at}: id and productId must be non-empty [A-Za-z0-9_]`);
    if (ids.has(p.id)) throw new Error(`${at}: duplicate price id ${p.id}`);
    ids.add(p.id);
    if (typeof p.productName !== 'string' || p.productName.trim() === '') throw new Error(`${at}: productName is required`);
    if (names.has(p.productId) && names.get(p.productId) !== p.productName) throw new Error(`${at}: product ${p.productId} has two names`);
    names.set(p.productId, p.productName);
    if (!Number.isInteger(p.unitAmount) || p.unitAmount < 0) throw new Error(`${at}: unitAmount must be an integer ≥ 0 (in the currency's smallest unit)`);
    if (!/^[a-z]{3}$/.test(p.currency ?? '')) throw new Error(`${at}: currency must be a lowercase ISO code such as usd`);
    if (p.interval !== 'month' && p.interval !== 'year') throw new Error(`${at}: interval must be month or year`);
    if (p.lookupKey !== undefined) {
      if (keys.has(p.lookupKey)) throw new Error(`${at}: duplicate lookupKey ${p.lookupKey}`);
      keys.add(p.lookupKey);
    }
  }
}

/** The API key from `Authorization: Bearer <key>` or basic auth (`<key>:`), as Stripe accepts both. */
function presentedKey(header: string | undefined): string | null {
  const v = header?.trim() ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(v);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(v);
  if (basic?.[1]) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] || null;
  return null;
}

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authError(given: string | null): StripeApiError {
  if (!given) {
    return new StripeApiError(401, 'invalid_request_error', "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.");
  }
  return new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${redactKey(given)}`);
}

const FAULT_ERRORS: Record<number, StripeApiError> = {
  429: new StripeApiError(429, 'invalid_request_error', 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', { code: 'rate_limit' }),
  500: new StripeApiError(500, 'api_error', 'An unknown error occurred (fault injected by the Stripe emulator).'),
  503: new StripeApiError(503, 'api_error', 'The service is temporarily unavailable (fault injected by the Stripe emulator).'),
};

const apiPath = (url: string): string => url.split('?')[0] ?? '';
const isApi = (path: string): boolean => path.startsWith('/v1/');
const isControl = (path: string): boolean => path.startsWith('/_emulator/');
/** Requests that can change the state: every POST and DELETE, and the GETs that expire a Checkout Session or open a portal link. */
const mayChange = (method: string, path: string): boolean =>
  (method !== 'GET' && method !== 'HEAD') || path.startsWith('/v1/checkout/sessions') || path.startsWith('/c/pay/') || path.startsWith('/p/session/');

/**
 * An offline Stripe: the /v1 subset stripe-node uses for subscriptions, hosted Checkout and
 * Customer Portal pages, and signed webhooks with fault injection.
 */
export async function createStripeEmulator(opts: StripeEmulatorOptions): Promise<StripeEmulator> {
  if (!opts.secretKey) throw new Error('secretKey is required');
  checkSeeds(opts.prices);
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const clock = opts.clock ?? systemClock;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const maxAttempts = opts.maxAttempts ?? 8;
  if (!(retryBaseMs >= 0) || !Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error('retryBaseMs must be ≥ 0 and maxAttempts an integer ≥ 1');

  const app = Fastify({
    logger: opts.logger ?? false,
    forceCloseConnections: true,
    genReqId: () => newId('req', 'short'),
    routerOptions: { querystringParser: (s: string) => parseForm(s) },
  });
  const store = new Store();
  const saved = opts.dataFile ? await loadStateFile(opts.dataFile) : null;
  if (saved) restore(store, saved);
  const saver = opts.dataFile
    ? new StateSaver({ file: opts.dataFile, serialize: () => JSON.stringify(snapshotOf(store, clock.now())), onError: (err) => app.log.error({ err }, 'stripe emulator: state not saved') })
    : null;
  const dispatcher = new WebhookDispatcher({ store, faults: () => faults, clock, logger: app.log, retryBaseMs, maxAttempts, timeoutMs: opts.webhookTimeoutMs ?? 10_000 });
  const faults = new StripeFaults((order) => dispatcher.release(order));
  const billing = new Billing({ store, clock, publicUrl, dispatch: (e) => dispatcher.dispatch(e) });
  const ctx: StripeContext = { store, billing, webhooks: dispatcher, publicUrl, changed: () => saver?.schedule() };
  const control = createControl(ctx);
  const idempotency = new IdempotencyStore(clock);
  const idempotentRequests = new WeakMap<FastifyRequest, string>();
  const hangRelease = new AbortController();

  const created = unixSeconds(clock.now());
  for (const seed of opts.prices) {
    store.prices.set(seed.id, priceObject(seed, created));
    if (!store.products.has(seed.productId)) store.products.set(seed.productId, productObject(seed, seed.id, created));
  }
  // Endpoints are state, but those from the options are configuration too: one loaded with the
  // URL of an option's is that endpoint again (with the option's secret), and one an earlier
  // start's options added whose URL the options no longer name is dropped.
  const loadedEndpoints = [...store.endpoints.values()];
  const optionUrls = new Set((opts.webhookEndpoints ?? []).map((e) => e.url));
  for (const rec of loadedEndpoints) if (rec.fromOptions && !optionUrls.has(rec.endpoint.url)) store.endpoints.delete(rec.endpoint.id);
  const reused = new Set<string>();
  for (const e of opts.webhookEndpoints ?? []) {
    const same = loadedEndpoints.find((r) => r.endpoint.url === e.url && store.endpoints.has(r.endpoint.id) && !reused.has(r.endpoint.id));
    if (same) {
      checkWebhookSecret(e.secret);
      if (e.secret !== undefined) same.secret = e.secret;
      reused.add(same.endpoint.id);
      continue;
    }
    const added = store.endpoints.get(control.addEndpoint(e.url, e.secret).id);
    if (added) added.fromOptions = true;
  }
  if (saved) app.log.info({ dataFile: opts.dataFile, customers: store.customers.size, subscriptions: store.subscriptions.size, events: store.events.size }, 'stripe emulator: state loaded');

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, raw, done) => done(null, parseForm(String(raw))));
  // JSON for the control routes; an empty body is an empty object.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = String(raw);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new StripeApiError(400, 'invalid_request_error', 'The request body is not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const path = apiPath(req.url);
    const e = err instanceof StripeApiError ? err : null;
    const status = e?.status ?? ((err as { statusCode?: number }).statusCode ?? 500);
    if (!e && status >= 500) app.log.error({ err }, 'stripe emulator: unhandled error');
    if (isApi(path) || isControl(path)) {
      if (e) return sendError(reply, e);
      if (status < 500) return sendError(reply, new StripeApiError(status, 'invalid_request_error', (err as Error).message || 'Invalid request.'));
      return sendError(reply, new StripeApiError(500, 'api_error', 'An unknown error occurred.'));
    }
    return sendPage(reply, status < 500 ? status : 500, 'Something went wrong', messagePage('Something went wrong', status < 500 ? (err as Error).message : 'The emulator hit an error. Try again.'));
  });
  app.setNotFoundHandler((req, reply) => {
    if (isApi(apiPath(req.url)) || isControl(apiPath(req.url))) {
      return sendError(reply, new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${apiPath(req.url)}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`));
    }
    return sendPage(reply, 404, 'Not found', messagePage('Page not found', 'There is nothing at this address.'));
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = apiPath(req.url);
    if (path === '/_emulator/health') return;
    if (isControl(path)) {
      const key = presentedKey(req.headers.authorization);
      if (!key || !keyMatches(key, opts.secretKey)) return sendError(reply, authError(key));
      return;
    }
    if (!isApi(path)) return;
    reply.header('request-id', req.id).header('stripe-version', API_VERSION);
    const hang = faults.hangs.shift();
    if (hang !== undefined) {
      await new Promise<void>((resolve) => {
        const t = Number.isFinite(hang) ? setTimeout(resolve, hang) : undefined;
        hangRelease.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
    const fault = faults.apiErrors.shift();
    if (fault !== undefined) return sendError(reply, FAULT_ERRORS[fault] as StripeApiError);
    const key = presentedKey(req.headers.authorization);
    if (!key || !keyMatches(key, opts.secretKey)) return sendError(reply.header('www-authenticate', 'Basic realm="Stripe"'), authError(key));
    const version = req.headers['stripe-version'];
    if (typeof version === 'string' && version !== API_VERSION) {
      return sendError(reply, new StripeApiError(400, 'invalid_request_error', `The Stripe emulator speaks API version ${API_VERSION} only; this request asked for ${version}.`));
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || !isApi(apiPath(req.url))) return;
    reply.header('idempotency-key', key);
    const begun = idempotency.begin(key, req.method, apiPath(req.url), JSON.stringify(req.body ?? {}));
    if (begun.kind === 'replay') return reply.code(begun.status).header('idempotent-replayed', 'true').type('application/json').send(begun.body);
    idempotentRequests.set(req, key);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const key = idempotentRequests.get(req);
    if (key !== undefined) {
      idempotentRequests.delete(req);
      idempotency.complete(key, reply.statusCode, typeof payload === 'string' ? payload : JSON.stringify(payload));
    }
    return payload;
  });

  if (saver) {
    app.addHook('onResponse', async (req) => {
      if (mayChange(req.method, apiPath(req.url))) saver.schedule();
    });
    // The first write tells at once whether the file can be written (and keeps the portal configuration id).
    saver.schedule();
    await saver.flush();
  }

  registerApiRoutes(app, ctx);
  registerPages(app, ctx);
  registerControlRoutes(app, ctx, control, faults);

  return {
    app,
    faults,
    control,
    get webhookSecret(): string {
      return store.endpoints.values().next().value?.secret ?? '';
    },
    webhooksIdle: () => dispatcher.idle(),
    async close() {
      hangRelease.abort();
      await dispatcher.close();
      await app.close();
      await saver?.flush();
    },
  };
}
