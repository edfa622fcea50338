import { invalidParam, resourceMissing } from './errors.ts';
import type { WireCheckoutLineItem, WireCheckoutSession, WireCustomer, WireEvent, WireInvoice, WireList, WirePortalSession, WirePrice, WireProduct, WireSubscription, WireWebhookEndpoint } from './objects.ts';
import type { Params } from './params.ts';
import { cloneJson, isRecord, newId } from './util.ts';

export interface CheckoutRecord {
  session: WireCheckoutSession;
  lineItems: WireCheckoutLineItem[];
  subscriptionMetadata: Record<string, string>;
}

export interface PortalRecord {
  session: WirePortalSession;
  /** Unix seconds of the first visit; the link must be opened within 5 minutes, then lasts an hour. */
  firstVisitAt: number | null;
}

export interface SubscriptionRecord {
  sub: WireSubscription;
  /** Periods elapsed since `billing_cycle_anchor` (the current one is number `periodIndex`). */
  periodIndex: number;
}

export interface EndpointRecord {
  endpoint: WireWebhookEndpoint;
  secret: string;
  /** Added from `StripeEmulatorOptions.webhookEndpoints` (configuration, matched by URL on a restart) rather than through the API. */
  fromOptions?: boolean;
}

/** All state of one emulator, in memory (`persistence.ts` saves it to the data file). Maps keep insertion order, so lists are newest first by reversing. */
export class Store {
  readonly customers = new Map<string, WireCustomer>();
  readonly deletedCustomers = new Set<string>();
  readonly products = new Map<string, WireProduct>();
  readonly prices = new Map<string, WirePrice>();
  readonly checkouts = new Map<string, CheckoutRecord>();
  readonly portals = new Map<string, PortalRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly invoices = new Map<string, WireInvoice>();
  readonly events = new Map<string, WireEvent>();
  readonly endpoints = new Map<string, EndpointRecord>();
  /** The one billing portal configuration (`bpc_…`) every portal session names (restored from the data file, if any). */
  portalConfiguration = newId('bpc');

  customer(id: string, param?: string): WireCustomer {
    const c = this.customers.get(id);
    if (!c || this.deletedCustomers.has(id)) throw resourceMissing('customer', id, param);
    return c;
  }

  price(id: string, param?: string): WirePrice {
    const p = this.prices.get(id);
    if (!p) throw resourceMissing('price', id, param);
    return p;
  }

  product(id: string, param?: string): WireProduct {
    const p = this.products.get(id);
    if (!p) throw resourceMissing('product', id, param);
    return p;
  }

  subscription(id: string, param?: string): SubscriptionRecord {
    const s = this.subscriptions.get(id);
    if (!s) throw resourceMissing('subscription', id, param);
    return s;
  }

  invoice(id: string, param?: string): WireInvoice {
    const i = this.invoices.get(id);
    if (!i) throw resourceMissing('invoice', id, param);
    return i;
  }

  checkout(id: string): CheckoutRecord {
    const c = this.checkouts.get(id);
    if (!c) throw resourceMissing('checkout.session', id);
    return c;
  }

  event(id: string): WireEvent {
    const e = this.events.get(id);
    if (!e) throw resourceMissing('event', id);
    return e;
  }

  endpoint(id: string): EndpointRecord {
    const e = this.endpoints.get(id);
    if (!e) throw resourceMissing('webhook endpoint', id);
    return e;
  }

  /** Any stored object by id, as `expand` resolves references (a deleted customer is its stub). */
  lookup(id: string): Record<string, unknown> | undefined {
    if (this.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
    const found = this.customers.get(id) ?? this.products.get(id) ?? this.prices.get(id) ?? this.subscriptions.get(id)?.sub ?? this.invoices.get(id) ?? this.checkouts.get(id)?.session;
    return found as Record<string, unknown> | undefined;
  }

  /** `checkout.session.line_items` exists only when expanded. */
  private virtualField(obj: Record<string, unknown>, field: string): unknown {
    if (obj['object'] === 'checkout.session' && field === 'line_items') {
      const rec = this.checkouts.get(String(obj['id']));
      if (rec) return { object: 'list', data: cloneJson(rec.lineItems), has_more: false, url: `/v1/checkout/sessions/${rec.session.id}/line_items` };
    }
    return undefined;
  }

  private expandPath(node: unknown, path: string[], full: string): void {
    if (Array.isArray(node)) {
      for (const el of node) this.expandPath(el, path, full);
      return;
    }
    const [head, ...rest] = path;
    if (!isRecord(node) || head === undefined) return;
    let v = node[head];
    if (v === undefined) {
      const virtual = this.virtualField(node, head);
      if (virtual === undefined) throw invalidParam('expand', `This property cannot be expanded (${full}).`);
      node[head] = virtual;
      v = virtual;
    } else if (typeof v === 'string') {
      const found = this.lookup(v);
      if (!found) throw invalidParam('expand', `This property cannot be expanded (${full}).`);
      node[head] = cloneJson(found);
      v = node[head];
    } else if (v !== null && !Array.isArray(v) && !(isRecord(v) && (rest.length > 0 || typeof v['id'] === 'string'))) {
      // Only references expand; walking through embedded hashes is fine, ending on one is not.
      throw invalidParam('expand', `This property cannot be expanded (${full}).`);
    }
    if (rest.length > 0 && v !== null) this.expandPath(v, rest, full);
  }

  /** A copy of `obj` with each `expand[]` path resolved (at most four levels deep, as Stripe allows). */
  render<T>(obj: T, expand: string[]): T {
    const out = cloneJson(obj);
    for (const path of expand) {
      const parts = path.split('.');
      // Stripe's four levels do not count the `data` of lists (`data.line_items.data.price.product` is allowed).
      if (parts.filter((p) => p !== 'data').length > 4 || parts.some((p) => p === '')) throw invalidParam('expand', `You cannot expand more than 4 levels of a property. Property: ${path}`);
      this.expandPath(out, parts, path);
    }
    return out;
  }
}

/**
 * One page of a Stripe list: `limit` (1–100, default 10), `starting_after` / `ending_before`
 * (ids within the filtered items, newest first), `has_more`, and `data.*` expansions.
 */
export function page<T extends { id: string }>(store: Store, items: readonly T[], q: Params, url: string, kind: string): WireList<T> {
  const limit = q.integer('limit', { min: 1, max: 100 }) ?? 10;
  const after = q.string('starting_after');
  const before = q.string('ending_before');
  let start = 0;
  let end = items.length;
  if (after !== undefined) {
    const i = items.findIndex((x) => x.id === after);
    if (i < 0) throw resourceMissing(kind, after, 'starting_after');
    start = i + 1;
  } else if (before !== undefined) {
    const i = items.findIndex((x) => x.id === before);
    if (i < 0) throw resourceMissing(kind, before, 'ending_before');
    end = i;
    start = Math.max(0, i - limit);
  }
  const data = items.slice(start, Math.min(end, start + limit));
  const hasMore = before !== undefined ? start > 0 : start + data.length < end;
  return store.render({ object: 'list' as const, data, has_more: hasMore, url }, q.expand());
}
