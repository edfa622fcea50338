import { randomBytes } from 'node:crypto';
import type { Generation, Model } from '@visiona/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_DELETE_JOB } from '../../src/modules/account/deletion.ts';
import { rewrapColumns } from '../../src/modules/account/key-rotation.ts';
import { ownerOfCustomer } from '../../src/modules/billing/fulfilment.ts';
import { createColumnCipher } from '../../src/lib/column-cipher.ts';
import { checkoutComplete, pay } from '../billing/helpers.ts';
import { call, userWithReadyModel, waitForGeneration } from '../generations/helpers.ts';
import { createServicesHarness, eventually, GENEROUS_PLANS, photoFixture, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';

const KEY_1 = { id: 'k1', key: randomBytes(32) };
let h: ServicesHarness;
beforeAll(async () => {
  h = await createServicesHarness({
    env: { BILLING_PLANS: JSON.stringify(GENEROUS_PLANS), ENCRYPTION_KEYS: `${KEY_1.id}:${KEY_1.key.toString('base64')}` },
    speed: 20,
  });
}, 60_000);
afterAll(async () => h?.close());

/** Every row of every table in the public schema whose text mentions any of `needles`. */
async function rowsMentioning(needles: string[]): Promise<{ table: string; row: string }[]> {
  const db = h.database.db;
  const { rows: tables } = await db.query<{ name: string }>(
    `select quote_ident(table_name) as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  expect(tables.length).toBeGreaterThan(10);
  const found: { table: string; row: string }[] = [];
  for (const t of tables) {
    const { rows } = await db.query<{ row: string }>(`select row_to_json(t)::text as row from ${t.name} t where ${needles.map((_, i) => `position($${i + 1} in lower(row_to_json(t)::text)) > 0`).join(' or ')}`, needles.map((n) => n.toLowerCase()));
    for (const r of rows) found.push({ table: t.name, row: r.row });
  }
  return found;
}

const pendingDeletionJobs = async () =>
  (await h.database.db.query<{ status: string; last_error: string | null }>('select status, last_error from jobs where name = $1', [ACCOUNT_DELETE_JOB])).rows;

describe('account deletion', () => {
  it('removes every row, every stored object, the Replicate models and the subscription; the rerun succeeds; others keep everything', async () => {
    const other = await userWithReadyModel(h);
    const person = await userWithReadyModel(h);
    const { rows: users } = await h.database.db.query<{ auth_subject: string }>('select auth_subject from users where id = $1', [person.user.id]);
    const subject = users[0]!.auth_subject;

    // Premium through Stripe, a stored generation, a personal token and a second model still training.
    const session = await pay(h, person.token);
    await checkoutComplete(h, person.token, session.id);
    const gen = await call<Generation>(h, person.token, 'POST', '/api/v1/generations', { modelId: person.model.id, prompt: 'ZXQ_ME in a garden', options: { numImages: 2 } });
    expect(gen.status).toBe(202);
    await waitForGeneration(h, person.token, gen.body.id, 'Succeeded');
    const otherGen = await call<Generation>(h, other.token, 'POST', '/api/v1/generations', { modelId: other.model.id, prompt: 'ZXQ_ME at sea' });
    await waitForGeneration(h, other.token, otherGen.body.id, 'Succeeded');
    const token = await call<{ token: string }>(h, person.token, 'POST', '/api/v1/tokens', { name: 'script', scopes: ['read', 'account'] });
    const readOnly = await call<{ token: string }>(h, person.token, 'POST', '/api/v1/tokens', { name: 'read only', scopes: ['read'] });
    const photos = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `again-${i}.jpg`, data: await photoFixture(i + 400) })));
    expect((await uploadPhotos(h.baseUrl, person.token, photos)).status).toBe(201);
    // Slow enough that the second training is still running when the account goes.
    h.replicateEmu.faults.setSpeed(1);
    const training = await call<Model>(h, person.token, 'POST', '/api/v1/models', { name: 'Second', triggerWord: 'ZXQ_TWO', parameters: { steps: 1000 } });
    expect(training.status).toBe(201);
    const running = await eventually(async () => {
      const { rows } = await h.database.db.query<{ training_id: string | null; replicate_model: string | null }>('select training_id, replicate_model from models where id = $1', [training.body.id]);
      return rows[0]?.training_id ? rows[0] : undefined;
    }, 30_000, 'the second training to start on Replicate');

    const { rows: customers } = await h.database.db.query<{ stripe_customer_id: string }>('select stripe_customer_id from billing_customers where owner_subject = $1', [subject]);
    const customerId = createColumnCipher([KEY_1]).decrypt(customers[0]!.stripe_customer_id);
    const cipher = createColumnCipher([KEY_1]);
    const models = (await h.database.db.query<{ id: string; replicate_model: string }>('select id, replicate_model from models where owner_subject = $1 and replicate_model is not null', [subject])).rows.map(
      (m) => ({ id: m.id, replicate_model: cipher.decrypt(m.replicate_model) }),
    );
    expect(models).toHaveLength(2);
    const { rows: payments } = await h.database.db.query<{ id: string }>('select id from payments where owner_subject = $1', [subject]);
    expect(payments).toHaveLength(1);
    expect((await h.app.storage.listTree(`users/${person.user.id}`)).length).toBeGreaterThan(2);

    // A wrong confirmation or a token without the `account` scope deletes nothing.
    const wrong = await call<{ code: string; message: string }>(h, person.token, 'DELETE', '/api/v1/me', { confirm: 'someone@else.example' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('confirmation_mismatch');
    expect(wrong.body.message).toContain(person.user.email);
    expect((await call(h, person.token, 'DELETE', '/api/v1/me', {})).status).toBe(400);
    expect((await call(h, readOnly.body.token, 'DELETE', '/api/v1/me', { confirm: person.user.email })).status).toBe(403);
    expect((await call(h, person.token, 'GET', '/api/v1/me')).status).toBe(200);

    // Deleted with the API token, the email typed in another case.
    const deleted = await call<{ status: string; message: string }>(h, token.body.token, 'DELETE', '/api/v1/me', { confirm: ` ${person.user.email.toUpperCase()} ` });
    expect(deleted.status).toBe(202);
    expect(deleted.body.status).toBe('deleting');
    // Closed at once: the session, every token and the password stop working.
    for (const t of [person.token, token.body.token, readOnly.body.token]) expect((await call(h, t, 'GET', '/api/v1/me')).status).toBe(401);
    const signIn = await fetch(`${h.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: person.user.email, password: 'correct horse battery' }),
    });
    expect(signIn.status).toBe(401);

    await eventually(async () => (await pendingDeletionJobs()).length === 0, 30_000, 'the deletion job to finish');

    // No table holds anything of the person: not the subject, id, email, Stripe customer or a model.
    const needles = [subject, person.user.id, person.user.email, customerId, ...models.map((m) => m.id), ...models.map((m) => m.replicate_model.split('/')[1]!)];
    expect(await rowsMentioning(needles)).toEqual([]);
    // The payment the law requires is kept, without its owner.
    const { rows: kept } = await h.database.db.query<{ owner_subject: string | null; amount_cents: string }>('select owner_subject, amount_cents from payments where id = $1', [payments[0]!.id]);
    expect(kept).toEqual([{ owner_subject: null, amount_cents: expect.anything() }]);
    // No object under the person's prefix.
    expect(await h.app.storage.listTree(`users/${person.user.id}`)).toEqual([]);
    // Replicate: both destination models gone, the running training canceled.
    for (const m of models) {
      const [owner, name] = m.replicate_model.split('/') as [string, string];
      await expect(h.replicateClient.models.get(owner, name)).rejects.toMatchObject({ response: { status: 404 } });
    }
    expect((await h.replicateClient.trainings.get(running.training_id!)).status).toBe('canceled');
    // Stripe: the subscription canceled, the customer deleted.
    const subs = await h.stripeClient.subscriptions.list({ customer: customerId, status: 'all' });
    expect(subs.data.map((s) => s.status)).toEqual(['canceled']);
    expect(await h.stripeClient.customers.retrieve(customerId)).toMatchObject({ id: customerId, deleted: true });

    // Running the job again succeeds and changes nothing.
    await h.database.db.transaction((tx) => h.app.jobs.enqueue(tx, ACCOUNT_DELETE_JOB, { subject, userId: person.user.id, source: 'api' }));
    await h.app.jobs.drain();
    expect(await pendingDeletionJobs()).toEqual([]);
    expect(await rowsMentioning([subject, person.user.id])).toEqual([]);

    // The other person keeps everything.
    expect((await call(h, other.token, 'GET', '/api/v1/me')).status).toBe(200);
    expect((await call<Generation>(h, other.token, 'GET', `/api/v1/generations/${otherGen.body.id}`)).body.status).toBe('Succeeded');
    expect((await h.app.storage.listTree(`users/${other.user.id}`)).length).toBeGreaterThan(0);
    const [oo, on] = cipher.decrypt((await h.database.db.query<{ replicate_model: string }>('select replicate_model from models where id = $1', [other.model.id])).rows[0]!.replicate_model).split('/') as [string, string];
    expect((await h.replicateClient.models.get(oo, on)).name).toBe(on);

    // The email can start a new, empty account.
    const again = await fetch(`${h.baseUrl}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: person.user.email, password: 'another horse battery' }),
    });
    expect(again.status).toBe(201);
  }, 120_000);

  it('a deletion that fails half-way (Stripe down) is retried until it completes', async () => {
    h.replicateEmu.faults.setSpeed(20);
    const person = await userWithReadyModel(h);
    const session = await pay(h, person.token);
    await checkoutComplete(h, person.token, session.id);
    const { rows } = await h.database.db.query<{ auth_subject: string }>('select auth_subject from users where id = $1', [person.user.id]);
    // Stripe answers 500 to everything until reset (the SDK's own retries included).
    h.stripeEmu.faults.failNextRequests(1_000_000, 500);
    expect((await call(h, person.token, 'DELETE', '/api/v1/me', { confirm: person.user.email })).status).toBe(202);
    // The first attempt fails at Stripe, after Replicate: the rows (and so the Stripe customer id) are still there.
    const failed = await eventually(async () => (await pendingDeletionJobs()).find((j) => j.last_error), 30_000, 'a failed first attempt');
    expect(failed.last_error).toMatch(/Stripe/);
    expect((await h.database.db.query('select 1 from users where id = $1', [person.user.id])).rowCount).toBe(1);
    // Stripe is back: the retry completes it.
    h.stripeEmu.faults.reset();
    await h.database.db.query(`update jobs set run_at = now() where name = $1`, [ACCOUNT_DELETE_JOB]);
    h.app.jobs.wake();
    await eventually(async () => (await pendingDeletionJobs()).length === 0, 30_000, 'the retried deletion to finish');
    expect(await rowsMentioning([rows[0]!.auth_subject, person.user.id, person.user.email])).toEqual([]);
    expect(await h.app.storage.listTree(`users/${person.user.id}`)).toEqual([]);
  }, 90_000);

  it('keeps Replicate model and version ids and Stripe customer ids encrypted at rest, and rotates keys', async () => {
    h.replicateEmu.faults.setSpeed(20);
    const person = await userWithReadyModel(h);
    const session = await pay(h, person.token);
    await checkoutComplete(h, person.token, session.id);
    const db = h.database.db;
    const { rows: [model] } = await db.query<{ replicate_model: string; replicate_version: string }>('select replicate_model, replicate_version from models where id = $1', [person.model.id]);
    const { rows: [customer] } = await db.query<{ owner_subject: string; stripe_customer_id: string; stripe_customer_index: string }>(
      'select c.owner_subject, c.stripe_customer_id, c.stripe_customer_index from billing_customers c join users u on u.auth_subject = c.owner_subject where u.id = $1',
      [person.user.id],
    );
    const { rows: [sub] } = await db.query<{ stripe_customer_id: string }>('select stripe_customer_id from subscriptions where owner_subject = $1', [customer!.owner_subject]);
    for (const v of [model!.replicate_model, model!.replicate_version, customer!.stripe_customer_id, sub!.stripe_customer_id]) expect(v).toMatch(/^enc:v1:k1:/);
    const k1 = createColumnCipher([KEY_1]);
    const customerId = k1.decrypt(customer!.stripe_customer_id);
    expect(customerId).toMatch(/^cus_/);
    expect(k1.decrypt(model!.replicate_model)).toMatch(/^visiona\/visiona-lora-/);
    expect(k1.decrypt(model!.replicate_version)).toMatch(/^visiona\/visiona-lora-.+:[0-9a-f]{64}$/);
    expect(JSON.stringify([model, customer, sub])).not.toContain(customerId);
    // The generation path decrypts the version: a generation succeeds.
    const gen = await call<Generation>(h, person.token, 'POST', '/api/v1/generations', { modelId: person.model.id, prompt: 'ZXQ_ME, encrypted' });
    await waitForGeneration(h, person.token, gen.body.id, 'Succeeded');

    // Rotation: a new key first, the old one still configured; the rewrap moves every value to the new key.
    const KEY_2 = { id: 'k2', key: randomBytes(32) };
    const rotating = createColumnCipher([KEY_2, KEY_1]);
    expect(await rewrapColumns(db, rotating)).toBeGreaterThanOrEqual(4);
    expect(await rewrapColumns(db, rotating)).toBe(0);
    const k2 = createColumnCipher([KEY_2]);
    const { rows: [after] } = await db.query<{ stripe_customer_id: string; replicate_version: string }>(
      'select c.stripe_customer_id, m.replicate_version from billing_customers c, models m where c.owner_subject = $1 and m.id = $2',
      [customer!.owner_subject, person.model.id],
    );
    expect(after!.stripe_customer_id).toMatch(/^enc:v1:k2:/);
    // With only the new key, everything still reads, and a webhook still finds its customer.
    expect(k2.decrypt(after!.stripe_customer_id)).toBe(customerId);
    expect(k2.decrypt(after!.replicate_version)).toBe(k1.decrypt(model!.replicate_version));
    expect(await ownerOfCustomer(db, k2, customerId)).toBe(customer!.owner_subject);
    expect(await ownerOfCustomer(db, createColumnCipher([{ id: 'k3', key: randomBytes(32) }]), customerId)).toBeNull();
    // Put k1 back for the app under test, which knows only k1.
    expect(await rewrapColumns(db, createColumnCipher([KEY_1, KEY_2]))).toBeGreaterThanOrEqual(4);
  }, 90_000);
});
