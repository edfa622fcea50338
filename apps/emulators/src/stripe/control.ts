import type { FastifyInstance } from 'fastify';
import { idParam, type StripeContext } from './context.ts';
import { invalidParam, StripeApiError } from './errors.ts';
import type { StripeFaults } from './faults.ts';
import { webhookEndpointObject, type WireCheckoutSession, type WireSubscription } from './objects.ts';
import { cloneJson, isHttpUrl, isRecord, newId } from './util.ts';
import { generateWebhookSecret, type WebhookDelivery } from './webhooks.ts';

export interface StripeControl {
  /** What the Pay button on the hosted Checkout page does; a paid session stays as it is. `email` is needed only when the session has none. */
  pay(sessionId: string, opts?: { email?: string }): WireCheckoutSession;
  /**
   * Moves the subscription to the end of its period: a `cancel_at_period_end` subscription ends
   * (`customer.subscription.deleted`); any other renews with a paid `subscription_cycle` invoice,
   * or with `fail` an open one, `invoice.payment_failed` and status `past_due`.
   */
  advance(subscriptionId: string, opts?: { fail?: boolean }): WireSubscription;
  /** Adds an endpoint that receives every event type; returns its signing secret (generated when absent). */
  addWebhookEndpoint(url: string, secret?: string): string;
  /** Every delivery attempt so far, oldest first. */
  deliveries(): WebhookDelivery[];
  /** Delivers an already emitted event again (a replay, same id), to every endpoint listening to its type. */
  resend(eventId: string): void;
}

export function checkWebhookSecret(secret: string | undefined): void {
  if (secret !== undefined && !/^whsec_\S+$/.test(secret)) throw invalidParam('secret', 'A webhook secret must look like whsec_…');
}

export function createControl(ctx: StripeContext): StripeControl & { addEndpoint(url: string, secret?: string): { id: string; url: string; secret: string } } {
  const addEndpoint = (url: string, secret?: string): { id: string; url: string; secret: string } => {
    if (!isHttpUrl(url)) throw invalidParam('url', `Invalid URL: ${url}`, 'url_invalid');
    checkWebhookSecret(secret);
    const endpoint = webhookEndpointObject({ id: newId('we'), url, created: ctx.billing.now(), enabledEvents: ['*'], description: null, metadata: {} });
    const s = secret ?? generateWebhookSecret();
    ctx.store.endpoints.set(endpoint.id, { endpoint, secret: s });
    return { id: endpoint.id, url, secret: s };
  };
  /** Runs a control action, then says the state may have changed (even when it threw halfway). */
  const changing = <T>(fn: () => T): T => {
    try {
      return fn();
    } finally {
      ctx.changed();
    }
  };
  return {
    pay: (sessionId, opts) => changing(() => cloneJson(ctx.billing.pay(sessionId, opts).session)),
    advance: (subscriptionId, opts) => changing(() => cloneJson(ctx.billing.advance(subscriptionId, opts))),
    addWebhookEndpoint: (url, secret) => changing(() => addEndpoint(url, secret).secret),
    addEndpoint,
    deliveries: () => ctx.webhooks.deliveries(),
    resend: (eventId) => changing(() => ctx.webhooks.resend(ctx.store.event(eventId))),
  };
}

function str(body: unknown, key: string): string | undefined {
  const v = isRecord(body) ? body[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `/_emulator/…`: the control surface over HTTP (bearer: the secret key), for browser tests and curl. */
export function registerControlRoutes(app: FastifyInstance, ctx: StripeContext, control: ReturnType<typeof createControl>, faults: StripeFaults): void {
  app.get('/_emulator/health', async () => ({ status: 'ok', service: 'stripe-emulator' }));
  app.post('/_emulator/checkout/sessions/:id/pay', async (req) => {
    const email = str(req.body, 'email');
    return control.pay(idParam(req), email ? { email } : {});
  });
  app.post('/_emulator/subscriptions/:id/advance', async (req) => {
    const fail = isRecord(req.body) ? req.body['fail'] : undefined;
    return control.advance(idParam(req), { fail: fail === true || fail === 'true' });
  });
  app.post('/_emulator/webhook_endpoints', async (req) => {
    const url = str(req.body, 'url');
    if (!url) throw invalidParam('url', 'Missing required param: url.', 'parameter_missing');
    return control.addEndpoint(url, str(req.body, 'secret'));
  });
  app.get('/_emulator/webhook_endpoints', async () => ({
    data: [...ctx.store.endpoints.values()].map((e) => ({ id: e.endpoint.id, url: e.endpoint.url, status: e.endpoint.status, enabled_events: e.endpoint.enabled_events, secret: e.secret })),
  }));
  app.get('/_emulator/deliveries', async () => ({ data: control.deliveries() }));
  app.post('/_emulator/events/:id/resend', async (req) => {
    control.resend(idParam(req));
    return { resent: idParam(req) };
  });
  app.post('/_emulator/webhooks/idle', async () => {
    await ctx.webhooks.idle();
    return { idle: true };
  });
  app.get('/_emulator/faults', async () => faults.snapshot());
  app.post('/_emulator/faults', async (req) => {
    try {
      faults.apply(req.body);
    } catch (err) {
      throw new StripeApiError(400, 'invalid_request_error', (err as Error).message);
    }
    return faults.snapshot();
  });
}
