import type { Billing, CheckoutSession } from '@visiona/shared';
import { signUp } from '../helpers/app.ts';
import { apiCall, eventually, type ServicesHarness } from '../helpers/services.ts';

export const call = <T = Record<string, unknown>>(h: ServicesHarness, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  apiCall<T>(h.baseUrl, token, method, path, body, headers);

export const billing = async (h: ServicesHarness, token: string) => (await call<Billing>(h, token, 'GET', '/api/v1/billing')).body;

/** Starts a checkout for `plan` and pays it in the Stripe emulator (as the hosted page's Pay button does). */
export async function pay(h: ServicesHarness, token: string, plan = 'premium'): Promise<CheckoutSession> {
  const res = await call<CheckoutSession>(h, token, 'POST', '/api/v1/billing/checkout', { plan });
  if (res.status !== 200) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
  await h.stripeEmu.control.pay(res.body.id);
  return res.body;
}

/** Waits until the checkout's webhook has landed. */
export const checkoutComplete = (h: ServicesHarness, token: string, id: string) =>
  eventually(async () => {
    const { body } = await call<CheckoutSession>(h, token, 'GET', `/api/v1/billing/checkout/${id}`);
    return body.status === 'complete' ? body : undefined;
  }, 15_000, `checkout ${id} to complete`);

/** A new user who has paid for `plan`, with the webhook applied. */
export async function subscriber(h: ServicesHarness, plan = 'premium') {
  const user = await signUp(h.app);
  const session = await pay(h, user.token, plan);
  await checkoutComplete(h, user.token, session.id);
  const state = await billing(h, user.token);
  return { ...user, session, subscriptionId: state.subscription!.id };
}

export async function ledgerSum(h: ServicesHarness, userId: string): Promise<{ sum: number; balance: number; grants: number }> {
  const { rows } = await h.database.db.query<{ sum: number; balance: number; grants: number }>(
    `select coalesce(sum(l.delta), 0)::int as sum,
            coalesce((select b.balance from credit_balances b where b.owner_subject = u.auth_subject), 0)::int as balance,
            count(*) filter (where l.reason = 'subscription')::int as grants
       from users u left join credit_ledger l on l.owner_subject = u.auth_subject where u.id = $1 group by u.auth_subject`,
    [userId],
  );
  return rows[0]!;
}

export async function auditActions(h: ServicesHarness, userId: string): Promise<string[]> {
  const { rows } = await h.database.db.query<{ action: string }>(
    'select a.action from audit_logs a join users u on u.auth_subject = a.owner_subject where u.id = $1 order by a.created_at, a.id',
    [userId],
  );
  return rows.map((r) => r.action);
}
