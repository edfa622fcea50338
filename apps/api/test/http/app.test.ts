import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: { AUTH_RATE_LIMIT_MAX: '3', WEB_ORIGIN: 'https://app.visiona.test' },
    beforeReady: (app) => {
      app.get('/api/v1/test-failure', { config: { public: true } }, async () => {
        throw new Error('connection to 10.0.0.7 refused: password=hunter2');
      });
    },
  });
});
afterAll(async () => t?.close());

describe('health', () => {
  it('/livez answers 200', async () => {
    const res = await t.app.inject('/livez');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz checks the database, and fails while shutting down', async () => {
    const ok = await t.app.inject('/readyz');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
    t.app.lifecycle.shuttingDown = true;
    try {
      const res = await t.app.inject('/readyz');
      expect(res.statusCode).toBe(503);
    } finally {
      t.app.lifecycle.shuttingDown = false;
    }
  });
});

describe('GET /api/v1/config', () => {
  it('tells a client the auth mode and features, with no secrets', async () => {
    const res = await t.app.inject('/api/v1/config');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.authMode).toBe('local');
    expect(body.embedded).toBe(t.config.databaseUrl === null);
    expect(Object.keys(body).sort()).toEqual(['authMode', 'clerkPublishableKey', 'embedded', 'features', 'generation', 'sentry', 'training', 'uploads', 'version']);
    expect(body.uploads).toMatchObject({ maxPhotos: 50, maxFileBytes: 25 * 1024 * 1024, maxZipEntries: 100 });
    expect(body.training).toMatchObject({ minPhotos: 10, costCredits: 100, defaults: { steps: 1000, loraRank: 16 } });
    expect(JSON.stringify(body)).not.toMatch(/service-key|r8_|whsec_/);
  });
});

describe('error contract', () => {
  it('an unknown route is a 404 in the shared error shape, with the request id', async () => {
    const res = await t.app.inject({ url: '/api/v1/nothing-here', headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: 'req-abc.123' });
    expect(res.headers['x-request-id']).toBe('req-abc.123');
  });

  it('ignores a request id that could inject into logs', async () => {
    const res = await t.app.inject({ url: '/livez', headers: { 'x-request-id': 'a\nb' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('invalid input is a 400 naming each field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: { email: 'not-an-email' } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'validation_failed' });
    expect(body.details.map((d: { field: string }) => d.field)).toContain('body.password');
    expect(body.message).toMatch(/body\.password/);
  });

  it('malformed JSON and a wrong content type are 4xx, not 5xx', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('The request body is not valid JSON.');
    const type = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(type.statusCode).toBe(415);
  });

  it('a URL the router refuses (bad escape, over-long id) is a 4xx in the shared error shape, with the usual headers', async () => {
    const bad = await t.app.inject({ url: '/api/v1/models/%zz', headers: { 'x-request-id': 'req-bad-url' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'bad_request', requestId: 'req-bad-url' });
    expect(bad.json().message).toMatch(/URL is not valid/);
    expect(bad.headers).toMatchObject({ 'x-request-id': 'req-bad-url', 'x-content-type-options': 'nosniff' });
    const long = await t.app.inject(`/api/v1/models/${'a'.repeat(1000)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ statusCode: 414, error: 'URI Too Long', code: 'bad_request', requestId: expect.any(String) });
    expect(long.body).not.toContain('a'.repeat(101));
  });

  it('text with a NUL character, which Postgres cannot store, is a 400 rather than a 500', async () => {
    const { auth } = await signUp(t.app);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth, payload: { name: 'cli\u0000', scopes: ['read'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/NUL character/) });
    const tokens = await t.app.inject({ url: '/api/v1/tokens', headers: auth });
    expect(tokens.json().items).toEqual([]);
  });

  it('a body over the limit is a 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().statusCode).toBe(413);
  });

  it('a 5xx reveals nothing of the internal error', async () => {
    const res = await t.app.inject('/api/v1/test-failure');
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: 500, error: 'Internal Server Error', code: 'internal' });
    expect(typeof body.requestId).toBe('string');
    expect(res.body).not.toMatch(/hunter2|10\.0\.0\.7|at .*\.ts/);
  });
});

describe('HTTP hardening', () => {
  it('sends helmet headers', async () => {
    const res = await t.app.inject('/api/v1/config');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('allows CORS for the SPA origin only', async () => {
    const allowed = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: {
        origin: 'https://app.visiona.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.visiona.test');
    const other = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks authenticated JSON as not cacheable', async () => {
    const { auth } = await signUp(t.app);
    const res = await t.app.inject({ url: '/api/v1/me', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('rate-limits sign-in attempts per IP with 429 and Retry-After', async () => {
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '203.0.113.9',
        payload: { email: 'nobody@example.com', password: 'wrong password!' },
      });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await attempt()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    // Another address is not affected.
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '203.0.113.10',
      payload: { email: 'nobody@example.com', password: 'wrong password!' },
    });
    expect(other.statusCode).toBe(401);
  });
});

describe('route declarations', () => {
  it('every /api/v1 route declares a security requirement with at most one scope, or is explicitly public', async () => {
    const { TOKEN_SCOPES } = await import('@visiona/shared');
    const spec = t.app.swagger() as { paths: Record<string, Record<string, { security?: { bearerAuth?: string[] }[] }>> };
    const publicOps = new Set([
      'GET /api/v1/config',
      'POST /api/v1/auth/signup',
      'POST /api/v1/auth/login',
      'POST /api/v1/webhooks/clerk',
      'POST /api/v1/webhooks/replicate',
      'POST /api/v1/webhooks/stripe',
      'GET /api/v1/billing/plans',
      'GET /api/v1/test-failure',
    ]);
    for (const [p, ops] of Object.entries(spec.paths)) {
      if (!p.startsWith('/api/v1')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${p}`;
        if (publicOps.has(key)) {
          expect(op.security, key).toEqual([]);
          continue;
        }
        expect(op.security, key).toHaveLength(1);
        const scopes = op.security![0]!.bearerAuth;
        expect(Array.isArray(scopes), key).toBe(true);
        expect(scopes!.length, key).toBeLessThanOrEqual(1);
        for (const s of scopes!) expect(TOKEN_SCOPES as readonly string[], key).toContain(s);
      }
    }
  });

  it('refuses to register a route that declares neither', async () => {
    const { buildApp } = await import('../../src/app.ts');
    const app = await buildApp(t.config, { db: t.database.db, sessionKey: Buffer.alloc(32) });
    expect(() => app.get('/api/v1/undeclared', async () => ({}))).toThrow(/must declare exactly one/);
    await app.close();
  });
});
