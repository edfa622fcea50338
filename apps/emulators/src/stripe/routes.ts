import type { FastifyInstance } from 'fastify';
import type { SubscriptionChanges } from './billing.ts';
import { idParam, originOf, paramsOf, type StripeContext } from './context.ts';
import { invalidParam, parameterMissing, StripeApiError } from './errors.ts';
import { API_VERSION, webhookEndpointObject, type WireSubscription } from './objects.ts';
import { initialMetadata, mergeMetadata, type Params } from './params.ts';
import { page } from './store.ts';
import { newId } from './util.ts';
import { generateWebhookSecret } from './webhooks.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SUBSCRIPTION_STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] as const;
const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
const EVENT_TYPE = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)+)$/;

function email(p: Params, key = 'email'): string | null | undefined {
  const v = p.nullableString(key, 512);
  if (typeof v === 'string' && !EMAIL.test(v)) throw invalidParam(key, `Invalid email address: ${v}`, 'email_invalid');
  return v;
}

/** Parameters that would change billing in ways the emulator does not model fail loudly instead of being ignored. */
function refuse(p: Params, keys: string[]): void {
  for (const k of keys) if (p.has(k)) throw invalidParam(p.name(k), `The Stripe emulator does not support ${p.name(k)}.`);
}

function newestFirst<T>(items: Iterable<T>): T[] {
  return [...items].reverse();
}

export function registerApiRoutes(app: FastifyInstance, ctx: StripeContext): void {
  const { store, billing } = ctx;

  // ------------------------------------------------------------------ customers
  app.post('/v1/customers', async (req) => {
    const p = paramsOf(req);
    const c = billing.createCustomer(
      { email: email(p) ?? null, name: p.nullableString('name', 256) ?? null, description: p.nullableString('description') ?? null, phone: p.nullableString('phone', 20) ?? null, metadata: initialMetadata(p.metadata()) },
      originOf(req),
    );
    return store.render(c, p.expand());
  });
  app.get('/v1/customers', async (req) => {
    const p = paramsOf(req);
    const wanted = p.string('email', { maxLength: 512 });
    const items = newestFirst(store.customers.values()).filter((c) => !store.deletedCustomers.has(c.id) && (wanted === undefined || c.email === wanted));
    return page(store, items, p, '/v1/customers', 'customer');
  });
  app.get('/v1/customers/:id', async (req) => {
    const id = idParam(req);
    if (store.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
    return store.render(store.customer(id), paramsOf(req).expand());
  });
  app.post('/v1/customers/:id', async (req) => {
    const p = paramsOf(req);
    const current = store.customer(idParam(req));
    const c = billing.updateCustomer(
      current.id,
      { email: email(p), name: p.nullableString('name', 256), description: p.nullableString('description'), phone: p.nullableString('phone', 20), metadata: p.has('metadata') ? mergeMetadata(current.metadata, p.metadata()) : undefined },
      originOf(req),
    );
    return store.render(c, p.expand());
  });
  app.delete('/v1/customers/:id', async (req) => billing.deleteCustomer(idParam(req), originOf(req)));

  // ------------------------------------------------------------------ products and prices
  app.get('/v1/products', async (req) => {
    const p = paramsOf(req);
    const active = p.boolean('active');
    const ids = p.strings('ids');
    const items = newestFirst(store.products.values()).filter((x) => (active === undefined || x.active === active) && (!ids || ids.includes(x.id)));
    return page(store, items, p, '/v1/products', 'product');
  });
  app.get('/v1/products/:id', async (req) => store.render(store.product(idParam(req)), paramsOf(req).expand()));
  app.get('/v1/prices', async (req) => {
    const p = paramsOf(req);
    const active = p.boolean('active');
    const lookupKeys = p.strings('lookup_keys');
    const product = p.string('product');
    const currency = p.string('currency');
    const type = p.oneOf('type', ['one_time', 'recurring']);
    const items = newestFirst(store.prices.values()).filter(
      (x) =>
        (active === undefined || x.active === active) &&
        (!lookupKeys || (x.lookup_key !== null && lookupKeys.includes(x.lookup_key))) &&
        (product === undefined || x.product === product) &&
        (currency === undefined || x.currency === currency) &&
        (type === undefined || x.type === type),
    );
    return page(store, items, p, '/v1/prices', 'price');
  });
  app.get('/v1/prices/:id', async (req) => store.render(store.price(idParam(req)), paramsOf(req).expand()));

  // ------------------------------------------------------------------ checkout
  app.post('/v1/checkout/sessions', async (req) => {
    const p = paramsOf(req);
    const mode = p.oneOf('mode', ['payment', 'setup', 'subscription'], { required: true });
    if (mode !== 'subscription') throw invalidParam('mode', 'The Stripe emulator supports only mode=subscription.');
    const customer = p.string('customer');
    const customerEmail = email(p, 'customer_email');
    if (customer !== undefined && customerEmail) throw new StripeApiError(400, 'invalid_request_error', 'You may only specify one of these parameters: customer, customer_email.', { code: 'parameters_exclusive', param: 'customer' });
    const uiMode = p.string('ui_mode');
    if (uiMode !== undefined && uiMode !== 'hosted_page' && uiMode !== 'hosted') throw invalidParam('ui_mode', 'The Stripe emulator serves only hosted Checkout pages.');
    const items = p.list('line_items');
    if (!items || items.length === 0) throw parameterMissing('line_items');
    if (items.length > 1) throw invalidParam('line_items', 'The Stripe emulator supports one line item per subscription Checkout Session.');
    const lineItems = items.map((li) => {
      refuse(li, ['price_data', 'adjustable_quantity']);
      const price = li.string('price', { required: true }) as string;
      if (!li.has('quantity')) throw invalidParam(li.path, `Quantity is required. Add \`quantity\` to \`${li.path}\``);
      return { price, quantity: li.integer('quantity', { min: 1, max: 999_999 }) as number };
    });
    const sd = p.sub('subscription_data');
    if (sd) refuse(sd, ['trial_period_days', 'trial_end', 'billing_cycle_anchor', 'trial_settings']);
    refuse(p, ['discounts']);
    const now = billing.now();
    const expiresAt = p.integer('expires_at');
    if (expiresAt !== undefined && (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 60 * 60)) {
      throw invalidParam('expires_at', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.');
    }
    const session = billing.createCheckoutSession({
      customer: customer ?? null,
      customerEmail: customerEmail ?? null,
      lineItems,
      successUrl: p.url('success_url', { required: true }) as string,
      cancelUrl: p.url('cancel_url') ?? null,
      clientReferenceId: p.string('client_reference_id', { maxLength: 200 }) ?? null,
      metadata: initialMetadata(p.metadata()),
      subscriptionMetadata: initialMetadata(sd?.metadata()),
      expiresAt: expiresAt ?? null,
    });
    return store.render(session, p.expand());
  });
  app.get('/v1/checkout/sessions', async (req) => {
    const p = paramsOf(req);
    const customer = p.string('customer');
    const subscription = p.string('subscription');
    const status = p.oneOf('status', ['complete', 'expired', 'open']);
    const items = newestFirst(store.checkouts.values())
      .map((rec) => billing.refreshCheckout(rec).session)
      .filter((s) => (customer === undefined || s.customer === customer) && (subscription === undefined || s.subscription === subscription) && (status === undefined || s.status === status));
    return page(store, items, p, '/v1/checkout/sessions', 'checkout.session');
  });
  app.get('/v1/checkout/sessions/:id', async (req) => store.render(billing.refreshCheckout(store.checkout(idParam(req))).session, paramsOf(req).expand()));
  app.get('/v1/checkout/sessions/:id/line_items', async (req) => {
    const rec = store.checkout(idParam(req));
    return page(store, rec.lineItems, paramsOf(req), `/v1/checkout/sessions/${rec.session.id}/line_items`, 'line item');
  });
  app.post('/v1/checkout/sessions/:id/expire', async (req) => {
    const rec = billing.refreshCheckout(store.checkout(idParam(req)));
    return store.render(billing.expireCheckout(rec, originOf(req)), paramsOf(req).expand());
  });

  // ------------------------------------------------------------------ billing portal
  app.post('/v1/billing_portal/sessions', async (req) => {
    const p = paramsOf(req);
    refuse(p, ['flow_data', 'on_behalf_of']);
    const customer = p.string('customer', { required: true }) as string;
    const session = billing.createPortalSession(customer, p.url('return_url') ?? null, originOf(req));
    return store.render(session, p.expand());
  });

  // ------------------------------------------------------------------ subscriptions
  app.get('/v1/subscriptions', async (req) => {
    const p = paramsOf(req);
    const customer = p.string('customer');
    const price = p.string('price');
    const status = p.oneOf('status', SUBSCRIPTION_STATUSES);
    const matchesStatus = (s: WireSubscription): boolean => {
      if (status === undefined) return s.status !== 'canceled' && s.status !== 'incomplete_expired';
      if (status === 'all') return true;
      if (status === 'ended') return s.status === 'canceled' || s.status === 'incomplete_expired';
      return s.status === status;
    };
    const items = newestFirst(store.subscriptions.values())
      .map((r) => r.sub)
      .filter((s) => (customer === undefined || s.customer === customer) && (price === undefined || s.items.data.some((i) => i.price.id === price)) && matchesStatus(s));
    return page(store, items, p, '/v1/subscriptions', 'subscription');
  });
  app.get('/v1/subscriptions/:id', async (req) => store.render(store.subscription(idParam(req)).sub, paramsOf(req).expand()));
  app.post('/v1/subscriptions/:id', async (req) => {
    const p = paramsOf(req);
    const sub = store.subscription(idParam(req)).sub;
    refuse(p, ['cancel_at', 'trial_end', 'trial_from_plan', 'pause_collection', 'add_invoice_items', 'discounts']);
    const ch: SubscriptionChanges = {};
    const cape = p.boolean('cancel_at_period_end');
    if (cape !== undefined) ch.cancelAtPeriodEnd = cape;
    const items = p.list('items');
    if (items) {
      if (items.length !== 1) throw invalidParam('items', 'The Stripe emulator changes exactly one item per subscription (items[0][id] with items[0][price]).');
      const it = items[0] as Params;
      refuse(it, ['price_data', 'deleted', 'quantity', 'clear_usage', 'discounts']);
      const itemId = it.string('id', { required: true }) as string;
      const priceId = it.string('price');
      if (priceId !== undefined) ch.price = { itemId, priceId, param: it.name('price') };
    }
    const proration = p.oneOf('proration_behavior', ['always_invoice', 'create_prorations', 'none']);
    const anchor = p.oneOf('billing_cycle_anchor', ['now', 'unchanged']);
    ch.invoiceNow = proration === 'always_invoice' || anchor === 'now';
    const md = p.metadata();
    if (md !== undefined) ch.metadata = mergeMetadata(sub.metadata, md);
    const description = p.nullableString('description', 500);
    if (description !== undefined) ch.description = description;
    const cd = p.sub('cancellation_details');
    if (cd) ch.cancellationDetails = { comment: cd.nullableString('comment', 5000), feedback: cd.nullableString('feedback', 100) };
    return store.render(billing.updateSubscription(sub.id, ch, originOf(req)), p.expand());
  });
  app.delete('/v1/subscriptions/:id', async (req) => {
    const p = paramsOf(req);
    const cd = p.sub('cancellation_details');
    const sub = billing.cancelNow(idParam(req), originOf(req), { comment: cd?.nullableString('comment') ?? null, feedback: cd?.nullableString('feedback', 100) ?? null });
    return store.render(sub, p.expand());
  });

  // ------------------------------------------------------------------ invoices
  app.get('/v1/invoices', async (req) => {
    const p = paramsOf(req);
    const customer = p.string('customer');
    const subscription = p.string('subscription');
    const status = p.oneOf('status', INVOICE_STATUSES);
    const items = newestFirst(store.invoices.values()).filter(
      (i) => (customer === undefined || i.customer === customer) && (subscription === undefined || i.parent?.subscription_details.subscription === subscription) && (status === undefined || i.status === status),
    );
    return page(store, items, p, '/v1/invoices', 'invoice');
  });
  app.get('/v1/invoices/:id', async (req) => store.render(store.invoice(idParam(req)), paramsOf(req).expand()));
  app.get('/v1/invoices/:id/lines', async (req) => {
    const inv = store.invoice(idParam(req));
    return page(store, inv.lines.data, paramsOf(req), `/v1/invoices/${inv.id}/lines`, 'line item');
  });

  // ------------------------------------------------------------------ events
  app.get('/v1/events', async (req) => {
    const p = paramsOf(req);
    const type = p.string('type');
    const types = p.strings('types');
    if (type !== undefined && types) throw new StripeApiError(400, 'invalid_request_error', 'You may only specify one of these parameters: type, types.', { code: 'parameters_exclusive', param: 'type' });
    // `type` accepts a `*` wildcard, as in `customer.subscription.*`.
    const typeRe = type === undefined ? null : new RegExp(`^${type.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const items = newestFirst(store.events.values()).filter((e) => (!typeRe || typeRe.test(e.type)) && (!types || types.includes(e.type)));
    return page(store, items, p, '/v1/events', 'event');
  });
  app.get('/v1/events/:id', async (req) => store.event(idParam(req)));

  // ------------------------------------------------------------------ webhook endpoints
  const enabledEvents = (p: Params, required: boolean): string[] | undefined => {
    const list = p.strings('enabled_events');
    if (!list) {
      if (required) throw parameterMissing('enabled_events');
      return undefined;
    }
    list.forEach((t, i) => {
      if (!EVENT_TYPE.test(t)) throw invalidParam(`enabled_events[${i}]`, `Invalid enabled_events[${i}]: ${t} is not an event type.`);
    });
    return list;
  };
  app.post('/v1/webhook_endpoints', async (req) => {
    const p = paramsOf(req);
    refuse(p, ['connect']);
    const apiVersion = p.string('api_version');
    if (apiVersion !== undefined && apiVersion !== API_VERSION) throw invalidParam('api_version', `The Stripe emulator sends events in API version ${API_VERSION} only.`);
    const endpoint = webhookEndpointObject({
      id: newId('we'),
      url: p.url('url', { required: true }) as string,
      created: billing.now(),
      enabledEvents: enabledEvents(p, true) as string[],
      description: p.nullableString('description') ?? null,
      metadata: initialMetadata(p.metadata()),
    });
    const secret = generateWebhookSecret();
    store.endpoints.set(endpoint.id, { endpoint, secret });
    return { ...endpoint, secret };
  });
  app.get('/v1/webhook_endpoints', async (req) => page(store, newestFirst(store.endpoints.values()).map((e) => e.endpoint), paramsOf(req), '/v1/webhook_endpoints', 'webhook endpoint'));
  app.get('/v1/webhook_endpoints/:id', async (req) => store.endpoint(idParam(req)).endpoint);
  app.post('/v1/webhook_endpoints/:id', async (req) => {
    const p = paramsOf(req);
    const { endpoint } = store.endpoint(idParam(req));
    const url = p.url('url');
    if (url !== undefined) endpoint.url = url;
    const events = enabledEvents(p, false);
    if (events) endpoint.enabled_events = events;
    const description = p.nullableString('description');
    if (description !== undefined) endpoint.description = description;
    if (p.has('metadata')) endpoint.metadata = mergeMetadata(endpoint.metadata, p.metadata());
    const disabled = p.boolean('disabled');
    if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
    return endpoint;
  });
  app.delete('/v1/webhook_endpoints/:id', async (req) => {
    const { endpoint } = store.endpoint(idParam(req));
    store.endpoints.delete(endpoint.id);
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  });
}
