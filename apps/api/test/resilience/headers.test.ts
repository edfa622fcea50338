/**
 * QUALITY.md "Surface": helmet's headers on every answer, and `Cache-Control: no-store`
 * on every authenticated JSON answer, for each GET operation in openapi.yaml (read from
 * the spec, so a new route is covered the day it is added).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_SCOPES, TRAINING_DEFAULTS } from '@visiona/shared';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';
import { loadOperations } from './operations.ts';

let t: TestApp;
let callers: { name: string; headers: Record<string, string> }[];
/** An id of the user's own thing for each `{id}` route, so that the answers are 200s with data. */
const ownIds: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp({ env: { LLM_TIMEOUT_MS: '500' } });
  const user = await signUp(t.app);
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: user.auth, payload: { name: 'headers', scopes: [...TOKEN_SCOPES] } });
  callers = [
    { name: 'session', headers: user.auth },
    { name: 'API token', headers: { authorization: `Bearer ${created.json().token as string}` } },
  ];
  const subject = (await t.database.db.query<{ auth_subject: string }>('select auth_subject from users where id = $1', [user.user.id])).rows[0]!.auth_subject;
  const model = (
    await t.database.db.query<{ id: string }>(
      `insert into models (owner_subject, name, trigger_word, status, parameters) values ($1, 'Me', 'ZXQ_ME', 'Failed', $2) returning id`,
      [subject, JSON.stringify(TRAINING_DEFAULTS)],
    )
  ).rows[0]!.id;
  const generation = (
    await t.database.db.query<{ id: string }>(
      `insert into generations (owner_subject, model_id, prompt, status, error, completed_at) values ($1, $2, 'ZXQ_ME, a portrait', 'Failed', 'The model failed.', now()) returning id`,
      [subject, model],
    )
  ).rows[0]!.id;
  const checkout = `cs_test_${randomUUID().replaceAll('-', '')}`;
  await t.database.db.query(
    `insert into checkout_sessions (id, owner_subject, plan, url, expires_at) values ($1, $2, 'premium', 'https://checkout.stripe.com/c/pay/x', now() + interval '1 day')`,
    [checkout, subject],
  );
  Object.assign(ownIds, { '/api/v1/models/{id}': model, '/api/v1/generations/{id}': generation, '/api/v1/billing/checkout/{id}': checkout });
});
afterAll(async () => t?.close());

/** helmet's headers, on any answer. */
function expectSecurityHeaders(headers: Record<string, unknown>, where: string) {
  expect(headers['x-content-type-options'], where).toBe('nosniff');
  expect(String(headers['strict-transport-security']), where).toMatch(/^max-age=\d{7,}/);
  const framing = headers['x-frame-options'] ?? (String(headers['content-security-policy'] ?? '').includes('frame-ancestors') ? 'csp' : undefined);
  expect(framing, where).toMatch(/^(SAMEORIGIN|DENY|csp)$/);
  expect(headers['referrer-policy'], where).toBe('no-referrer');
  expect(headers['cross-origin-resource-policy'], where).toBe('same-site');
  expect(headers['x-powered-by'], where).toBeUndefined();
}

const gets = loadOperations().filter((o) => o.method === 'GET' && o.successTypes.includes('application/json'));
const authenticated = gets.filter((o) => o.secured);
const publicGets = gets.filter((o) => !o.secured);

describe('security headers and caching, for every GET operation in openapi.yaml', () => {
  it('finds the operations to check', () => {
    expect(authenticated.length).toBeGreaterThanOrEqual(10);
    expect(publicGets.map((o) => o.key).sort()).toEqual(['GET /api/v1/billing/plans', 'GET /api/v1/config', 'GET /livez', 'GET /readyz']);
  });

  for (const op of authenticated) {
    it(`${op.key}: authenticated JSON is no-store, with helmet's headers, for a session and an API token`, async () => {
      const needsId = op.path.includes('{id}');
      const own = ownIds[op.path];
      if (needsId) expect(own, `no fixture id for ${op.path}`).toBeDefined();
      for (const caller of callers) {
        const res = await t.app.inject({ url: op.path.replace('{id}', own ?? ''), headers: caller.headers });
        const where = `${op.key} as ${caller.name} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        expect(res.statusCode, where).toBe(200);
        expect(res.headers['content-type'], where).toMatch(/^application\/json/);
        expect(res.headers['cache-control'], where).toBe('no-store');
        expectSecurityHeaders(res.headers, where);
      }
      if (needsId) {
        // Someone else's id, or none that exists: the error is authenticated JSON too.
        const missing = op.path.includes('checkout') ? `cs_test_${randomUUID().replaceAll('-', '')}` : randomUUID();
        const res = await t.app.inject({ url: op.path.replace('{id}', missing), headers: callers[0]!.headers });
        expect(res.statusCode).toBe(404);
        expect(res.headers['cache-control']).toBe('no-store');
        expectSecurityHeaders(res.headers, `${op.key} 404`);
      }
    });
  }

  for (const op of publicGets) {
    it(`${op.key}: public, with helmet's headers; only answers for a signed-in caller are no-store`, async () => {
      const anonymous = await t.app.inject({ url: op.path });
      expect(anonymous.statusCode).toBe(200);
      expectSecurityHeaders(anonymous.headers, op.key);
      // Nothing personal in it, so the code leaves caching to the defaults.
      expect(anonymous.headers['cache-control']).toBeUndefined();
    });
  }

  it('refusals of authentication carry helmet’s headers too', async () => {
    const res = await t.app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer vss_not.a.token' } });
    expect(res.statusCode).toBe(401);
    expectSecurityHeaders(res.headers, 'GET /api/v1/me 401');
  });
});
