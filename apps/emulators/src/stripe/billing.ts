import { invalidParam, invalidRequest, parameterMissing, StripeApiError } from './errors.ts';
import { formatPrice } from './money.ts';
import {
  API_VERSION,
  checkoutSessionObject,
  customerObject,
  invoiceLineObject,
  invoiceObject,
  planFromPrice,
  portalSessionObject,
  subscriptionItemObject,
  subscriptionObject,
  type CustomerFields,
  type WireCheckoutLineItem,
  type WireCheckoutSession,
  type WireCustomer,
  type WireEvent,
  type WireInvoice,
  type WirePortalSession,
  type WireSubscription,
  type WireSubscriptionItem,
} from './objects.ts';
import type { CheckoutRecord, PortalRecord, Store, SubscriptionRecord } from './store.ts';
import { addMonths, base62, type Clock, cloneJson, isRecord, monthsPerInterval, newCheckoutSessionId, newId, unixSeconds } from './util.ts';

/** What caused a change: the API request (its id and idempotency key) or nothing (hosted pages, renewals). */
export interface Origin {
  requestId: string | null;
  idempotencyKey: string | null;
}

export const NO_ORIGIN: Origin = { requestId: null, idempotencyKey: null };

const CHECKOUT_TTL = 24 * 60 * 60;
const PORTAL_UNUSED_TTL = 5 * 60;
const PORTAL_SESSION_TTL = 60 * 60;
const RETRY_AFTER_FAILURE = 3 * 24 * 60 * 60;

export interface CheckoutInput {
  customer: string | null;
  customerEmail: string | null;
  lineItems: { price: string; quantity: number }[];
  successUrl: string;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  subscriptionMetadata: Record<string, string>;
  expiresAt: number | null;
}

export interface SubscriptionChanges {
  cancelAtPeriodEnd?: boolean;
  /** Portal cancellations say why; API ones may carry a comment and feedback. */
  cancellationDetails?: { comment?: string | null; feedback?: string | null };
  price?: { itemId: string; priceId: string; param: string };
  /** Restart the period now and bill the new price at once (the portal's switch, `proration_behavior=always_invoice`). */
  invoiceNow?: boolean;
  metadata?: Record<string, string>;
  description?: string | null;
}

export interface PortalStatus {
  valid: boolean;
  expiresAt: number;
}

/**
 * The emulator's billing logic: customers, Checkout, the portal and the subscription lifecycle,
 * with the events Stripe emits for each step, in Stripe's order.
 */
export class Billing {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly publicUrl: string;
  private readonly dispatch: (e: WireEvent) => void;

  constructor(deps: { store: Store; clock: Clock; publicUrl: string; dispatch: (e: WireEvent) => void }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.publicUrl = deps.publicUrl;
    this.dispatch = deps.dispatch;
  }

  now(): number {
    return unixSeconds(this.clock.now());
  }

  /** Records an event whose `data.object` is a snapshot of `object` now, and queues its deliveries. */
  emit(type: string, object: object, origin: Origin, previous?: Record<string, unknown>): WireEvent {
    const event: WireEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.now(),
      data: { object: cloneJson(object) as Record<string, unknown>, ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 0,
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    };
    this.store.events.set(event.id, event);
    this.dispatch(event);
    return event;
  }

  // ---------------------------------------------------------------- customers

  createCustomer(fields: CustomerFields, origin: Origin): WireCustomer {
    const c = customerObject(newId('cus', 'short'), this.now(), base62(8).toUpperCase(), fields);
    this.store.customers.set(c.id, c);
    this.emit('customer.created', c, origin);
    return c;
  }

  updateCustomer(id: string, fields: Partial<CustomerFields>, origin: Origin): WireCustomer {
    const c = this.store.customer(id);
    const before = cloneJson(c);
    if (fields.email !== undefined) c.email = fields.email;
    if (fields.name !== undefined) c.name = fields.name;
    if (fields.description !== undefined) c.description = fields.description;
    if (fields.phone !== undefined) c.phone = fields.phone;
    if (fields.metadata !== undefined) c.metadata = fields.metadata;
    const prev = previousAttributes(before, c);
    if (Object.keys(prev).length > 0) this.emit('customer.updated', c, origin, prev);
    return c;
  }

  /** Deletes the customer and cancels its subscriptions at once, as Stripe does. */
  deleteCustomer(id: string, origin: Origin): { id: string; object: 'customer'; deleted: true } {
    const c = this.store.customer(id);
    for (const rec of this.store.subscriptions.values()) {
      if (rec.sub.customer === id && rec.sub.status !== 'canceled') this.cancelNow(rec.sub.id, origin);
    }
    this.store.deletedCustomers.add(id);
    this.emit('customer.deleted', c, origin);
    return { id, object: 'customer', deleted: true };
  }

  // ---------------------------------------------------------------- checkout

  createCheckoutSession(input: CheckoutInput): WireCheckoutSession {
    if (input.customer) this.store.customer(input.customer, 'customer');
    const lineItems: WireCheckoutLineItem[] = input.lineItems.map((li, i) => {
      const price = this.store.price(li.price, `line_items[${i}][price]`);
      if (!price.active) throw invalidParam(`line_items[${i}][price]`, `The price specified is inactive. This field only accepts active prices.`);
      const amount = (price.unit_amount ?? 0) * li.quantity;
      return {
        id: newId('li'),
        object: 'item',
        adjustable_quantity: null,
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: price.currency,
        description: this.store.products.get(price.product)?.name ?? null,
        metadata: {},
        price: cloneJson(price),
        quantity: li.quantity,
      };
    });
    const created = this.now();
    const id = newCheckoutSessionId();
    const first = lineItems[0];
    if (!first) throw parameterMissing('line_items');
    const session = checkoutSessionObject({
      id,
      created,
      expiresAt: input.expiresAt ?? created + CHECKOUT_TTL,
      url: `${this.publicUrl}/c/pay/${id}`,
      customer: input.customer,
      customerEmail: input.customerEmail,
      clientReferenceId: input.clientReferenceId,
      metadata: input.metadata,
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
      currency: first.currency,
      amount: lineItems.reduce((sum, li) => sum + li.amount_total, 0),
    });
    this.store.checkouts.set(id, { session, lineItems, subscriptionMetadata: input.subscriptionMetadata });
    return session;
  }

  /** An open session past `expires_at` expires when next looked at (and says so with `checkout.session.expired`). */
  refreshCheckout(rec: CheckoutRecord): CheckoutRecord {
    if (rec.session.status === 'open' && this.now() >= rec.session.expires_at) this.expireCheckout(rec, NO_ORIGIN);
    return rec;
  }

  expireCheckout(rec: CheckoutRecord, origin: Origin): WireCheckoutSession {
    if (rec.session.status !== 'open') {
      throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${rec.session.status ?? 'unknown'}".`);
    }
    rec.session.status = 'expired';
    rec.session.url = null;
    this.emit('checkout.session.expired', rec.session, origin);
    return rec.session;
  }

  /** The email the hosted page shows: the customer's, the session's `customer_email`, or none (the page asks). */
  checkoutEmail(rec: CheckoutRecord): string | null {
    const s = rec.session;
    if (s.customer) return this.store.customers.get(s.customer)?.email ?? s.customer_email;
    return s.customer_email;
  }

  /**
   * The Pay button: creates the customer if needed, the subscription and its first paid invoice,
   * and completes the session. Paying a completed session again changes nothing.
   */
  pay(sessionId: string, opts: { email?: string } = {}): { session: WireCheckoutSession; alreadyPaid: boolean } {
    const rec = this.refreshCheckout(this.store.checkout(sessionId));
    const s = rec.session;
    if (s.status === 'complete') return { session: s, alreadyPaid: true };
    if (s.status === 'expired') throw invalidRequest('This Checkout Session has expired.');
    const email = this.checkoutEmail(rec) ?? opts.email ?? null;
    if (!email) throw parameterMissing('email');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidParam('email', 'Invalid email address: ' + email, 'email_invalid');
    const customer = s.customer ? this.store.customer(s.customer, 'customer') : this.createCustomer({ email, name: null, description: null, phone: null, metadata: {} }, NO_ORIGIN);
    const { sub, invoice } = this.createSubscription(rec, customer);
    s.status = 'complete';
    s.payment_status = 'paid';
    s.customer = customer.id;
    s.subscription = sub.id;
    s.invoice = invoice.id;
    s.url = null;
    s.customer_details = { address: null, business_name: null, email, individual_name: null, name: customer.name ?? null, phone: null, tax_exempt: 'none', tax_ids: [] };
    this.emit('checkout.session.completed', s, NO_ORIGIN);
    return { session: s, alreadyPaid: false };
  }

  private createSubscription(rec: CheckoutRecord, customer: WireCustomer): { sub: WireSubscription; invoice: WireInvoice } {
    const now = this.now();
    const subId = newId('sub');
    const line = rec.lineItems[0] as WireCheckoutLineItem;
    const price = this.store.price(line.price.id);
    const end = addMonths(now, monthsPerInterval(price.recurring?.interval === 'year' ? 'year' : 'month'));
    const item = subscriptionItemObject(newId('si', 'short'), subId, cloneJson(price), line.quantity ?? 1, now, { start: now, end });
    const sub = subscriptionObject({ id: subId, customer: customer.id, created: now, currency: item.price.currency, metadata: { ...rec.subscriptionMetadata }, item, latestInvoice: null });
    const record: SubscriptionRecord = { sub, periodIndex: 0 };
    this.store.subscriptions.set(subId, record);
    const invoice = this.newInvoice(sub, 'subscription_create', { start: now, end: now });
    this.emit('customer.subscription.created', sub, NO_ORIGIN);
    this.emit('invoice.created', invoice, NO_ORIGIN);
    this.finalizeInvoice(invoice);
    this.payInvoice(invoice);
    return { sub, invoice };
  }

  // ---------------------------------------------------------------- invoices

  private newInvoice(sub: WireSubscription, reason: 'subscription_create' | 'subscription_cycle' | 'subscription_update', period: { start: number; end: number }): WireInvoice {
    const customer = this.store.customers.get(sub.customer);
    if (!customer) throw new StripeApiError(500, 'api_error', `subscription ${sub.id} has no customer`);
    const item = sub.items.data[0] as WireSubscriptionItem;
    const id = newId('in');
    const productName = this.store.products.get(item.price.product)?.name ?? item.price.product;
    const quantity = item.quantity ?? 1;
    const line = invoiceLineObject({
      id: newId('il'),
      invoice: id,
      subscription: sub.id,
      subscriptionItem: item.id,
      price: cloneJson(item.price),
      productName,
      quantity,
      period: { start: item.current_period_start, end: item.current_period_end },
      description: `${quantity} × ${productName} (at ${formatPrice(item.price)})`,
    });
    const invoice = invoiceObject({ id, customer, subscription: sub, created: this.now(), billingReason: reason, line, period });
    this.store.invoices.set(id, invoice);
    sub.latest_invoice = id;
    return invoice;
  }

  private finalizeInvoice(inv: WireInvoice): void {
    const customer = this.store.customers.get(inv.customer);
    const seq = customer?.next_invoice_sequence ?? 1;
    if (customer) customer.next_invoice_sequence = seq + 1;
    const now = this.now();
    inv.status = 'open';
    inv.number = `${customer?.invoice_prefix ?? 'INV'}-${String(seq).padStart(4, '0')}`;
    inv.status_transitions.finalized_at = now;
    inv.effective_at = now;
    inv.ending_balance = 0;
    inv.hosted_invoice_url = `${this.publicUrl}/i/${inv.id}`;
    this.emit('invoice.finalized', inv, NO_ORIGIN);
  }

  private payInvoice(inv: WireInvoice): void {
    inv.status = 'paid';
    inv.amount_paid = inv.amount_due;
    inv.amount_remaining = 0;
    inv.attempted = true;
    inv.attempt_count += 1;
    inv.auto_advance = false;
    inv.next_payment_attempt = null;
    inv.status_transitions.paid_at = this.now();
    const customer = this.store.customers.get(inv.customer);
    if (customer) customer.delinquent = false;
    this.emit('invoice.paid', inv, NO_ORIGIN);
    this.emit('invoice.payment_succeeded', inv, NO_ORIGIN);
  }

  private failInvoice(inv: WireInvoice): void {
    inv.attempted = true;
    inv.attempt_count += 1;
    inv.next_payment_attempt = this.now() + RETRY_AFTER_FAILURE;
    const customer = this.store.customers.get(inv.customer);
    if (customer) customer.delinquent = true;
    this.emit('invoice.payment_failed', inv, NO_ORIGIN);
  }

  // ---------------------------------------------------------------- portal

  createPortalSession(customerId: string, returnUrl: string | null, origin: Origin): WirePortalSession {
    this.store.customer(customerId, 'customer');
    const id = newId('bps');
    const session = portalSessionObject({ id, configuration: this.store.portalConfiguration, created: this.now(), customer: customerId, returnUrl, url: `${this.publicUrl}/p/session/${id}` });
    this.store.portals.set(id, { session, firstVisitAt: null });
    this.emit('billing_portal.session.created', session, origin);
    return session;
  }

  /** A portal link must be opened within 5 minutes; once opened it works for an hour. */
  portalStatus(rec: PortalRecord): PortalStatus {
    const expiresAt = rec.firstVisitAt === null ? rec.session.created + PORTAL_UNUSED_TTL : rec.firstVisitAt + PORTAL_SESSION_TTL;
    return { valid: this.now() < expiresAt, expiresAt };
  }

  visitPortal(rec: PortalRecord): PortalStatus {
    const status = this.portalStatus(rec);
    if (status.valid && rec.firstVisitAt === null) {
      rec.firstVisitAt = this.now();
      return this.portalStatus(rec);
    }
    return status;
  }

  // ---------------------------------------------------------------- subscriptions

  /** Applies one update (API call or portal action) and emits one `customer.subscription.updated`, then the invoice's events. */
  updateSubscription(id: string, ch: SubscriptionChanges, origin: Origin): WireSubscription {
    const rec = this.store.subscription(id);
    const sub = rec.sub;
    if (sub.status === 'canceled' && (ch.cancelAtPeriodEnd !== undefined || ch.price || ch.description !== undefined)) {
      throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.');
    }
    const before = cloneJson(sub);
    const item = sub.items.data[0] as WireSubscriptionItem;
    let invoice: WireInvoice | null = null;
    if (ch.price) {
      if (ch.price.itemId !== item.id) throw invalidParam(`${ch.price.param.replace(/\[price\]$/, '[id]')}`, `No such subscription item: '${ch.price.itemId}'`, 'resource_missing');
      const price = this.store.price(ch.price.priceId, ch.price.param);
      if (!price.active) throw invalidParam(ch.price.param, 'The price specified is inactive. This field only accepts active prices.');
      if (price.currency !== sub.currency) throw invalidParam(ch.price.param, `The price specified uses ${price.currency}, but this subscription is billed in ${sub.currency}.`);
      if (price.id !== item.price.id) {
        if (sub.status !== 'active') throw invalidRequest(`The emulator changes prices only on active subscriptions; this one is ${sub.status}.`);
        item.price = cloneJson(price);
        item.plan = planFromPrice(price);
        if (ch.invoiceNow) {
          const now = this.now();
          item.current_period_start = now;
          item.current_period_end = addMonths(now, monthsPerInterval(price.recurring?.interval === 'year' ? 'year' : 'month'));
          sub.billing_cycle_anchor = now;
          rec.periodIndex = 0;
          if (sub.cancel_at_period_end) sub.cancel_at = item.current_period_end;
          invoice = this.newInvoice(sub, 'subscription_update', { start: now, end: now });
        }
      }
    }
    if (ch.cancelAtPeriodEnd !== undefined && ch.cancelAtPeriodEnd !== sub.cancel_at_period_end) {
      if (ch.cancelAtPeriodEnd) {
        sub.cancel_at_period_end = true;
        sub.cancel_at = item.current_period_end;
        sub.canceled_at = this.now();
        sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' };
      } else {
        sub.cancel_at_period_end = false;
        sub.cancel_at = null;
        sub.canceled_at = null;
        sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
      }
    }
    if (ch.cancellationDetails && sub.cancellation_details) {
      if (ch.cancellationDetails.comment !== undefined) sub.cancellation_details.comment = ch.cancellationDetails.comment;
      if (ch.cancellationDetails.feedback !== undefined) sub.cancellation_details.feedback = ch.cancellationDetails.feedback as typeof sub.cancellation_details.feedback;
    }
    if (ch.metadata !== undefined) sub.metadata = ch.metadata;
    if (ch.description !== undefined) sub.description = ch.description;
    const prev = previousAttributes(before, sub);
    if (Object.keys(prev).length > 0) this.emit('customer.subscription.updated', sub, origin, prev);
    if (invoice) {
      this.emit('invoice.created', invoice, NO_ORIGIN);
      this.finalizeInvoice(invoice);
      this.payInvoice(invoice);
    }
    return sub;
  }

  /** Cancels at once: `DELETE /v1/subscriptions/:id`, or the customer being deleted. */
  cancelNow(id: string, origin: Origin, details: { comment?: string | null; feedback?: string | null } = {}): WireSubscription {
    const sub = this.store.subscription(id).sub;
    if (sub.status === 'canceled') throw invalidRequest(`Subscription ${id} has already been canceled.`);
    const now = this.now();
    sub.status = 'canceled';
    sub.canceled_at = now;
    sub.ended_at = now;
    sub.cancellation_details = {
      comment: details.comment ?? null,
      feedback: (details.feedback ?? null) as NonNullable<WireSubscription['cancellation_details']>['feedback'],
      feedback_option: null,
      reason: 'cancellation_requested',
    };
    this.emit('customer.subscription.deleted', sub, origin);
    return sub;
  }

  /**
   * Moves a subscription to the end of its period: a canceling one ends; any other renews with a
   * `subscription_cycle` invoice that is paid, or with `fail` stays open and makes it `past_due`.
   */
  advance(id: string, opts: { fail?: boolean } = {}): WireSubscription {
    const rec = this.store.subscription(id);
    const sub = rec.sub;
    if (sub.status === 'canceled') throw invalidRequest(`Subscription ${id} is canceled; there is no next period.`);
    const item = sub.items.data[0] as WireSubscriptionItem;
    const oldStart = item.current_period_start;
    const oldEnd = item.current_period_end;
    if (sub.cancel_at_period_end) {
      sub.status = 'canceled';
      sub.ended_at = oldEnd;
      this.emit('customer.subscription.deleted', sub, NO_ORIGIN);
      return sub;
    }
    const months = monthsPerInterval(item.price.recurring?.interval === 'year' ? 'year' : 'month');
    rec.periodIndex += 1;
    const before = cloneJson(sub);
    item.current_period_start = oldEnd;
    item.current_period_end = addMonths(sub.billing_cycle_anchor, (rec.periodIndex + 1) * months);
    // Stripe's cycle invoice covers the period that just ended; its line covers the new one.
    const invoice = this.newInvoice(sub, 'subscription_cycle', { start: oldStart, end: oldEnd });
    this.emit('customer.subscription.updated', sub, NO_ORIGIN, previousAttributes(before, sub));
    this.emit('invoice.created', invoice, NO_ORIGIN);
    this.finalizeInvoice(invoice);
    const statusBefore = cloneJson(sub);
    if (opts.fail) {
      this.failInvoice(invoice);
      sub.status = 'past_due';
    } else {
      this.payInvoice(invoice);
      sub.status = 'active';
    }
    const prev = previousAttributes(statusBefore, sub);
    if (Object.keys(prev).length > 0) this.emit('customer.subscription.updated', sub, NO_ORIGIN, prev);
    return sub;
  }
}

/** Stripe's `previous_attributes`: the old value of every changed field, nested hashes reduced to their changed keys. */
export function previousAttributes(before: object, after: object): Record<string, unknown> {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    const bv = b[k];
    const av = a[k];
    if (JSON.stringify(bv) === JSON.stringify(av)) continue;
    out[k] = isRecord(bv) && isRecord(av) ? previousAttributes(bv, av) : (bv ?? null);
  }
  return out;
}
