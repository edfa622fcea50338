import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubBreadcrumb, scrubErrorEvent, scrubText } from '@visiona/shared';
import { buildApp, type VisionaApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/index.ts';
import { createTestDatabase, signUp, type TestDatabase } from '../helpers/index.ts';

describe('scrubbing error reports', () => {
  it('removes emails, tokens, IP addresses and URL queries from text, and keeps the rest readable', () => {
    const text = [
      'insert failed for jane.doe+tag@example.co.uk from 203.0.113.7 and 2001:db8::1 at 12:34:56',
      'Authorization: Bearer vss_AAAAAAAAAAAAAAAAAAAAAA.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccc',
      'api token vsk_9f8e7d6c5b4a39281706f5e4d3c2b1a0XyZ, stripe sk_live_51H8abcDEF123456, r8_abcdef1234567890',
      'jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9.c2lnbmF0dXJl',
      'signed https://storage.example.com/object/sign/visiona-private/u/p.jpg?token=abc123&expires=1',
      'secret 0123456789abcdef0123456789abcdef and user 3f1e2d3c-4b5a-4697-8877-665544332211',
    ].join('\n');
    const out = scrubText(text);
    for (const leaked of [
      'jane.doe',
      'example.co.uk',
      '203.0.113.7',
      '2001:db8::1',
      'vss_',
      'vsk_',
      'sk_live',
      'r8_abc',
      'eyJ',
      'token=abc123',
      '0123456789abcdef',
      '3f1e2d3c',
    ]) {
      expect(out, leaked).not.toContain(leaked);
    }
    expect(out).toContain('insert failed for [email] from [ip] and [ip] at 12:34:56');
    expect(out).toContain('Bearer [redacted]');
    expect(out).toContain('https://storage.example.com/object/sign/visiona-private/u/p.jpg?[redacted]');
  });

  it('drops the user, the request but its method and path, and scrubs every message, breadcrumb, tag and extra', () => {
    const requestId = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const event = scrubErrorEvent({
      message: 'failed for bob@example.com',
      user: { id: 'user_2abc', email: 'bob@example.com', ip_address: '198.51.100.4' },
      request: {
        method: 'POST',
        url: 'https://api.visiona.app/api/v1/generations?email=bob@example.com',
        headers: { authorization: 'Bearer vsk_abcdefabcdefabcdef', cookie: 'sid=1', 'x-forwarded-for': '198.51.100.4' },
        cookies: { sid: '1' },
        data: '{"prompt":"bob"}',
        query_string: 'email=bob@example.com',
        env: { REMOTE_ADDR: '198.51.100.4' },
      },
      exception: { values: [{ type: 'Error', value: 'no user bob@example.com', stacktrace: { frames: [{ function: 'f', vars: { password: 'hunter2' } }] } }] },
      breadcrumbs: [
        { category: 'console', message: 'signed in as bob@example.com' },
        { category: 'fetch', data: { url: '/api/v1/gallery?cursor=abc', method: 'GET', status_code: 200 } },
        { category: 'ui.input', message: 'input[name=email]' },
      ],
      tags: { request_id: requestId, route: '/api/v1/me' },
      extra: { email: 'bob@example.com', nested: { note: 'from 198.51.100.4' } },
      contexts: { trace: { trace_id: '0123456789abcdef0123456789abcdef' }, app: { session_token: 'vss_x' } },
    });
    expect(event.user).toBeUndefined();
    expect(event.request).toEqual({ method: 'POST', url: 'https://api.visiona.app/api/v1/generations' });
    expect(event.message).toBe('failed for [email]');
    expect(event.exception.values[0]!.value).toBe('no user [email]');
    expect(event.exception.values[0]!.stacktrace.frames[0]).toEqual({ function: 'f' });
    expect(event.breadcrumbs).toEqual([
      { category: 'console', message: 'signed in as [email]' },
      { category: 'fetch', data: { url: '/api/v1/gallery', method: 'GET', status_code: 200 } },
    ]);
    expect(event.tags).toEqual({ request_id: requestId, route: '/api/v1/me' });
    expect(event.extra).toEqual({ email: '[redacted]', nested: { note: 'from [ip]' } });
    expect(event.contexts).toEqual({ trace: { trace_id: '0123456789abcdef0123456789abcdef' }, app: { session_token: '[redacted]' } });
  });

  it('drops what a person typed and scrubs breadcrumbs on their own', () => {
    expect(scrubBreadcrumb({ category: 'ui.input', message: 'x' })).toBeNull();
    expect(scrubBreadcrumb({ category: 'navigation', data: { from: '/sign-in?redirect=/gallery', to: '/gallery#top' } })).toEqual({
      category: 'navigation',
      data: { from: '/sign-in', to: '/gallery' },
    });
  });
});

/** A stand-in for Sentry's ingest endpoint: keeps every envelope POSTed to it. */
async function startIngest() {
  const envelopes: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      envelopes.push({ url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { envelopes, dsn: `http://publickey@127.0.0.1:${port}/42`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The JSON items of a Sentry envelope (header line, then item header and payload pairs). */
function envelopeItems(body: string): { type: string; payload: Record<string, unknown> }[] {
  const lines = body.split('\n').filter(Boolean);
  const items = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    items.push({ type: (JSON.parse(lines[i]!) as { type: string }).type, payload: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
  }
  return items;
}

describe('Sentry reporting of the API', () => {
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  let database: TestDatabase;
  let app: VisionaApp;
  let failing = false;

  beforeAll(async () => {
    ingest = await startIngest();
    database = await createTestDatabase();
    // An injected failure: once `failing` is set, user-scoped queries throw an error
    // whose message holds personal data, as a careless driver or library error might.
    const db: Database = {
      ...database.db,
      queryAsUser: async (claims, text, params) => {
        if (failing) throw new Error(`query for ${String(claims.email ?? 'carol@example.com')} from 198.51.100.23 failed (token vsk_${'a'.repeat(40)})`);
        return database.db.queryAsUser(claims, text, params);
      },
    };
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent', SENTRY_DSN: ingest.dsn, SENTRY_ENVIRONMENT: 'ci' });
    app = await buildApp(config, { db, sessionKey: randomBytes(32) });
    await app.ready();
  });
  afterAll(async () => {
    await database?.close();
    await ingest?.close();
  });

  it('reports a 5xx with no email, token, IP address or authorization, and no 4xx at all', async () => {
    const email = `carol.${randomBytes(3).toString('hex')}@example.com`;
    const { token } = await signUp(app, email);
    const headers = {
      authorization: `Bearer ${token}`,
      cookie: `visiona_session=${token}`,
      'x-forwarded-for': '198.51.100.23',
      'user-agent': 'curl/8.0 (carol@example.com)',
    };

    // Client mistakes: a 404, a 400 and a 401. None is reported.
    expect((await app.inject({ method: 'GET', url: '/api/v1/nope', headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/signin', headers: { ...headers, 'content-type': 'application/json' }, payload: '{' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer vss_wrong' } })).statusCode).toBe(401);

    failing = true;
    const res = await app.inject({ method: 'GET', url: `/api/v1/me?email=${encodeURIComponent(email)}&token=${token}`, headers });
    failing = false;
    expect(res.statusCode).toBe(500);
    const requestId = res.json<{ requestId: string }>().requestId;

    // Closing the app sends what is queued.
    await app.close();

    const events = ingest.envelopes.flatMap((e) => envelopeItems(e.body)).filter((i) => i.type === 'event');
    expect(events).toHaveLength(1);
    const event = events[0]!.payload as {
      exception: { values: { type: string; value: string }[] };
      tags: Record<string, string>;
      environment: string;
      user?: unknown;
      request?: unknown;
    };
    expect(event.exception.values.at(-1)).toMatchObject({ type: 'Error', value: 'query for [email] from [ip] failed (token [redacted])' });
    expect(event.tags).toMatchObject({ request_id: requestId, method: 'GET', route: '/api/v1/me', status_code: '500' });
    expect(event.environment).toBe('ci');
    expect(event.user).toBeUndefined();
    expect(event.request).toBeUndefined();

    // Nothing personal anywhere in what left the process, headers of the upload included.
    const sent = ingest.envelopes.map((e) => `${e.url}\n${JSON.stringify(e.headers)}\n${e.body}`).join('\n');
    for (const leaked of [email, 'carol@example.com', token, token.slice(4, 20), '198.51.100.23', 'visiona_session', 'Bearer', 'vsk_', 'curl/8.0']) {
      expect(sent, leaked).not.toContain(leaked);
    }
    expect(sent.toLowerCase()).not.toContain('authorization');
    expect(sent.toLowerCase()).not.toContain('cookie');
  });

  it('reports a job that failed for good, once, with its name and attempt but not its payload; retried failures are not reported', async () => {
    const jobIngest = await startIngest();
    try {
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent', SENTRY_DSN: jobIngest.dsn });
      const jobsApp = await buildApp(config, { db: database.db, sessionKey: randomBytes(32) });
      await jobsApp.ready();
      let runs = 0;
      jobsApp.jobs.register<{ email: string }>(
        'test.always-fails',
        async (payload) => {
          runs++;
          throw new Error(`could not reach the trainer for ${payload.email} from 198.51.100.23`);
        },
        { maxAttempts: 2, backoffMs: 1 },
      );
      const jobId = await jobsApp.jobs.enqueue(database.db, 'test.always-fails', { email: 'dave@example.com' });
      await jobsApp.jobs.drain();
      expect(runs).toBe(1); // retried later, so only logged
      await new Promise((r) => setTimeout(r, 20));
      await jobsApp.jobs.drain();
      expect(runs).toBe(2);
      await jobsApp.close();

      const events = jobIngest.envelopes.flatMap((e) => envelopeItems(e.body)).filter((i) => i.type === 'event');
      // Only this job's last attempt (the sweeper's recurring runs fail here too: no storage).
      const ours = events.filter((e) => (e.payload.tags as Record<string, string>).job === 'test.always-fails');
      expect(ours).toHaveLength(1);
      const event = ours[0]!.payload as { exception: { values: { value: string }[] }; tags: Record<string, string> };
      expect(event.exception.values.at(-1)!.value).toBe('could not reach the trainer for [email] from [ip]');
      expect(event.tags).toMatchObject({ job_id: jobId, job: 'test.always-fails', attempt: '2' });
      const sent = jobIngest.envelopes.map((e) => e.body).join('\n');
      expect(sent).not.toContain('dave@example.com');
      expect(sent).not.toContain('198.51.100.23');
    } finally {
      await jobIngest.close();
    }
  });

  it('reports a job that fails while the app is closing: the close waits for it before sending', async () => {
    // Without the wait, the client is closed first and the event is dropped.
    const jobIngest = await startIngest();
    try {
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent', SENTRY_DSN: jobIngest.dsn });
      const jobsApp = await buildApp(config, { db: database.db, sessionKey: randomBytes(32) });
      await jobsApp.ready();
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      jobsApp.jobs.register(
        'test.fails-late',
        async () => {
          started();
          await new Promise((r) => setTimeout(r, 300));
          throw new Error('the trainer went away during shutdown');
        },
        { maxAttempts: 1 },
      );
      await jobsApp.jobs.enqueue(database.db, 'test.fails-late', {});
      const draining = jobsApp.jobs.drain();
      await running;
      await jobsApp.close();
      await draining;

      const events = jobIngest.envelopes.flatMap((e) => envelopeItems(e.body)).filter((i) => i.type === 'event');
      const ours = events.filter((e) => (e.payload.tags as Record<string, string>).job === 'test.fails-late');
      expect(ours).toHaveLength(1);
    } finally {
      await jobIngest.close();
    }
  });

  it('is not loaded at all without SENTRY_DSN', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent' });
    expect(config.sentry).toEqual({ dsn: null, webDsn: null, environment: 'test' });
    const plain = await buildApp(config, { db: database.db, sessionKey: randomBytes(32) });
    await plain.ready();
    expect(plain.hasPlugin('sentry')).toBe(false);
    const body = (await plain.inject({ method: 'GET', url: '/api/v1/config' })).json<{ sentry: unknown }>();
    expect(body.sentry).toBeNull();
    await plain.close();
  });

  it('hands the SPA its own DSN through /api/v1/config, and refuses a malformed DSN naming the variable', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent', SENTRY_WEB_DSN: 'https://abc123@o1.ingest.sentry.io/77' });
    const web = await buildApp(config, { db: database.db, sessionKey: randomBytes(32) });
    await web.ready();
    expect(web.hasPlugin('sentry')).toBe(false);
    const body = (await web.inject({ method: 'GET', url: '/api/v1/config' })).json<{ sentry: unknown }>();
    expect(body.sentry).toEqual({ dsn: 'https://abc123@o1.ingest.sentry.io/77', environment: 'test', release: config.version });
    await web.close();
    expect(() => loadConfig({ SENTRY_DSN: 'https://o1.ingest.sentry.io/77' })).toThrow(/SENTRY_DSN must be a Sentry DSN/);
    expect(() => loadConfig({ SENTRY_WEB_DSN: 'not a url' })).toThrow(/SENTRY_WEB_DSN must be a URL/);
  });
});
