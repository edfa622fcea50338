import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/lib/clock.ts';
import { createTestApp, signUp, uniqueEmail, type TestApp } from '../helpers/app.ts';

let now = new Date('2026-11-25T12:00:00Z');
const clock: Clock = { now: () => now };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock, env: { SESSION_TTL_HOURS: '24' } });
});
afterAll(async () => t?.close());

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers });

describe('local accounts', () => {
  it('signs up, reads /me, and stores only a scrypt hash of the password', async () => {
    const res = await post('/api/v1/auth/signup', { email: 'New.Person@Example.COM', password: 'correct horse battery' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.token).toMatch(/^vss_/);
    expect(body.user).toMatchObject({ email: 'new.person@example.com', plan: 'free', authMode: 'local' });

    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body.user);

    const { rows } = await t.database.db.query<{ password_hash: string }>('select password_hash from local_credentials');
    const stored = rows.map((r) => r.password_hash);
    expect(stored.every((h) => h.startsWith('scrypt$'))).toBe(true);
    expect(stored.join()).not.toContain('correct horse battery');
    const sessions = await t.database.db.query<{ token_hash: string }>('select token_hash from sessions');
    expect(sessions.rows.map((r) => r.token_hash)).not.toContain(body.token);
  });

  it('refuses a second account for the same email, whatever its case', async () => {
    const email = uniqueEmail('dup');
    await signUp(t.app, email);
    const res = await post('/api/v1/auth/signup', { email: email.toUpperCase(), password: 'another password!' });
    expect(res.statusCode).toBe(409);
    expect(res.json().details).toEqual([{ field: 'body.email', message: 'is already registered' }]);
  });

  it('refuses a short password with a message naming the field', async () => {
    const res = await post('/api/v1/auth/signup', { email: uniqueEmail(), password: 'short' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toBe('body.password');
  });

  it('logs in case-insensitively; a wrong password and an unknown email get the same answer', async () => {
    const email = uniqueEmail('login');
    await signUp(t.app, email);
    const ok = await post('/api/v1/auth/login', { email: email.toUpperCase(), password: 'correct horse battery' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.email).toBe(email);

    const wrong = await post('/api/v1/auth/login', { email, password: 'not the password' });
    const unknown = await post('/api/v1/auth/login', { email: uniqueEmail('ghost'), password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().message).toBe(unknown.json().message);
    expect(wrong.json().message).toBe('Email or password is incorrect.');

    const audit = await t.database.db.query<{ action: string; details: Record<string, unknown> }>(
      `select a.action, a.details from audit_logs a join users u on u.auth_subject = a.owner_subject
        where u.email = $1 order by a.created_at`,
      [email],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['account.created', 'session.created', 'session.created', 'session.failed']);
    expect(audit.rows[3]!.details).toMatchObject({ reason: 'wrong_password' });
    const all = await t.database.db.query<{ dump: string }>('select string_agg(a::text, \',\') as dump from audit_logs a');
    expect(all.rows[0]!.dump).not.toMatch(/correct horse battery|not the password|ghost/);
  });

  it('logout revokes the session at once; other sessions keep working', async () => {
    const email = uniqueEmail('logout');
    const first = await signUp(t.app, email);
    const second = (await post('/api/v1/auth/login', { email, password: 'correct horse battery' })).json();
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: first.auth });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/v1/me', headers: first.auth });
    expect(after.statusCode).toBe(401);
    const other = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${second.token}` } });
    expect(other.statusCode).toBe(200);
    const audit = await t.database.db.query<{ action: string }>(
      `select a.action from audit_logs a join users u on u.auth_subject = a.owner_subject where u.email = $1 order by a.created_at`,
      [email],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['account.created', 'session.created', 'session.created', 'session.revoked']);
  });

  it('a session expires after its lifetime', async () => {
    const { auth } = await signUp(t.app);
    now = new Date(now.getTime() + 23 * 3_600_000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: auth })).statusCode).toBe(200);
    now = new Date(now.getTime() + 2 * 3_600_000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: auth })).statusCode).toBe(401);
  });

  it('refuses missing, malformed, forged and tampered tokens, and cookies', async () => {
    const { token } = await signUp(t.app);
    const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/me', headers });
    const none = await me({});
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await me({ authorization: 'Bearer' })).statusCode).toBe(401);
    expect((await me({ authorization: 'Basic abc' })).statusCode).toBe(401);
    expect((await me({ authorization: 'Bearer vss_a.b.c' })).statusCode).toBe(401);
    const [id, secret, mac] = token.slice(4).split('.') as [string, string, string];
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect((await me({ authorization: `Bearer vss_${id}.${flipped}.${mac}` })).statusCode).toBe(401);
    expect((await me({ cookie: `session=${token}` })).statusCode).toBe(401);
  });
});
