import { Type } from 'typebox';
import { Billing, CheckoutRequest, CheckoutSession, PlanList, PortalSession } from '@visiona/shared';
import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { BillingService } from './service.ts';

const CheckoutHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Send the same key when you retry: the same checkout session comes back.' })),
});

const SessionParams = Type.Object({ id: Type.String({ pattern: '^cs_[A-Za-z0-9_]{1,250}$', description: 'Stripe Checkout Session id (`cs_…`).' }) });

const origin = (h: string | string[] | undefined) => (typeof h === 'string' ? h : undefined);

export default async function billingRoutes(app: App, opts: { billing: BillingService }) {
  app.get(
    '/api/v1/billing/plans',
    {
      config: { public: true },
      schema: {
        tags: ['billing'],
        operationId: 'listPlans',
        summary: 'The plans, what each allows and costs, and what training and images cost in credits. Public.',
        response: withErrors({ 200: PlanList }),
      },
    },
    async () => opts.billing.plans(),
  );

  app.get(
    '/api/v1/billing',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getBilling',
        summary: 'Your plan and its limits, subscription (status, renewal, cancel at period end), credit balance, usage, recent credit movements and payments.',
        security: requireScope('read'),
        response: withErrors({ 200: Billing }),
      },
    },
    async (request) => opts.billing.get(request.user!),
  );

  app.post(
    '/api/v1/billing/checkout',
    {
      schema: {
        tags: ['billing'],
        operationId: 'createCheckoutSession',
        summary: 'Start a subscription: answers with the URL of Stripe’s hosted checkout for a paid plan.',
        description:
          'Send the person to `url`. Once they pay, Stripe’s webhook activates the plan and grants its credits; poll `GET /api/v1/billing/checkout/{id}` until `status` is `complete`. ' +
          'Errors: 400 unknown plan, 409 `already_subscribed` (use the portal to change plans), 503 Stripe unreachable.',
        security: requireScope('billing'),
        headers: CheckoutHeaders,
        body: CheckoutRequest,
        response: withErrors({ 200: CheckoutSession }),
      },
    },
    async (request) => {
      const key = request.headers['idempotency-key'];
      return opts.billing.checkout(request.user!, request.body.plan, typeof key === 'string' ? key : null, origin(request.headers.origin));
    },
  );

  app.get(
    '/api/v1/billing/checkout/:id',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getCheckoutSession',
        summary: 'One of your checkout sessions: `complete` once Stripe has confirmed the payment and the plan is active.',
        security: requireScope('read'),
        params: SessionParams,
        response: withErrors({ 200: CheckoutSession }),
      },
    },
    async (request) => opts.billing.checkoutSession(request.user!, request.params.id),
  );

  app.post(
    '/api/v1/billing/portal',
    {
      schema: {
        tags: ['billing'],
        operationId: 'createPortalSession',
        summary: 'The URL of Stripe’s customer portal: change plan, cancel, payment method, invoices.',
        description: 'Errors: 409 `no_billing_account` before the first checkout, 503 Stripe unreachable.',
        security: requireScope('billing'),
        response: withErrors({ 200: PortalSession }),
      },
    },
    async (request) => opts.billing.portal(request.user!, origin(request.headers.origin)),
  );
}
