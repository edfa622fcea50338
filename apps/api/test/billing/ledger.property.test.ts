import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClaims, type Database } from '../../src/db/index.ts';
import { AppError, sqlState } from '../../src/lib/errors.ts';
import { grantCredits, spendCredits } from '../../src/modules/credits/ledger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let db: Database;
beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
});
afterAll(async () => t?.close());

type Op =
  | { kind: 'purchase'; invoice: number; amount: number }
  | { kind: 'spend'; amount: number; ref: number }
  | { kind: 'refund'; ref: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  // Few invoice ids, so the same invoice is often "paid" again (a replayed webhook).
  fc.record({ kind: fc.constant('purchase' as const), invoice: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ kind: fc.constant('spend' as const), amount: fc.integer({ min: 1, max: 600 }), ref: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ kind: fc.constant('refund' as const), ref: fc.integer({ min: 0, max: 12 }) }),
);

async function newUser(): Promise<string> {
  const subject = `prop_${randomUUID()}`;
  await db.query('insert into users (auth_subject, email) values ($1, $2)', [subject, `${subject}@example.com`]);
  return subject;
}

/** Applies one operation the way the product does; true when it changed the ledger. */
async function apply(subject: string, o: Op, spent: Map<number, number>): Promise<boolean> {
  switch (o.kind) {
    case 'purchase':
      return db.transaction((tx) => grantCredits(tx, subject, o.amount, 'subscription', `in_${subject}_${o.invoice}`));
    case 'spend':
      try {
        await withClaims(db, { sub: subject }, (tx) => spendCredits(tx, o.amount, 'generation', `gen_${subject}_${o.ref}`, 'A generation'));
        spent.set(o.ref, o.amount);
        return true;
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 402) return false;
        if (sqlState(err) === '23505') return false; // that generation was already charged
        throw err;
      }
    case 'refund': {
      const amount = spent.get(o.ref);
      if (amount === undefined) return false;
      return db.transaction((tx) => grantCredits(tx, subject, amount, 'generation_refund', `gen_${subject}_${o.ref}`));
    }
  }
}

async function state(subject: string) {
  const { rows } = await db.query<{ sum: number; balance: number }>(
    `select coalesce((select sum(delta) from credit_ledger where owner_subject = $1), 0)::int as sum,
            coalesce((select balance from credit_balances where owner_subject = $1), 0)::int as balance`,
    [subject],
  );
  return rows[0]!;
}

describe(`credits ledger, property-based (${process.env.DATABASE_URL ? 'postgres server' : 'pglite'})`, () => {
  it('random purchases (replayed too), spends and refunds keep balance = ledger sum ≥ 0, each key applied once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const subject = await newUser();
        const spent = new Map<number, number>();
        // The model: what the balance must be, applying each key at most once.
        let expected = 0;
        const invoices = new Set<number>();
        const refunded = new Set<number>();
        for (const o of ops) {
          const before = expected;
          if (o.kind === 'purchase' && !invoices.has(o.invoice)) expected += o.amount;
          if (o.kind === 'refund' && spent.has(o.ref) && !refunded.has(o.ref)) expected += spent.get(o.ref)!;
          const wouldSpend = o.kind === 'spend' && !spent.has(o.ref) && o.amount <= expected;
          if (wouldSpend) expected -= o.amount;
          const changed = await apply(subject, o, spent);
          expect(changed, JSON.stringify(o)).toBe(expected !== before);
          if (o.kind === 'purchase') invoices.add(o.invoice);
          if (o.kind === 'refund' && changed) refunded.add(o.ref);
          const s = await state(subject);
          expect(s.balance).toBe(expected);
          expect(s.sum).toBe(expected);
          expect(s.balance).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('the same random operations, all at once, still keep balance = ledger sum ≥ 0', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 25 }), async (ops) => {
        const subject = await newUser();
        const spent = new Map<number, number>();
        await Promise.all(ops.map((o) => apply(subject, o, spent)));
        const s = await state(subject);
        expect(s.balance).toBe(s.sum);
        expect(s.balance).toBeGreaterThanOrEqual(0);
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from credit_ledger where owner_subject = $1 group by reason, reference having count(*) > 1`,
          [subject],
        );
        expect(rows).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });

  it('nothing a user can run adds credits', async () => {
    const subject = await newUser();
    const refused = await withClaims(db, { sub: subject }, (tx) => tx.query('select spend_credits(-100, $1, $2)', ['generation', 'negative'])).catch((e: unknown) => e);
    expect(sqlState(refused)).toBe('22023');
    expect((await state(subject)).balance).toBe(0);
  });
});
