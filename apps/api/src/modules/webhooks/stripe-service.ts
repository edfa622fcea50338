import type { Database, Queryable } from '../../db/index.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import type { StripeEvent, StripeGateway } from '../../integrations/stripe.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { fulfilInvoice, ownerOfCustomer, recordFailedPayment, settleCheckoutSession, syncSubscription, type FulfilmentDeps } from '../billing/fulfilment.ts';
import type { PlanCatalog } from '../billing/plans.ts';
import { claimWebhookEvent, type WebhookOutcome } from './clerk-service.ts';

const SUBSCRIPTION_EVENTS = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
]);
const CHECKOUT_DONE = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
const INVOICE_PAID = new Set(['invoice.paid', 'invoice.payment_succeeded']);
const HANDLED = new Set([...SUBSCRIPTION_EVENTS, ...CHECKOUT_DONE, ...INVOICE_PAID, 'checkout.session.expired', 'invoice.payment_failed']);

/** A Stripe object id (`sub_…`, `in_…`) given as a string or an expanded object; anything else is no id. */
const STRIPE_ID = /^[A-Za-z0-9_]{1,255}$/;
const stripeId = (v: unknown): string | null => (typeof v === 'string' && STRIPE_ID.test(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'object' && v !== null ? stripeId((v as { id?: unknown }).id) : stripeId(v));

/** The subscription an invoice belongs to, in this API version's shape (`parent.subscription_details`). */
function invoiceSubscription(o: Record<string, unknown>): string | null {
  const parent = o['parent'] as { subscription_details?: { subscription?: unknown } } | null | undefined;
  return str(parent?.subscription_details?.subscription);
}

/**
 * Stripe's webhooks. Verified over the raw body with `constructEvent` (±5 min),
 * each event id processed once in the same transaction as its effects, and
 * events for one customer applied one at a time (a transaction-scoped advisory
 * lock) with state re-read from Stripe, so order and duplicates do not matter.
 */
export function createStripeWebhookService(deps: { db: Database; stripe: StripeGateway; plans: PlanCatalog; clock: Clock; cipher: ColumnCipher }) {
  const { db } = deps;
  const fulfil: FulfilmentDeps = { stripe: deps.stripe, plans: deps.plans, cipher: deps.cipher };

  async function apply(tx: Queryable, event: StripeEvent, owner: string): Promise<void> {
    const o = event.object;
    if (SUBSCRIPTION_EVENTS.has(event.type)) {
      const id = str(o['id']);
      // The subscription's latest invoice too: whichever event lands first leaves the plan and its credits in place.
      const s = id ? await syncSubscription(tx, fulfil, id, owner) : null;
      if (s?.latestInvoiceId) await fulfilInvoice(tx, fulfil, s.latestInvoiceId, owner);
    } else if (CHECKOUT_DONE.has(event.type)) {
      const subscription = str(o['subscription']);
      if (subscription) await syncSubscription(tx, fulfil, subscription, owner);
      const invoice = str(o['invoice']);
      if (invoice) await fulfilInvoice(tx, fulfil, invoice, owner);
      await settleCheckoutSession(tx, String(o['id']), 'complete');
    } else if (event.type === 'checkout.session.expired') {
      await settleCheckoutSession(tx, String(o['id']), 'expired');
    } else if (INVOICE_PAID.has(event.type) || event.type === 'invoice.payment_failed') {
      const subscription = invoiceSubscription(o);
      if (subscription) await syncSubscription(tx, fulfil, subscription, owner);
      const invoice = str(o['id']);
      if (invoice) await (event.type === 'invoice.payment_failed' ? recordFailedPayment(tx, fulfil, invoice, owner) : fulfilInvoice(tx, fulfil, invoice, owner));
    }
  }

  return {
    async handle(raw: string, signature: string | undefined): Promise<WebhookOutcome> {
      const event = deps.stripe.verifyEvent(raw, signature, deps.clock.now().getTime());
      if (!event) throw new AppError(400, 'invalid_signature', 'Webhook signature, timestamp or body are invalid.');
      if (!HANDLED.has(event.type)) return 'ignored';
      const customer = str(event.object['customer']);
      if (!customer) return 'ignored';
      // A replay is answered without asking Stripe anything.
      const seen = await db.query('select 1 from webhook_events where provider = $1 and event_id = $2', ['stripe', event.id]);
      if (seen.rowCount > 0) return 'duplicate';
      return db.transaction(async (tx): Promise<WebhookOutcome> => {
        await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`stripe-customer:${customer}`]);
        if (!(await claimWebhookEvent(tx, 'stripe', event.id, event.type))) return 'duplicate';
        const owner = await ownerOfCustomer(tx, deps.cipher, customer);
        // Not one of ours (another app on the same Stripe account, or an account since deleted).
        if (!owner) return 'ignored';
        await apply(tx, event, owner);
        return 'processed';
      });
    },
  };
}

export type StripeWebhookService = ReturnType<typeof createStripeWebhookService>;
