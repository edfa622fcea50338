import { createHash } from 'node:crypto';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import type { Billing, CheckoutSession, LedgerEntry, Payment, PlanList, PortalSession, Subscription } from '@visiona/shared';
import type { Config } from '../../config.ts';
import { withClaims, type Database, type Queryable } from '../../db/index.ts';
import type { StripeGateway } from '../../integrations/stripe.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, NotFound, ValidationFailed } from '../../lib/errors.ts';
import { readIdempotencyKey } from '../../lib/idempotency.ts';
import { insertAudit } from '../auth/repository.ts';
import type { AuthUser } from '../auth/types.ts';
import { PLAN_KEEPING_STATUSES } from './fulfilment.ts';
import { currentPlan } from './limits.ts';
import type { PlanCatalog } from './plans.ts';

interface SubscriptionRow {
  id: string;
  plan: string;
  status: Subscription['status'];
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  ended_at: Date | null;
}

interface CheckoutRow {
  id: string;
  plan: string;
  url: string;
  status: CheckoutSession['status'];
  expires_at: Date;
  created_at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    planId: r.plan,
    status: r.status,
    currentPeriodStart: iso(r.current_period_start),
    currentPeriodEnd: iso(r.current_period_end),
    cancelAtPeriodEnd: r.cancel_at_period_end,
    canceledAt: iso(r.canceled_at),
    endedAt: iso(r.ended_at),
  };
}

function toCheckout(r: CheckoutRow): CheckoutSession {
  return { id: r.id, planId: r.plan, url: r.url, status: r.status, expiresAt: r.expires_at.toISOString(), createdAt: r.created_at.toISOString() };
}

/** Checkout sessions started within this window for the same plan are the same session. */
const CHECKOUT_WINDOW_MS = 10 * 60_000;

/**
 * The signed-in person's side of billing: what they have, and the way to Stripe's
 * checkout and portal. Nothing here changes a plan or grants credits: only
 * Stripe's verified webhooks do (see fulfilment.ts).
 */
export function createBillingService(deps: { db: Database; stripe: StripeGateway; plans: PlanCatalog; config: Config; clock: Clock; cipher: ColumnCipher }) {
  const { db, stripe, plans, config, clock } = deps;
  const asUser = <T>(user: AuthUser, fn: (tx: Queryable) => Promise<T>) => withClaims(db, { sub: user.subject }, fn);

  /** Where Stripe sends the person back: the SPA they came from, when it is one of ours. */
  function webOrigin(origin: string | undefined): string {
    return origin && config.webOrigins.includes(origin) ? origin : config.webOrigins[0]!;
  }

  async function customerOf(tx: Queryable): Promise<string | null> {
    const { rows } = await tx.query<{ stripe_customer_id: string }>('select stripe_customer_id from billing_customers');
    return deps.cipher.decryptNullable(rows[0]?.stripe_customer_id ?? null);
  }

  /** The user's Stripe customer, created once (a deterministic idempotency key makes racing requests share one). */
  async function ensureCustomer(user: AuthUser): Promise<string> {
    const { existing, email } = await asUser(user, async (tx) => ({
      existing: await customerOf(tx),
      email: (await tx.query<{ email: string }>('select email from users where id = $1', [user.id])).rows[0]?.email,
    }));
    if (existing) return existing;
    if (!email) throw new NotFound('user');
    const id = await stripe.createCustomer({ email, subject: user.subject }, `visiona-customer-${user.id}`);
    return asUser(user, async (tx) => {
      await tx.query(
        'insert into billing_customers (owner_subject, stripe_customer_id, stripe_customer_index) values ($1, $2, $3) on conflict (owner_subject) do nothing',
        [user.subject, deps.cipher.encrypt(id), deps.cipher.index(id)],
      );
      return (await customerOf(tx))!;
    });
  }

  return {
    plans: (): Promise<PlanList> => plans.list(),

    async get(user: AuthUser): Promise<Billing> {
      // One snapshot: a webhook committing between two of these reads would show a payment
      // without its credits.
      const data = await withClaims(db, { sub: user.subject }, async (tx) => {
        const plan = await currentPlan(tx, plans);
        const summary = (
          await tx.query<{ balance: number; models: number; running: number; customer: boolean }>(
            `select coalesce((select balance from credit_balances), 0)::int as balance,
                    (select count(*) from models where status in ('Processing', 'Ready'))::int as models,
                    (select count(*) from generations where status = 'Processing')::int as running,
                    exists (select 1 from billing_customers) as customer`,
          )
        ).rows[0]!;
        const subscription = (await tx.query<SubscriptionRow>('select * from subscriptions order by created_at desc limit 1')).rows[0] ?? null;
        const ledger = await tx.query<{ id: string; delta: number; reason: string; reference: string; created_at: Date }>(
          'select id, delta, reason, reference, created_at from credit_ledger order by created_at desc, id limit 20',
        );
        const payments = await tx.query<{
          id: string; stripe_id: string; amount_cents: string | number; currency: string; status: Payment['status']; description: string | null;
          plan: string | null; credits_granted: number; hosted_invoice_url: string | null; created_at: Date;
        }>('select * from payments order by created_at desc, id limit 20');
        return { plan, summary, subscription, ledger: ledger.rows, payments: payments.rows };
      }, { snapshot: true });
      return {
        plan: await plans.view(data.plan),
        subscription: data.subscription ? toSubscription(data.subscription) : null,
        creditBalance: data.summary.balance,
        usage: { models: data.summary.models, runningGenerations: data.summary.running },
        ledger: data.ledger.map((l): LedgerEntry => ({ id: l.id, delta: l.delta, reason: l.reason, reference: l.reference, createdAt: l.created_at.toISOString() })),
        payments: data.payments.map((p): Payment => ({
          id: p.id,
          invoiceId: p.stripe_id,
          amountCents: Number(p.amount_cents),
          currency: p.currency,
          status: p.status,
          description: p.description,
          planId: p.plan,
          creditsGranted: p.credits_granted,
          invoiceUrl: p.hosted_invoice_url,
          createdAt: p.created_at.toISOString(),
        })),
        canManage: data.summary.customer,
      };
    },

    /**
     * A Stripe Checkout Session (subscription mode) for a paid plan. The same person,
     * plan and `Idempotency-Key` (or, without one, the same ten minutes) get the same
     * session: Stripe is called with a key derived from them.
     */
    async checkout(user: AuthUser, planId: string, idempotencyHeader: string | null, origin: string | undefined): Promise<CheckoutSession> {
      const key = readIdempotencyKey(idempotencyHeader);
      const plan = plans.paidById(planId);
      if (!plan?.priceId) {
        throw new ValidationFailed(`There is no paid plan “${planId}”. Choose one of: ${plans.paidPlanIds.join(', ')}.`, [{ field: 'body.plan', message: 'unknown plan' }]);
      }
      const active = await asUser(user, async (tx) =>
        (await tx.query<{ plan: string }>('select plan from subscriptions where status = any($1) order by created_at desc limit 1', [PLAN_KEEPING_STATUSES])).rows[0],
      );
      if (active) {
        throw new AppError(
          409,
          'already_subscribed',
          `You already have the ${plans.byId(active.plan).name} plan. Change or cancel it in the billing portal (Manage billing, or POST /api/v1/billing/portal).`,
        );
      }
      const customerId = await ensureCustomer(user);
      const base = webOrigin(origin);
      const successUrl = `${base}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`;
      const cancelUrl = `${base}/billing?checkout=canceled`;
      const scope = key ?? `w${Math.floor(clock.now().getTime() / CHECKOUT_WINDOW_MS)}`;
      const originTag = createHash('sha256').update(base).digest('hex').slice(0, 8);
      const session = await stripe.createCheckoutSession(
        { customerId, subject: user.subject, priceId: plan.priceId, planId: plan.id, successUrl, cancelUrl },
        `visiona-checkout-${user.id}-${plan.id}-${originTag}-${scope}`,
      );
      const row = await asUser(user, async (tx) => {
        const { rowCount } = await tx.query(
          `insert into checkout_sessions (id, owner_subject, plan, url, expires_at) values ($1, $2, $3, $4, $5) on conflict (id) do nothing`,
          [session.id, user.subject, plan.id, session.url, session.expiresAt],
        );
        if (rowCount) await insertAudit(tx, user.subject, 'billing.checkout_started', { plan: plan.id, sessionId: session.id });
        return (await tx.query<CheckoutRow>('select * from checkout_sessions where id = $1', [session.id])).rows[0];
      });
      if (!row) throw new NotFound('checkout session');
      return toCheckout(row);
    },

    /** Whether Stripe's webhook has confirmed a checkout yet: what the SPA waits for after paying. */
    async checkoutSession(user: AuthUser, id: string): Promise<CheckoutSession> {
      // Complete when its own event has landed, or when the subscription it started has (events may come in any order).
      const row = await asUser(user, async (tx) =>
        (
          await tx.query<CheckoutRow>(
            `select c.id, c.plan, c.url, c.expires_at, c.created_at,
                    case when c.status = 'open' and exists (
                      select 1 from subscriptions s where s.plan = c.plan and s.status = any($2) and s.updated_at >= c.created_at
                    ) then 'complete' else c.status end as status
               from checkout_sessions c where c.id = $1`,
            [id, PLAN_KEEPING_STATUSES],
          )
        ).rows[0],
      );
      if (!row) throw new NotFound('checkout session');
      return toCheckout(row);
    },

    async portal(user: AuthUser, origin: string | undefined): Promise<PortalSession> {
      const customer = await asUser(user, customerOf);
      if (!customer) {
        throw new AppError(409, 'no_billing_account', 'There is no billing account yet: choose a paid plan first, then you can manage it here.');
      }
      const url = await stripe.createPortalSession(customer, `${webOrigin(origin)}/billing`);
      await asUser(user, (tx) => insertAudit(tx, user.subject, 'billing.portal_opened', {}));
      return { url };
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
