import { createHash, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'svix';
import { createStorageEmulator } from '@visiona/emulators/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// A test RSA-2048 key pair stands in for the Clerk instance's signing key.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const APP_ORIGIN = 'https://app.visiona.test';
const WEBHOOK_SECRET = `whsec_${Buffer.from('visiona-test-webhook-secret-0123').toString('base64')}`;

const b64url = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

function mintSessionToken(claims: Record<string, unknown>, key = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: 'ins_test' };
  const payload = {
    iss: 'https://clerk.visiona.test',
    sid: `sess_${randomUUID()}`,
    azp: APP_ORIGIN,
    iat: now - 5,
    nbf: now - 5,
    exp: now + 60,
    ...claims,
  };
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${b64url(signature)}`;
}

let t: TestApp;
let storage: Awaited<ReturnType<typeof createStorageEmulator>>;
let storageDir: string;
beforeAll(async () => {
  // Account deletion (user.deleted) lists and removes the person's objects.
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-clerk-storage-'));
  storage = await createStorageEmulator({ dataDir: storageDir, serviceKey: 'clerk-test-service-key' });
  await storage.listen({ host: '127.0.0.1', port: 0 });
  t = await createTestApp({
    env: {
      SUPABASE_URL: `http://127.0.0.1:${(storage.server.address() as { port: number }).port}`,
      SUPABASE_SERVICE_ROLE_KEY: 'clerk-test-service-key',
      WEB_ORIGIN: APP_ORIGIN,
      CLERK_SECRET_KEY: 'sk_test_visiona_offline',
      CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.visiona.test$').toString('base64')}`,
      CLERK_JWT_KEY: PEM.replaceAll('\n', '\\n'),
      CLERK_WEBHOOK_SIGNING_SECRET: WEBHOOK_SECRET,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await storage?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/me', headers });
const userId = () => `user_${randomUUID().replaceAll('-', '')}`;

describe('Clerk session tokens (networkless, CLERK_JWT_KEY)', () => {
  it('reports Clerk as the auth mode with the publishable key', async () => {
    const config = (await t.app.inject('/api/v1/config')).json();
    expect(config.authMode).toBe('clerk');
    expect(config.clerkPublishableKey).toMatch(/^pk_test_/);
  });

  it('accepts a valid token and creates the users row on the first request', async () => {
    const sub = userId();
    const token = mintSessionToken({ sub, email: 'Clerk.Person@Example.com' });
    const res = await me({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'clerk.person@example.com', plan: 'free', authMode: 'clerk', creditBalance: 150 });
    const again = await me({ authorization: `Bearer ${token}` });
    expect(again.json().id).toBe(res.json().id);
    const rows = await t.database.db.query('select 1 from users where auth_subject = $1', [sub]);
    expect(rows.rowCount).toBe(1);
  });

  it('refuses an expired token, a wrong azp, a bad signature and a cookie-only request with 401', async () => {
    const sub = userId();
    const now = Math.floor(Date.now() / 1000);
    const expired = mintSessionToken({ sub, email: 'x@example.com', iat: now - 600, nbf: now - 600, exp: now - 300 });
    const wrongParty = mintSessionToken({ sub, email: 'x@example.com', azp: 'https://evil.example' });
    const forged = mintSessionToken({ sub, email: 'x@example.com' }, other.privateKey);
    const valid = mintSessionToken({ sub, email: 'x@example.com' });
    for (const token of [expired, wrongParty, forged]) {
      expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
    }
    expect((await me({ cookie: `__session=${valid}` })).statusCode).toBe(401);
    const created = await t.database.db.query('select 1 from users where auth_subject = $1', [sub]);
    expect(created.rowCount).toBe(0);
  });

  it('turns local accounts off', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: 'local@example.com', password: 'correct horse battery' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/Clerk/);
  });

  it('API tokens work in Clerk mode too', async () => {
    const auth = { authorization: `Bearer ${mintSessionToken({ sub: userId(), email: `t.${Date.now()}@example.com` })}` };
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth, payload: { name: 'cli', scopes: ['read'] } });
    expect(created.statusCode).toBe(201);
    expect((await me({ authorization: `Bearer ${created.json().token}` })).statusCode).toBe(200);
  });
});

describe('POST /api/v1/webhooks/clerk', () => {
  const wh = new Webhook(WEBHOOK_SECRET);
  function signed(payload: object, opts: { id?: string; at?: Date; secret?: string } = {}) {
    const id = opts.id ?? `msg_${randomUUID()}`;
    const at = opts.at ?? new Date();
    const body = JSON.stringify(payload);
    const signature = new Webhook(opts.secret ?? WEBHOOK_SECRET).sign(id, at, body);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': signature,
      },
    };
  }
  const send = (req: { body: string; headers: Record<string, string> }) =>
    t.app.inject({ method: 'POST', url: '/api/v1/webhooks/clerk', payload: req.body, headers: req.headers });
  const userEvent = (type: string, sub: string, email?: string) => ({
    type,
    object: 'event',
    data: email
      ? { id: sub, object: 'user', primary_email_address_id: 'idn_1', email_addresses: [{ id: 'idn_1', email_address: email }] }
      : { id: sub, object: 'user', deleted: true },
  });

  it('creates and updates users, once per event id', async () => {
    const sub = userId();
    const created = signed(userEvent('user.created', sub, 'hook@example.com'));
    expect((await send(created)).json()).toEqual({ received: true, outcome: 'processed' });
    expect((await send(created)).json()).toEqual({ received: true, outcome: 'duplicate' });
    expect((await send(signed(userEvent('user.updated', sub, 'hook.new@example.com')))).statusCode).toBe(200);
    const row = await t.database.db.query<{ email: string }>('select email from users where auth_subject = $1', [sub]);
    expect(row.rows[0]!.email).toBe('hook.new@example.com');
    expect(wh).toBeDefined();
  });

  it('processes the same event delivered twice at once exactly once', async () => {
    const sub = userId();
    const created = signed(userEvent('user.created', sub, `twice.${Date.now()}@example.com`));
    const results = await Promise.all([send(created), send(created)]);
    expect(results.map((r) => r.json().outcome).sort()).toEqual(['duplicate', 'processed']);
    const audit = await t.database.db.query('select 1 from audit_logs where owner_subject = $1 and action = $2', [sub, 'account.created']);
    expect(audit.rowCount).toBe(1);
  });

  it('user.deleted removes the account, and neither a late event nor a live token brings it back', async () => {
    const sub = userId();
    const email = `gone.${Date.now()}@example.com`;
    const token = mintSessionToken({ sub, email });
    expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    const { rows } = await t.database.db.query<{ id: string }>('select id from users where auth_subject = $1', [sub]);
    await t.app.storage.ensureBucket();
    await t.app.storage.upload(`users/${rows[0]!.id}/photos/left-behind.jpg`, Buffer.from('not really a photo'), 'image/jpeg');
    expect((await send(signed(userEvent('user.deleted', sub)))).json().outcome).toBe('processed');
    // Closed at once: the still-valid token no longer works, even before the deletion job ran.
    expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
    // The tombstone keeps a hash of the subject, not the subject.
    expect((await t.database.db.query('select 1 from deleted_subjects where subject_sha256 = $1', [createHash('sha256').update(sub).digest('hex')])).rowCount).toBe(1);
    expect((await t.database.db.query('select 1 from deleted_subjects where subject_sha256 = $1', [sub])).rowCount).toBe(0);
    // The same deletion job as DELETE /api/v1/me, which does not call Clerk back (the user is gone there).
    expect(await t.app.jobs.drain()).toBeGreaterThan(0);
    expect((await t.database.db.query(`select 1 from jobs where name = 'account.delete'`)).rowCount).toBe(0);
    expect(await t.app.storage.listTree(`users/${rows[0]!.id}`)).toEqual([]);
    expect((await t.database.db.query('select 1 from users where auth_subject = $1', [sub])).rowCount).toBe(0);
    expect((await send(signed(userEvent('user.updated', sub, email)))).json().outcome).toBe('ignored');
    expect((await t.database.db.query('select 1 from users where auth_subject = $1', [sub])).rowCount).toBe(0);
    expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
  });

  it('refuses a changed byte, an old timestamp, a wrong secret and missing headers with 400', async () => {
    const sub = userId();
    const good = signed(userEvent('user.created', sub, 'tamper@example.com'));
    const changed = { ...good, body: good.body.replace('tamper@', 'tamper2@') };
    const old = signed(userEvent('user.created', sub, 'tamper@example.com'), { at: new Date(Date.now() - 10 * 60_000) });
    const wrong = signed(userEvent('user.created', sub, 'tamper@example.com'), {
      secret: `whsec_${Buffer.from('another-secret-another-secret-00').toString('base64')}`,
    });
    const missing = { body: good.body, headers: { 'content-type': 'application/json', 'svix-id': 'msg_1' } };
    for (const req of [changed, old, wrong, missing]) {
      const res = await send(req);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('invalid_signature');
    }
    expect((await t.database.db.query('select 1 from users where auth_subject = $1', [sub])).rowCount).toBe(0);
  });

  it('accepts large payloads (10 MB)', async () => {
    const sub = userId();
    const big = { ...userEvent('user.created', sub, `big.${Date.now()}@example.com`), padding: 'x'.repeat(10 * 1024 * 1024) };
    const res = await send(signed(big));
    expect(res.statusCode).toBe(200);
  });

  it('ignores a signed user event whose email addresses are malformed, with no 500 and no user', async () => {
    const sub = userId();
    const malformed = [{ 'idn_1': 'a@example.com' }, 'a@example.com', [null, 7], [{ id: 'idn_1', email_address: { value: 'a@example.com' } }]];
    for (const email_addresses of malformed) {
      const res = await send(signed({ type: 'user.created', object: 'event', data: { id: sub, primary_email_address_id: 'idn_1', email_addresses } }));
      expect(res.statusCode, JSON.stringify(email_addresses)).toBe(200);
      expect(res.json().outcome).toBe('ignored');
    }
    expect((await t.database.db.query('select 1 from users where auth_subject = $1', [sub])).rowCount).toBe(0);
  });
});

describe('first requests racing', () => {
  it('creates one users row when a new Clerk user sends several requests at once', async () => {
    const sub = userId();
    const token = mintSessionToken({ sub, email: `race.${Date.now()}@example.com` });
    const results = await Promise.all(Array.from({ length: 5 }, () => me({ authorization: `Bearer ${token}` })));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
  });
});
