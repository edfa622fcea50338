import Stripe from 'stripe';
import type { Config } from '../config.ts';
import { AppError, ServiceUnavailable } from '../lib/errors.ts';

/** What billing needs to know about a subscription, read fresh from Stripe. */
export interface SubscriptionSnapshot {
  id: string;
  customerId: string;
  status: string;
  priceId: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
  created: Date;
  /** `visiona_subject` from the subscription's metadata (set at checkout). */
  subject: string | null;
  latestInvoiceId: string | null;
}

export interface InvoiceSnapshot {
  id: string;
  customerId: string;
  subscriptionId: string | null;
  status: string;
  billingReason: string | null;
  amountPaid: number;
  amountDue: number;
  currency: string;
  /** The price of the first subscription line that is not a proration: the period being paid for. */
  periodPriceId: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  hostedInvoiceUrl: string | null;
  created: Date;
}

export interface CheckoutSessionSnapshot {
  id: string;
  url: string;
  status: 'open' | 'complete' | 'expired';
  customerId: string | null;
  subscriptionId: string | null;
  invoiceId: string | null;
  clientReferenceId: string | null;
  expiresAt: Date;
}

export interface PriceSnapshot {
  id: string;
  amountCents: number;
  currency: string;
  interval: 'month' | 'year';
  active: boolean;
}

export interface StripeEvent {
  id: string;
  type: string;
  /** The event's object as Stripe sent it: used only to find ids; state is read fresh. */
  object: Record<string, unknown>;
}

/** The part of Stripe that billing uses. The only module that imports the SDK. */
export interface StripeGateway {
  createCustomer(input: { email: string; subject: string }, idempotencyKey: string): Promise<string>;
  createCheckoutSession(
    input: { customerId: string; subject: string; priceId: string; planId: string; successUrl: string; cancelUrl: string },
    idempotencyKey: string,
  ): Promise<CheckoutSessionSnapshot>;
  retrieveCheckoutSession(id: string): Promise<CheckoutSessionSnapshot>;
  createPortalSession(customerId: string, returnUrl: string): Promise<string>;
  retrieveSubscription(id: string): Promise<SubscriptionSnapshot>;
  retrieveInvoice(id: string): Promise<InvoiceSnapshot>;
  retrievePrice(id: string): Promise<PriceSnapshot>;
  /**
   * Account deletion: cancels every live subscription of the customer now (no proration,
   * no final invoice), then deletes the customer, which removes its email at Stripe.
   * Invoices stay at Stripe, as the law requires. A customer already deleted is a 404.
   */
  closeCustomer(customerId: string): Promise<void>;
  /** Verifies `Stripe-Signature` over the raw body (±5 min); null when it does not verify. */
  verifyEvent(raw: string, signature: string | undefined, nowMs: number): StripeEvent | null;
}

/** Stripe's default: a signature more than five minutes from the API's clock is refused. */
const WEBHOOK_TOLERANCE_S = 300;

const date = (seconds: number | null | undefined): Date | null => (typeof seconds === 'number' ? new Date(seconds * 1000) : null);
const idOf = (v: string | { id: string } | null | undefined): string | null => (typeof v === 'string' ? v : (v?.id ?? null));

export function toSubscriptionSnapshot(s: Stripe.Subscription): SubscriptionSnapshot {
  const item = s.items.data[0];
  return {
    id: s.id,
    customerId: idOf(s.customer)!,
    status: s.status,
    priceId: item ? idOf(item.price) : null,
    currentPeriodStart: date(item?.current_period_start),
    currentPeriodEnd: date(item?.current_period_end),
    cancelAtPeriodEnd: s.cancel_at_period_end,
    canceledAt: date(s.canceled_at),
    endedAt: date(s.ended_at),
    created: new Date(s.created * 1000),
    subject: typeof s.metadata?.['visiona_subject'] === 'string' ? s.metadata['visiona_subject'] : null,
    latestInvoiceId: idOf(s.latest_invoice),
  };
}

export function toInvoiceSnapshot(inv: Stripe.Invoice): InvoiceSnapshot {
  const line = inv.lines.data.find((l) => l.parent?.subscription_item_details?.proration !== true && l.amount > 0) ?? null;
  return {
    id: inv.id!,
    customerId: idOf(inv.customer)!,
    subscriptionId: idOf(inv.parent?.subscription_details?.subscription),
    status: inv.status ?? 'draft',
    billingReason: inv.billing_reason,
    amountPaid: inv.amount_paid,
    amountDue: inv.amount_due,
    currency: inv.currency,
    periodPriceId: line ? idOf(line.pricing?.price_details?.price) : null,
    periodStart: date(line?.period.start ?? inv.period_start),
    periodEnd: date(line?.period.end ?? inv.period_end),
    hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
    created: new Date(inv.created * 1000),
  };
}

function toCheckoutSnapshot(s: Stripe.Checkout.Session): CheckoutSessionSnapshot {
  return {
    id: s.id,
    url: s.url ?? '',
    status: s.status === 'complete' ? 'complete' : s.status === 'expired' ? 'expired' : 'open',
    customerId: idOf(s.customer),
    subscriptionId: idOf(s.subscription),
    invoiceId: idOf(s.invoice),
    clientReferenceId: s.client_reference_id,
    expiresAt: new Date(s.expires_at * 1000),
  };
}

/**
 * Stripe's answers as API errors: a 404 for a missing object (the caller decides),
 * else 503 with Retry-After (Stripe down, slow or refusing: retry later).
 */
function translate(err: unknown): never {
  if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) {
    throw new AppError(404, 'stripe_not_found', `Stripe has no such object: ${err.message}`);
  }
  if (err instanceof Stripe.errors.StripeError) {
    const retryAfter = err instanceof Stripe.errors.StripeRateLimitError ? 5 : 15;
    throw new ServiceUnavailable('Stripe could not be reached or refused the request; please try again in a moment.', retryAfter);
  }
  throw err;
}

export function createStripeGateway(config: Config['billing']['stripe']): StripeGateway {
  const u = new URL(config.apiUrl);
  const protocol = u.protocol === 'https:' ? 'https' : 'http';
  const stripe = new Stripe(config.secretKey, {
    host: u.hostname,
    port: Number(u.port || (protocol === 'https' ? 443 : 80)),
    protocol,
    timeout: config.timeoutMs,
    maxNetworkRetries: 2,
    appInfo: { name: 'Visiona' },
  });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      return translate(err);
    }
  };

  return {
    createCustomer: (input, idempotencyKey) =>
      call(async () => (await stripe.customers.create({ email: input.email, metadata: { visiona_subject: input.subject } }, { idempotencyKey })).id),

    createCheckoutSession: (input, idempotencyKey) =>
      call(async () =>
        toCheckoutSnapshot(
          await stripe.checkout.sessions.create(
            {
              mode: 'subscription',
              customer: input.customerId,
              client_reference_id: input.subject,
              line_items: [{ price: input.priceId, quantity: 1 }],
              success_url: input.successUrl,
              cancel_url: input.cancelUrl,
              metadata: { visiona_subject: input.subject, visiona_plan: input.planId },
              subscription_data: { metadata: { visiona_subject: input.subject, visiona_plan: input.planId } },
            },
            { idempotencyKey },
          ),
        ),
      ),

    retrieveCheckoutSession: (id) => call(async () => toCheckoutSnapshot(await stripe.checkout.sessions.retrieve(id))),

    createPortalSession: (customerId, returnUrl) =>
      call(async () => (await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl })).url),

    retrieveSubscription: (id) => call(async () => toSubscriptionSnapshot(await stripe.subscriptions.retrieve(id))),

    retrieveInvoice: (id) => call(async () => toInvoiceSnapshot(await stripe.invoices.retrieve(id))),

    retrievePrice: (id) =>
      call(async () => {
        const p = await stripe.prices.retrieve(id);
        return {
          id: p.id,
          amountCents: p.unit_amount ?? 0,
          currency: p.currency,
          interval: p.recurring?.interval === 'year' ? 'year' : 'month',
          active: p.active,
        };
      }),

    closeCustomer: (customerId) =>
      call(async () => {
        for await (const sub of stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })) {
          if (sub.status === 'canceled' || sub.status === 'incomplete_expired') continue;
          await stripe.subscriptions.cancel(sub.id, { invoice_now: false, prorate: false }, { idempotencyKey: `visiona-account-delete-${sub.id}` });
        }
        await stripe.customers.del(customerId);
      }),

    verifyEvent(raw, signature, nowMs) {
      if (!signature) return null;
      try {
        // The SDK refuses a timestamp older than the tolerance (receivedAt is in ms); one from the future is refused here.
        const event = stripe.webhooks.constructEvent(raw, signature, config.webhookSecret, WEBHOOK_TOLERANCE_S, undefined, nowMs);
        const t = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
        if (!Number.isFinite(t) || t * 1000 > nowMs + WEBHOOK_TOLERANCE_S * 1000) return null;
        const object = (event.data as { object?: unknown }).object;
        if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof object !== 'object' || object === null) return null;
        return { id: event.id, type: event.type, object: object as Record<string, unknown> };
      } catch {
        return null;
      }
    },
  };
}
