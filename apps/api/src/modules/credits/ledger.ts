import type { Queryable } from '../../db/index.ts';
import { PaymentRequired, sqlState } from '../../lib/errors.ts';

/**
 * Credits move only through the append-only `credit_ledger`; a trigger keeps
 * `credit_balances` in step and its check keeps every balance ≥ 0.
 */
export type SpendReason = 'training' | 'generation';

/**
 * Spends the caller's credits inside their request transaction (app role, claims
 * bound). Atomic: when the balance does not cover it, nothing is written and a 402
 * is thrown, however many requests race. Returns the balance left.
 */
export async function spendCredits(tx: Queryable, amount: number, reason: SpendReason, reference: string, what: string): Promise<number> {
  if (amount === 0) return currentBalance(tx);
  try {
    const { rows } = await tx.query<{ balance: number }>('select spend_credits($1, $2, $3) as balance', [amount, reason, reference]);
    return rows[0]!.balance;
  } catch (err) {
    if (sqlState(err) === '23514') {
      throw new PaymentRequired(`Not enough credits: ${what} costs ${amount} credits. Buy more credits on the billing page.`);
    }
    throw err;
  }
}

async function currentBalance(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ balance: number }>(
    "select coalesce((select balance from credit_balances where owner_subject = (select auth.jwt() ->> 'sub')), 0) as balance",
  );
  return rows[0]?.balance ?? 0;
}

/**
 * Adds credits (a grant or a refund) on the privileged connection. Keyed by
 * (reason, reference): a second call with the same key does nothing and returns false.
 */
export async function grantCredits(tx: Queryable, subject: string, amount: number, reason: string, reference: string): Promise<boolean> {
  if (amount <= 0) return false;
  const { rowCount } = await tx.query(
    `insert into credit_ledger (owner_subject, delta, reason, reference) values ($1, $2, $3, $4)
     on conflict (reason, reference) do nothing`,
    [subject, amount, reason, reference],
  );
  return rowCount === 1;
}

/** The free plan's starting credits, once per account. */
export function grantSignupCredits(tx: Queryable, subject: string, amount: number): Promise<boolean> {
  return grantCredits(tx, subject, amount, 'signup', subject);
}
