import type Stripe from 'stripe';

/**
 * Stripe's objects as they travel on the wire, typed by stripe-node's own declarations for API
 * version 2026-10-28.endive. Differences from the SDK types: decimal fields are strings (the SDK
 * turns them into `Decimal` objects after parsing), and references the emulator stores as ids
 * are narrowed to `string` (`expand` replaces them when asked).
 */
export const API_VERSION = '2026-10-28.endive';

export type WirePrice = Omit<Stripe.Price, 'unit_amount_decimal' | 'product'> & { unit_amount_decimal: string | null; product: string };
export type WirePlan = Omit<Stripe.Plan, 'amount_decimal' | 'product'> & { amount_decimal: string | null; product: string };
export type WireProduct = Omit<Stripe.Product, 'default_price'> & { default_price: string | null };
export type WireCustomer = Stripe.Customer;
export type WireSubscriptionItem = Omit<Stripe.SubscriptionItem, 'price' | 'plan'> & { price: WirePrice; plan: WirePlan };
export type WireSubscription = Omit<Stripe.Subscription, 'items' | 'customer' | 'latest_invoice'> & {
  items: Stripe.ApiList<WireSubscriptionItem>;
  customer: string;
  latest_invoice: string | null;
};
export type WireInvoiceLine = Omit<Stripe.InvoiceLineItem, 'pricing' | 'quantity_decimal' | 'subscription'> & {
  pricing: { type: 'price_details'; price_details: { price: string; product: string }; unit_amount_decimal: string | null };
  quantity_decimal: string | null;
  subscription: string | null;
};
export type WireInvoice = Omit<Stripe.Invoice, 'lines' | 'customer' | 'parent'> & {
  lines: Stripe.ApiList<WireInvoiceLine>;
  customer: string;
  parent: { type: 'subscription_details'; quote_details: null; subscription_details: { metadata: Stripe.Metadata | null; subscription: string } } | null;
};
export type WireCheckoutSession = Omit<Stripe.Checkout.Session, 'customer' | 'invoice' | 'subscription' | 'line_items'> & {
  customer: string | null;
  invoice: string | null;
  subscription: string | null;
};
export type WireCheckoutLineItem = Omit<Stripe.LineItem, 'price'> & { price: WirePrice };
export type WirePortalSession = Stripe.BillingPortal.Session;
export type WireWebhookEndpoint = Stripe.WebhookEndpoint;
export interface WireEvent extends Omit<Stripe.EventBase, 'data' | 'type'> {
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}
export type WireList<T> = Stripe.ApiList<T>;

export interface PriceSeed {
  id: string;
  productId: string;
  productName: string;
  unitAmount: number;
  currency: string;
  interval: 'month' | 'year';
  lookupKey?: string;
}

export function productObject(seed: PriceSeed, defaultPrice: string, created: number): WireProduct {
  return {
    id: seed.productId,
    object: 'product',
    active: true,
    created,
    default_price: defaultPrice,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    name: seed.productName,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: created,
    url: null,
  };
}

export function priceObject(seed: PriceSeed, created: number): WirePrice {
  return {
    id: seed.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created,
    currency: seed.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: seed.lookupKey ?? null,
    metadata: {},
    nickname: null,
    product: seed.productId,
    recurring: { interval: seed.interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: seed.unitAmount,
    unit_amount_decimal: String(seed.unitAmount),
  };
}

/** The legacy `plan` twin every subscription item still carries. */
export function planFromPrice(price: WirePrice): WirePlan {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export interface CustomerFields {
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  metadata: Record<string, string>;
}

export function customerObject(id: string, created: number, invoicePrefix: string, f: CustomerFields): WireCustomer {
  return {
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: f.description,
    discount: null,
    email: f.email,
    invoice_prefix: invoicePrefix,
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: f.metadata,
    name: f.name,
    next_invoice_sequence: 1,
    phone: f.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export function subscriptionItemObject(id: string, subscription: string, price: WirePrice, quantity: number, created: number, period: { start: number; end: number }): WireSubscriptionItem {
  return {
    id,
    object: 'subscription_item',
    billing_thresholds: null,
    created,
    current_period_end: period.end,
    current_period_start: period.start,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planFromPrice(price),
    price,
    quantity,
    subscription,
    tax_rates: [],
  };
}

export function subscriptionObject(o: { id: string; customer: string; created: number; currency: string; metadata: Record<string, string>; item: WireSubscriptionItem; latestInvoice: string | null }): WireSubscription {
  return {
    id: o.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: o.item.current_period_start,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: o.created,
    currency: o.currency,
    customer: o.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: { object: 'list', data: [o.item], has_more: false, url: `/v1/subscription_items?subscription=${o.id}` },
    latest_invoice: o.latestInvoice,
    livemode: false,
    managed_payments: null,
    metadata: o.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: o.created,
    status: 'active',
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
    trial_start: null,
  };
}

export function invoiceLineObject(o: { id: string; invoice: string; subscription: string; subscriptionItem: string; price: WirePrice; productName: string; quantity: number; period: { start: number; end: number }; description: string }): WireInvoiceLine {
  const amount = (o.price.unit_amount ?? 0) * o.quantity;
  return {
    id: o.id,
    object: 'line_item',
    amount,
    currency: o.price.currency,
    description: o.description,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: o.invoice,
    livemode: false,
    metadata: {},
    parent: {
      type: 'subscription_item_details',
      invoice_item_details: null,
      subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: o.subscription, subscription_item: o.subscriptionItem },
    },
    period: { start: o.period.start, end: o.period.end },
    pretax_credit_amounts: [],
    pricing: { type: 'price_details', price_details: { price: o.price.id, product: o.price.product }, unit_amount_decimal: o.price.unit_amount_decimal },
    quantity: o.quantity,
    quantity_decimal: String(o.quantity),
    subscription: o.subscription,
    subtotal: amount,
    taxes: [],
  };
}

export function invoiceObject(o: {
  id: string;
  customer: WireCustomer;
  subscription: WireSubscription;
  created: number;
  billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  line: WireInvoiceLine;
  period: { start: number; end: number };
}): WireInvoice {
  const total = o.line.amount;
  return {
    id: o.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe emulator',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: o.billingReason,
    collection_method: 'charge_automatically',
    created: o.created,
    currency: o.line.currency,
    custom_fields: null,
    customer: o.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: o.customer.email,
    customer_name: o.customer.name ?? null,
    customer_phone: o.customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: [o.line], has_more: false, url: `/v1/invoices/${o.id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: { type: 'subscription_details', quote_details: null, subscription_details: { metadata: { ...o.subscription.metadata }, subscription: o.subscription.id } },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: o.period.end,
    period_start: o.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

export function checkoutSessionObject(o: {
  id: string;
  created: number;
  expiresAt: number;
  url: string;
  customer: string | null;
  customerEmail: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  successUrl: string;
  cancelUrl: string | null;
  currency: string;
  amount: number;
}): WireCheckoutSession {
  return {
    id: o.id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: o.amount,
    amount_total: o.amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: o.cancelUrl,
    client_reference_id: o.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: o.created,
    currency: o.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: o.customer,
    customer_account: null,
    customer_creation: o.customer ? null : 'always',
    customer_details: null,
    customer_email: o.customerEmail,
    discounts: [],
    expires_at: o.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: o.metadata,
    mode: 'subscription',
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: o.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: o.url,
    wallet_options: null,
  };
}

export function portalSessionObject(o: { id: string; configuration: string; created: number; customer: string; returnUrl: string | null; url: string }): WirePortalSession {
  return {
    id: o.id,
    object: 'billing_portal.session',
    configuration: o.configuration,
    created: o.created,
    customer: o.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: o.returnUrl,
    url: o.url,
  };
}

export function webhookEndpointObject(o: { id: string; url: string; created: number; enabledEvents: string[]; description: string | null; metadata: Record<string, string> }): WireWebhookEndpoint {
  return {
    id: o.id,
    object: 'webhook_endpoint',
    api_version: API_VERSION,
    application: null,
    created: o.created,
    description: o.description,
    enabled_events: o.enabledEvents,
    livemode: false,
    metadata: o.metadata,
    status: 'enabled',
    url: o.url,
  };
}
