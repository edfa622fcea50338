import type { Queryable } from '../../db/index.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import type { StripeGateway, SubscriptionSnapshot } from '../../integrations/stripe.ts';
import { insertAudit } from '../auth/repository.ts';
import { grantCredits } from '../credits/ledger.ts';
import type { PlanCatalog } from './plans.ts';

/**
 * Everything money changes, applied on the privileged connection inside the
 * transaction that records the Stripe event. State is always read fresh from
 * Stripe rather than taken from the event, so events may arrive in any order.
 */
export interface FulfilmentDeps {
  stripe: StripeGateway;
  plans: PlanCatalog;
  cipher: ColumnCipher;
}

/** Subscription statuses that keep a paid plan (Stripe retries a past_due payment before giving up). */
export const PLAN_KEEPING_STATUSES = ['active', 'trialing', 'past_due'];

/** Invoices that pay for a new period of a plan: they carry that period's credits. */
const PERIOD_REASONS = new Set(['subscription_create', 'subscription_cycle', 'subscription_update']);

/** The Visiona user that owns a Stripe customer, if any. */
export async function ownerOfCustomer(tx: Queryable, cipher: ColumnCipher, customerId: string): Promise<string | null> {
  // By the blind index under every configured key (a rotation may be half-way), or a value stored before encryption.
  const { rows } = await tx.query<{ owner_subject: string }>(
    'select owner_subject from billing_customers where stripe_customer_index = any($1::text[]) or stripe_customer_id = $2',
    [cipher.indexes(customerId), customerId],
  );
  return rows[0]?.owner_subject ?? null;
}

/**
 * Stores the subscription as Stripe has it now and derives the user's plan from it.
 * A canceled subscription never comes back (Stripe cannot reactivate one either).
 */
export async function syncSubscription(tx: Queryable, deps: FulfilmentDeps, subscriptionId: string, owner: string): Promise<SubscriptionSnapshot> {
  const s = await deps.stripe.retrieveSubscription(subscriptionId);
  const known = deps.plans.byPrice(s.priceId);
  const { rows } = await tx.query<{ status: string; cancel_at_period_end: boolean; plan: string }>(
    'select status, cancel_at_period_end, plan from subscriptions where id = $1 for update',
    [s.id],
  );
  const before = rows[0];
  if (before?.status === 'canceled' && s.status !== 'canceled') return s;
  const plan = known?.id ?? before?.plan ?? deps.plans.free.id;
  await tx.query(
    `insert into subscriptions (id, owner_subject, stripe_customer_id, plan, price_id, status, current_period_start, current_period_end,
                                cancel_at_period_end, canceled_at, ended_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (id) do update set plan = excluded.plan, price_id = excluded.price_id, status = excluded.status,
       current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end,
       cancel_at_period_end = excluded.cancel_at_period_end, canceled_at = excluded.canceled_at, ended_at = excluded.ended_at,
       updated_at = now()`,
    [s.id, owner, deps.cipher.encrypt(s.customerId), plan, s.priceId ?? '', s.status, s.currentPeriodStart, s.currentPeriodEnd, s.cancelAtPeriodEnd, s.canceledAt, s.endedAt, s.created],
  );
  if (!before || before.status !== s.status || before.cancel_at_period_end !== s.cancelAtPeriodEnd || before.plan !== plan) {
    await insertAudit(tx, owner, 'billing.subscription_changed', {
      subscriptionId: s.id,
      plan,
      status: s.status,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      ...(before ? { previous: { plan: before.plan, status: before.status, cancelAtPeriodEnd: before.cancel_at_period_end } } : {}),
    });
  }
  await refreshPlan(tx, deps.plans, owner, s.id);
  return s;
}

/** Sets `users.plan` from the newest subscription that keeps a plan, else the free plan; audits a change. */
async function refreshPlan(tx: Queryable, plans: PlanCatalog, owner: string, subscriptionId: string): Promise<void> {
  const { rows } = await tx.query<{ current: string; next: string | null }>(
    `select u.plan as current,
            (select s.plan from subscriptions s where s.owner_subject = u.auth_subject and s.status = any($2)
              order by s.created_at desc limit 1) as next
       from users u where u.auth_subject = $1 for update of u`,
    [owner, PLAN_KEEPING_STATUSES],
  );
  const row = rows[0];
  if (!row) return;
  const next = row.next ?? plans.free.id;
  if (next === row.current) return;
  await tx.query('update users set plan = $2, updated_at = now() where auth_subject = $1', [owner, next]);
  await insertAudit(tx, owner, 'billing.plan_changed', { from: row.current, to: next, subscriptionId });
}

/**
 * The one fulfilment function: grants a paid invoice's credits and records the
 * payment. Keyed by the invoice id, so the checkout event, `invoice.paid`, their
 * retries and replays together grant once. Does nothing until Stripe says paid.
 */
export async function fulfilInvoice(tx: Queryable, deps: FulfilmentDeps, invoiceId: string, owner: string): Promise<'granted' | 'recorded' | 'not_paid'> {
  const inv = await deps.stripe.retrieveInvoice(invoiceId);
  if (inv.status !== 'paid') return 'not_paid';
  const plan = deps.plans.byPrice(inv.periodPriceId);
  let credits = 0;
  if (plan && inv.periodPriceId && inv.billingReason && PERIOD_REASONS.has(inv.billingReason)) {
    const price = await deps.plans.price(inv.periodPriceId);
    credits = plan.monthlyCredits * (price?.interval === 'year' ? 12 : 1);
  }
  const granted = await grantCredits(tx, owner, credits, 'subscription', inv.id);
  const description = plan
    ? `${plan.name} plan${inv.billingReason === 'subscription_cycle' ? ' renewal' : inv.billingReason === 'subscription_update' ? ' (plan change)' : ''}`
    : 'Stripe invoice';
  const { rows } = await tx.query<{ inserted: boolean; was: string }>(
    `insert into payments (owner_subject, stripe_id, amount_cents, currency, status, description, plan, credits_granted, hosted_invoice_url)
     values ($1, $2, $3, $4, 'paid', $5, $6, $7, $8)
     on conflict (stripe_id) do update set status = 'paid', amount_cents = excluded.amount_cents, plan = excluded.plan,
       credits_granted = greatest(payments.credits_granted, excluded.credits_granted), description = excluded.description,
       hosted_invoice_url = excluded.hosted_invoice_url, updated_at = now()
     returning (xmax = 0) as inserted`,
    [owner, inv.id, inv.amountPaid, inv.currency, description, plan?.id ?? null, granted ? credits : 0, inv.hostedInvoiceUrl],
  );
  if (granted) {
    await insertAudit(tx, owner, 'credits.granted', { credits, reason: 'subscription', invoiceId: inv.id, plan: plan?.id ?? null });
  }
  if (rows[0]?.inserted || granted) {
    await insertAudit(tx, owner, 'billing.payment_succeeded', { invoiceId: inv.id, amountCents: inv.amountPaid, currency: inv.currency });
  }
  return granted ? 'granted' : 'recorded';
}

/** Records a failed invoice payment; a payment already recorded as paid stays paid. */
export async function recordFailedPayment(tx: Queryable, deps: FulfilmentDeps, invoiceId: string, owner: string): Promise<void> {
  const inv = await deps.stripe.retrieveInvoice(invoiceId);
  if (inv.status === 'paid') {
    await fulfilInvoice(tx, deps, invoiceId, owner);
    return;
  }
  const plan = deps.plans.byPrice(inv.periodPriceId);
  const { rowCount } = await tx.query(
    `insert into payments (owner_subject, stripe_id, amount_cents, currency, status, description, plan, hosted_invoice_url)
     values ($1, $2, $3, $4, 'failed', $5, $6, $7)
     on conflict (stripe_id) do update set status = 'failed', updated_at = now() where payments.status <> 'paid'`,
    [owner, inv.id, inv.amountDue, inv.currency, plan ? `${plan.name} plan (payment failed)` : 'Stripe invoice (payment failed)', plan?.id ?? null, inv.hostedInvoiceUrl],
  );
  if (rowCount) await insertAudit(tx, owner, 'billing.payment_failed', { invoiceId: inv.id, amountCents: inv.amountDue, currency: inv.currency });
}

/** Marks a checkout session complete (or expired): what the SPA waits for after paying. */
export async function settleCheckoutSession(tx: Queryable, sessionId: string, status: 'complete' | 'expired'): Promise<void> {
  await tx.query(
    `update checkout_sessions set status = $2, completed_at = case when $2 = 'complete' then now() else completed_at end
      where id = $1 and status = 'open'`,
    [sessionId, status],
  );
}
