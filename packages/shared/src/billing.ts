import { Type, type Static } from 'typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

export const PLAN_ID_PATTERN = '^[a-z][a-z0-9_-]{0,31}$';

/** What a plan allows; the API enforces each limit. */
export const PlanLimits = Type.Object(
  {
    maxModels: Type.Integer({ minimum: 1, description: 'Models that can exist at once (training or ready).' }),
    maxConcurrentGenerations: Type.Integer({ minimum: 1, description: 'Generations that can run at the same time.' }),
    maxImagesPerGeneration: Type.Integer({ minimum: 1, maximum: 4, description: 'Largest number of images one generation can make.' }),
  },
  { additionalProperties: false },
);
export type PlanLimits = Static<typeof PlanLimits>;

export const PlanPrice = Type.Object(
  {
    amountCents: Type.Integer({ minimum: 0 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    interval: Type.Union([Type.Literal('month'), Type.Literal('year')]),
  },
  { additionalProperties: false },
);
export type PlanPrice = Static<typeof PlanPrice>;

export const Plan = Type.Object(
  {
    id: Type.String({ pattern: PLAN_ID_PATTERN }),
    name: Type.String(),
    description: Type.String(),
    paid: Type.Boolean({ description: 'False for the free plan everyone starts on; true for a Stripe subscription.' }),
    price: Type.Union([PlanPrice, Type.Null()], { description: 'From Stripe; null for the free plan, or when Stripe could not be reached.' }),
    monthlyCredits: Type.Integer({ minimum: 0, description: 'Credits granted each paid billing period.' }),
    limits: PlanLimits,
  },
  { additionalProperties: false },
);
export type Plan = Static<typeof Plan>;

export const PlanList = Type.Object(
  {
    plans: Type.Array(Plan),
    signupCredits: Type.Integer({ minimum: 0, description: 'Credits every new account starts with.' }),
    costs: Type.Object(
      {
        trainingCredits: Type.Integer({ minimum: 0, description: 'Credits one training costs.' }),
        creditsPerImage: Type.Integer({ minimum: 0, description: 'Credits each generated image costs.' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PlanList = Static<typeof PlanList>;

export const SUBSCRIPTION_STATUSES = ['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'] as const;

export const Subscription = Type.Object(
  {
    id: Type.String({ description: 'Stripe subscription id.' }),
    planId: Type.String(),
    status: Type.Enum([...SUBSCRIPTION_STATUSES], { description: 'Stripe’s subscription status.' }),
    currentPeriodStart: Nullable(DateTime()),
    currentPeriodEnd: Nullable(DateTime('When it renews, or ends when `cancelAtPeriodEnd`.')),
    cancelAtPeriodEnd: Type.Boolean(),
    canceledAt: Nullable(DateTime()),
    endedAt: Nullable(DateTime()),
  },
  { additionalProperties: false },
);
export type Subscription = Static<typeof Subscription>;

export const LedgerEntry = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    delta: Type.Integer({ description: 'Credits added (positive) or spent (negative).' }),
    reason: Type.String({ description: '`signup`, `subscription`, `training`, `training_refund`, `generation`, `generation_refund`, …' }),
    reference: Type.String({ description: 'What the entry is for: a model, a generation, an invoice.' }),
    createdAt: DateTime(),
  },
  { additionalProperties: false },
);
export type LedgerEntry = Static<typeof LedgerEntry>;

export const Payment = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    invoiceId: Type.String({ description: 'Stripe invoice id.' }),
    amountCents: Type.Integer(),
    currency: Type.String(),
    status: Type.Union([Type.Literal('paid'), Type.Literal('failed'), Type.Literal('open')]),
    description: Nullable(Type.String()),
    planId: Nullable(Type.String()),
    creditsGranted: Type.Integer({ minimum: 0 }),
    invoiceUrl: Nullable(Type.String({ description: 'Stripe’s hosted invoice page.' })),
    createdAt: DateTime(),
  },
  { additionalProperties: false },
);
export type Payment = Static<typeof Payment>;

export const Usage = Type.Object(
  {
    models: Type.Integer({ minimum: 0, description: 'Models training or ready now.' }),
    runningGenerations: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type Usage = Static<typeof Usage>;

export const Billing = Type.Object(
  {
    plan: Plan,
    subscription: Type.Union([Subscription, Type.Null()], { description: 'The latest Stripe subscription, null when there has never been one.' }),
    creditBalance: Type.Integer({ minimum: 0 }),
    usage: Usage,
    ledger: Type.Array(LedgerEntry, { description: 'The 20 most recent credit movements.' }),
    payments: Type.Array(Payment, { description: 'The 20 most recent payments.' }),
    canManage: Type.Boolean({ description: 'True when there is a Stripe customer, so the customer portal can be opened.' }),
  },
  { additionalProperties: false },
);
export type Billing = Static<typeof Billing>;

export const CheckoutRequest = Type.Object(
  { plan: Type.String({ pattern: PLAN_ID_PATTERN, description: 'Id of a paid plan from `GET /api/v1/billing/plans`.' }) },
  { additionalProperties: false },
);
export type CheckoutRequest = Static<typeof CheckoutRequest>;

export const CHECKOUT_STATUSES = ['open', 'complete', 'expired'] as const;

export const CheckoutSession = Type.Object(
  {
    id: Type.String({ description: 'Stripe Checkout Session id.' }),
    planId: Type.String(),
    url: Type.String({ description: 'Send the person here to pay (Stripe-hosted checkout).' }),
    status: Type.Enum([...CHECKOUT_STATUSES], { description: '`complete` once Stripe’s webhook has confirmed the payment and the plan is active.' }),
    expiresAt: DateTime(),
    createdAt: DateTime(),
  },
  { additionalProperties: false },
);
export type CheckoutSession = Static<typeof CheckoutSession>;

export const PortalSession = Type.Object(
  { url: Type.String({ description: 'Stripe’s customer portal: change plan, cancel, payment methods, invoices.' }) },
  { additionalProperties: false },
);
export type PortalSession = Static<typeof PortalSession>;
