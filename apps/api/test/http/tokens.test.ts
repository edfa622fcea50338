import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/lib/clock.ts';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';

let now = new Date('2026-11-25T12:00:00Z');
const clock: Clock = { now: () => now };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t?.close());

async function createToken(auth: Record<string, string>, body: object) {
  return t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth, payload: body });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('personal API tokens', () => {
  it('creates a token shown once, lists it without the secret, and stores only its hash', async () => {
    const { auth } = await signUp(t.app);
    const res = await createToken(auth, { name: 'backup script', scopes: ['read', 'generate'] });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created.token).toMatch(/^vsk_[0-9A-Za-z]{38}$/);
    expect(created).toMatchObject({ name: 'backup script', scopes: ['read', 'generate'], lastUsedAt: null, expiresAt: null });
    expect(created.token.startsWith(created.prefix)).toBe(true);

    const list = await t.app.inject({ url: '/api/v1/tokens', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    expect(list.body).not.toContain(created.token);
    expect(Object.keys(list.json().items[0]).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'scopes'].sort(),
    );

    const stored = await t.database.db.query<{ token_hash: string }>('select token_hash from api_tokens where id = $1', [created.id]);
    expect(stored.rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = await t.database.db.query<{ dump: string }>(
      `select (select string_agg(t::text, ',') from api_tokens t) || (select string_agg(a::text, ',') from audit_logs a) as dump`,
    );
    expect(everything.rows[0]!.dump).not.toContain(created.token);
  });

  it('authenticates a curl-style call, records last use, and enforces scopes with 403', async () => {
    const { auth, user } = await signUp(t.app);
    const { token } = (await createToken(auth, { name: 'reader', scopes: ['read'] })).json();

    const me = await t.app.inject({ url: '/api/v1/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().email).toBe(user.email);

    const list = (await t.app.inject({ url: '/api/v1/tokens', headers: auth })).json();
    expect(list.items[0].lastUsedAt).not.toBeNull();

    // A token without the `tokens` scope cannot create or list tokens.
    const escalate = await createToken(bearer(token), { name: 'more', scopes: ['tokens', 'billing'] });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().message).toMatch(/lacks the `tokens` scope/);
    expect((await t.app.inject({ url: '/api/v1/tokens', headers: bearer(token) })).statusCode).toBe(403);
    // Sign-out is for sessions.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(400);
  });

  it('a token scoped for tokens can manage tokens; one without read cannot read the profile', async () => {
    const { auth } = await signUp(t.app);
    const { token } = (await createToken(auth, { name: 'admin', scopes: ['tokens'] })).json();
    const child = await createToken(bearer(token), { name: 'child', scopes: ['read'] });
    expect(child.statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(403);
  });

  it('revocation takes effect at once and is audited', async () => {
    const { auth, user } = await signUp(t.app);
    const created = (await createToken(auth, { name: 'ci', scopes: ['read'] })).json();
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(created.token) })).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${created.id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(created.token) })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/tokens', headers: auth })).json().items).toEqual([]);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${created.id}`, headers: auth });
    expect(again.statusCode).toBe(404);

    const audit = await t.database.db.query<{ action: string; details: Record<string, unknown> }>(
      `select a.action, a.details from audit_logs a join users u on u.auth_subject = a.owner_subject
        where u.id = $1 and a.action like 'token.%' order by a.created_at`,
      [user.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['token.created', 'token.revoked']);
    expect(JSON.stringify(audit.rows)).not.toContain(created.token);
  });

  it('an expiring token stops working after its expiry', async () => {
    const { auth } = await signUp(t.app);
    const created = (await createToken(auth, { name: 'week', scopes: ['read'], expiresInDays: 7 })).json();
    expect(new Date(created.expiresAt).getTime() - now.getTime()).toBe(7 * 86_400_000);
    now = new Date(now.getTime() + 6 * 86_400_000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(created.token) })).statusCode).toBe(200);
    now = new Date(now.getTime() + 2 * 86_400_000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(created.token) })).statusCode).toBe(401);
  });

  it('refuses a token with a wrong checksum or unknown body', async () => {
    const { auth } = await signUp(t.app);
    const { token } = (await createToken(auth, { name: 'x', scopes: ['read'] })).json();
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(token.slice(0, -1) + last) })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(`vsk_${'A'.repeat(38)}`) })).statusCode).toBe(401);
  });

  it('validates the request with messages per field', async () => {
    const { auth } = await signUp(t.app);
    const res = await createToken(auth, { name: '', scopes: ['read', 'superuser'], expiresInDays: 400 });
    expect(res.statusCode).toBe(400);
    const fields = res.json().details.map((d: { field: string }) => d.field);
    expect(fields.length).toBeGreaterThan(0);
    expect((await createToken(auth, { name: 'x', scopes: [] })).statusCode).toBe(400);
    const blank = await createToken(auth, { name: '   ', scopes: ['read'] });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().details).toEqual([{ field: 'body.name', message: 'must not be blank' }]);
    expect((await createToken(auth, { name: 'x', scopes: ['read', 'read'] })).statusCode).toBe(400);
  });
});
