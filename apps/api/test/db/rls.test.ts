import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClaims, type Database } from '../../src/db/index.ts';
import { sqlState } from '../../src/lib/errors.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const A = 'user_alice';
const B = 'user_bob';

let t: TestDatabase;
let db: Database;
const ids: Record<string, string> = {};

async function seedUser(subject: string) {
  await db.query('insert into users (auth_subject, email) values ($1, $2)', [subject, `${subject}@example.com`]);
  const model = await db.query<{ id: string }>(
    `insert into models (owner_subject, name, trigger_word, parameters) values ($1, 'me', 'TOK', '{}') returning id`,
    [subject],
  );
  const photo = await db.query<{ id: string }>(
    `insert into photos (owner_subject, storage_path, content_type, byte_size)
     values ($1, $1 || '/p1.jpg', 'image/jpeg', 10) returning id`,
    [subject],
  );
  const gen = await db.query<{ id: string }>(
    `insert into generations (owner_subject, model_id, prompt) values ($1, $2, 'a portrait of TOK') returning id`,
    [subject, model.rows[0]!.id],
  );
  const pay = await db.query<{ id: string }>(
    `insert into payments (owner_subject, stripe_id, amount_cents, currency, status)
     values ($1, 'in_' || $1, 900, 'usd', 'paid') returning id`,
    [subject],
  );
  const audit = await db.query<{ id: string }>(
    `insert into audit_logs (owner_subject, action) values ($1, 'account.created') returning id`,
    [subject],
  );
  ids[`${subject}:models`] = model.rows[0]!.id;
  ids[`${subject}:photos`] = photo.rows[0]!.id;
  ids[`${subject}:generations`] = gen.rows[0]!.id;
  ids[`${subject}:payments`] = pay.rows[0]!.id;
  ids[`${subject}:audit_logs`] = audit.rows[0]!.id;
}

const asUser = <T>(sub: string, fn: Parameters<typeof withClaims<T>>[2]) => withClaims(db, { sub }, fn);

async function expectDenied(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the database to refuse').not.toBeNull();
  expect(sqlState(err)).toBe('42501'); // insufficient_privilege / RLS violation
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  await seedUser(A);
  await seedUser(B);
});
afterAll(async () => t?.close());

describe(`row-level security (${process.env.DATABASE_URL ? 'postgres server' : 'pglite'})`, () => {
  it('users cannot write a training\'s status, a photo\'s bytes path, credits or jobs', async () => {
    const model = ids[`${A}:models`];
    await expectDenied(asUser(A, (tx) => tx.query(`update models set status = 'Ready' where id = $1`, [model])));
    await expectDenied(asUser(A, (tx) => tx.query(`update models set credits_cost = 0 where id = $1`, [model])));
    await expectDenied(asUser(A, (tx) => tx.query(`update photos set storage_path = 'x' where id = $1`, [ids[`${A}:photos`]])));
    await expectDenied(asUser(A, (tx) => tx.query(`insert into credit_ledger (owner_subject, delta, reason, reference) values ($1, 1000, 'gift', 'x')`, [A])));
    await expectDenied(asUser(A, (tx) => tx.query(`update credit_balances set balance = 1000000`)));
    await expectDenied(asUser(A, (tx) => tx.query(`insert into jobs (name, payload) values ('training.purge', '{}')`)));
    // spend_credits only spends, only the caller's credits, only for our reasons.
    for (const [amount, reason] of [[-500, 'training'], [0, 'training'], [10, 'gift']] as const) {
      const err = await asUser(A, (tx) => tx.query('select spend_credits($1, $2, $3)', [amount, reason, `r-${amount}-${reason}`])).catch((e: unknown) => e);
      expect(sqlState(err)).toBe('22023');
    }
    // enqueue_training_job only for the caller's own models.
    const err = await asUser(B, (tx) => tx.query('select enqueue_training_job($1, $2)', ['training.cancel', model])).catch((e: unknown) => e);
    expect(sqlState(err)).toBe('22023');
  });

  it('users cannot give themselves a subscription, a payment, a completed checkout or someone else\'s Stripe customer', async () => {
    await expectDenied(
      asUser(A, (tx) =>
        tx.query(`insert into subscriptions (id, owner_subject, stripe_customer_id, plan, price_id, status, created_at) values ('sub_x', $1, 'cus_x', 'pro', 'price_x', 'active', now())`, [A]),
      ),
    );
    await expectDenied(asUser(A, (tx) => tx.query(`update payments set status = 'paid', amount_cents = 0`)));
    await expectDenied(
      asUser(A, (tx) => tx.query(`insert into checkout_sessions (id, owner_subject, plan, url, status, expires_at) values ('cs_x', $1, 'pro', 'u', 'complete', now())`, [A])),
    );
    const open = await asUser(A, (tx) =>
      tx.query(`insert into checkout_sessions (id, owner_subject, plan, url, expires_at) values ('cs_open', $1, 'pro', 'u', now() + interval '1 day')`, [A]),
    );
    expect(open.rowCount).toBe(1);
    await expectDenied(asUser(A, (tx) => tx.query(`update checkout_sessions set status = 'complete' where id = 'cs_open'`)));
    await expectDenied(asUser(B, (tx) => tx.query(`insert into billing_customers (owner_subject, stripe_customer_id) values ($1, 'cus_bob')`, [A])));
    await db.query(`insert into billing_customers (owner_subject, stripe_customer_id) values ($1, 'cus_alice')`, [A]);
    await expectDenied(asUser(A, (tx) => tx.query(`update billing_customers set stripe_customer_id = 'cus_other'`)));
    expect((await asUser(B, (tx) => tx.query('select * from billing_customers'))).rowCount).toBe(0);
    expect((await asUser(B, (tx) => tx.query('select * from checkout_sessions'))).rowCount).toBe(0);
  });

  it('enables RLS on every table in the public schema', async () => {
    const { rows } = await db.query<{ relname: string; relrowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
  });

  it('indexes every column a policy compares', async () => {
    const { rows } = await db.query<{ tablename: string }>(
      `select p.tablename from pg_policies p where p.schemaname = 'public'
          and not exists (
            select 1 from pg_indexes i where i.schemaname = 'public' and i.tablename = p.tablename
              and (i.indexdef like '%(owner_subject%' or i.indexdef like '%(auth_subject%'))`,
    );
    expect(rows).toEqual([]);
  });

  for (const table of ['photos', 'models', 'generations', 'payments', 'audit_logs']) {
    it(`${table}: the owner sees their row; another user reads, changes and deletes nothing`, async () => {
      const aId = ids[`${A}:${table}`];
      const own = await asUser(A, (tx) => tx.query(`select id from ${table}`));
      expect(own.rows.map((r) => r.id)).toEqual([aId]);

      const read = await asUser(B, (tx) => tx.query(`select id from ${table} where id = $1`, [aId]));
      expect(read.rowCount).toBe(0);

      // Tables the app role may write: 0 rows touched. Others: refused outright.
      if (['photos', 'models', 'generations'].includes(table)) {
        const writable: Record<string, string> = { photos: 'model_id = null', models: 'name = name' };
        if (writable[table]) {
          const upd = await asUser(B, (tx) => tx.query(`update ${table} set ${writable[table]} where id = $1`, [aId]));
          expect(upd.rowCount).toBe(0);
        } else {
          // Nothing in a generation is the person's to change: status and outputs come from Replicate.
          await expectDenied(asUser(B, (tx) => tx.query(`update ${table} set prompt = 'x' where id = $1`, [aId])));
        }
        const del = await asUser(B, (tx) => tx.query(`delete from ${table} where id = $1`, [aId]));
        expect(del.rowCount).toBe(0);
      } else {
        await expectDenied(asUser(B, (tx) => tx.query(`update ${table} set created_at = now() where id = $1`, [aId])));
        await expectDenied(asUser(B, (tx) => tx.query(`delete from ${table} where id = $1`, [aId])));
      }
      const still = await db.query(`select id from ${table} where id = $1`, [aId]);
      expect(still.rowCount).toBe(1);
    });
  }

  it('refuses an insert that claims another user as owner, in every owned table', async () => {
    const modelA = ids[`${A}:models`];
    await expectDenied(
      asUser(B, (tx) =>
        tx.query(`insert into photos (owner_subject, storage_path, content_type, byte_size) values ($1, 'x', 'image/png', 1)`, [A]),
      ),
    );
    await expectDenied(
      asUser(B, (tx) =>
        tx.query(`insert into models (owner_subject, name, trigger_word, parameters) values ($1, 'n', 'T', '{}')`, [A]),
      ),
    );
    await expectDenied(
      asUser(B, (tx) => tx.query(`insert into generations (owner_subject, model_id, prompt) values ($1, $2, 'p')`, [A, modelA])),
    );
    await expectDenied(
      asUser(B, (tx) => tx.query(`insert into audit_logs (owner_subject, action) values ($1, 'forged')`, [A])),
    );
    await expectDenied(
      asUser(B, (tx) =>
        tx.query(`insert into payments (owner_subject, stripe_id, amount_cents, currency, status) values ($1, 'x', 1, 'usd', 'paid')`, [A]),
      ),
    );
  });

  it('refuses moving a row to another owner', async () => {
    await expectDenied(
      asUser(B, (tx) => tx.query('update models set owner_subject = $1 where id = $2', [A, ids[`${B}:models`]])),
    );
  });

  it('lets a user see only their own users row, and never change their plan', async () => {
    const seen = await asUser(B, (tx) => tx.query<{ auth_subject: string }>('select auth_subject from users'));
    expect(seen.rows.map((r) => r.auth_subject)).toEqual([B]);
    await expectDenied(asUser(B, (tx) => tx.query(`update users set plan = 'premium' where auth_subject = $1`, [B])));
  });

  it('keeps the audit log append-only for the app role', async () => {
    const own = ids[`${A}:audit_logs`];
    await expectDenied(asUser(A, (tx) => tx.query(`update audit_logs set action = 'x' where id = $1`, [own])));
    await expectDenied(asUser(A, (tx) => tx.query('delete from audit_logs where id = $1', [own])));
    const ok = await asUser(A, (tx) => tx.query(`insert into audit_logs (owner_subject, action) values ($1, 'ok')`, [A]));
    expect(ok.rowCount).toBe(1);
  });

  it('gives the app role no access to credentials, sessions or migrations', async () => {
    for (const table of ['local_credentials', 'sessions', 'schema_migrations']) {
      await expectDenied(asUser(A, (tx) => tx.query(`select * from ${table}`)));
    }
  });

  it('sees nothing without claims', async () => {
    const { rows } = await db.transaction(async (tx) => {
      await tx.query("select set_config('role', 'authenticated', true)");
      return tx.query('select id from models');
    });
    expect(rows).toEqual([]);
  });
});

describe('queryAsUser: one statement, one round trip', () => {
  it('applies the same policies as a user transaction', async () => {
    const own = await db.queryAsUser<{ id: string }>({ sub: A }, 'select id from models');
    expect(own.rows.map((r) => r.id)).toEqual([ids[`${A}:models`]]);
    const other = await db.queryAsUser({ sub: B }, 'select id from models where id = $1', [ids[`${A}:models`]]);
    expect(other.rowCount).toBe(0);
    const upd = await db.queryAsUser({ sub: B }, 'update models set name = $1 where id = $2', ['stolen', ids[`${A}:models`]]);
    expect(upd.rowCount).toBe(0);
    await expectDenied(db.queryAsUser({ sub: B }, `insert into audit_logs (owner_subject, action) values ($1, 'forged')`, [A]));
  });

  it('treats parameters as data, never as SQL', async () => {
    const evil = `x'); delete from models; --`;
    const res = await db.queryAsUser<{ name: string }>({ sub: A }, 'select $1::text as name', [evil]);
    expect(res.rows[0]!.name).toBe(evil);
    const backslash = await db.queryAsUser<{ name: string }>({ sub: A }, 'select $1::text as name', ["a\\'b"]);
    expect(backslash.rows[0]!.name).toBe("a\\'b");
    const arr = await db.queryAsUser<{ a: string[] }>({ sub: A }, 'select $1::text[] as a', [['read', 'we"ird', "o'k", 'back\\slash']]);
    expect(arr.rows[0]!.a).toEqual(['read', 'we"ird', "o'k", 'back\\slash']);
    expect((await db.query('select 1 from models')).rowCount).toBe(2);
  });

  it('cannot be talked out of its claims by a forged subject in the parameters', async () => {
    const res = await db.queryAsUser({ sub: B }, 'select id from models where owner_subject = $1', [A]);
    expect(res.rowCount).toBe(0);
  });
});

describe('claims are transaction-local', () => {
  it('a query after a user-scoped transaction, on a pool of one, runs with no claims and the owner role', async () => {
    const single = await createTestDatabase({ poolMax: 1 });
    try {
      await single.db.query('insert into users (auth_subject, email) values ($1, $2)', [A, 'a@example.com']);
      const inside = await withClaims(single.db, { sub: A }, (tx) =>
        tx.query<{ role: string; claims: string }>(
          "select current_user as role, current_setting('request.jwt.claims', true) as claims",
        ),
      );
      expect(inside.rows[0]).toEqual({ role: 'authenticated', claims: JSON.stringify({ sub: A }) });

      const after = await single.db.query<{ role: string; claims: string | null }>(
        "select current_user as role, current_setting('request.jwt.claims', true) as claims",
      );
      expect(after.rows[0]!.role).not.toBe('authenticated');
      expect(after.rows[0]!.claims ?? '').toBe('');

      // Nor does the single round trip of queryAsUser.
      await single.db.queryAsUser({ sub: A }, 'select 1');
      const afterOne = await single.db.query<{ role: string; claims: string | null }>(
        "select current_user as role, current_setting('request.jwt.claims', true) as claims",
      );
      expect(afterOne.rows[0]!.role).not.toBe('authenticated');
      expect(afterOne.rows[0]!.claims ?? '').toBe('');

      // And a failed user transaction leaves nothing behind either.
      await expect(
        withClaims(single.db, { sub: A }, async (tx) => {
          await tx.query('select 1');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const afterFailure = await single.db.query<{ role: string; claims: string | null }>(
        "select current_user as role, current_setting('request.jwt.claims', true) as claims",
      );
      expect(afterFailure.rows[0]!.role).not.toBe('authenticated');
      expect(afterFailure.rows[0]!.claims ?? '').toBe('');
    } finally {
      await single.close();
    }
  });
});
