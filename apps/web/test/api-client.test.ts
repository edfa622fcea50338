import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NETWORK_ERROR_MESSAGE, apiFetch, configureApiClient, parseRetryAfter } from '@/lib/api-client';
import {
  clearSession,
  connectExternalAuth,
  getSession,
  getSessionEndReason,
  setExternalSession,
  setSession,
} from '@/lib/session';

interface Received {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(statusCode: number, error: string, message: string, extra: Record<string, unknown> = {}) {
  return { statusCode, error, message, requestId: `req-${statusCode}`, ...extra };
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  received.push({
    method: req.method,
    url: req.url,
    authorization: req.headers.authorization,
    contentType: req.headers['content-type'],
    body,
  });
  switch (req.url) {
    case '/ok':
      return json(res, 200, { hello: 'world' });
    case '/echo':
      return json(res, 201, { got: JSON.parse(body) as unknown });
    case '/no-content':
      res.writeHead(204);
      return res.end();
    case '/bad-request':
      return json(
        res,
        400,
        errorBody(400, 'Bad Request', 'Some fields are not valid.', {
          code: 'VALIDATION_FAILED',
          details: [{ field: 'body.email', message: 'Must be an email address.' }],
        }),
      );
    case '/unauthorized':
      return json(res, 401, errorBody(401, 'Unauthorized', 'Your session has ended.'));
    case '/rate-limited':
      return json(res, 429, errorBody(429, 'Too Many Requests', 'Too many attempts.'), { 'retry-after': '7' });
    case '/boom':
      return json(res, 500, errorBody(500, 'Internal Server Error', 'Something went wrong on our side.'));
    case '/proxy-error':
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html><body>Bad gateway</body></html>');
    case '/html-ok':
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><div id="root"></div>');
    case '/broken-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"hello": ');
    case '/foreign-json-error':
      return json(res, 404, { oops: true }, { 'x-request-id': 'hdr-123' });
    default:
      return json(res, 404, errorBody(404, 'Not Found', 'No such route.'));
  }
}

/** Runs `fn` and returns what it threw. Fails the test if it did not throw. */
async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to throw, but it resolved.');
}

async function apiError(fn: () => Promise<unknown>): Promise<ApiError> {
  const error = await caught(fn);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(599);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  received.length = 0;
  clearSession('signed-out');
});

describe('apiFetch on success', () => {
  it('parses JSON and sends the bearer token', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => 'tok-1' });
    await expect(apiFetch('/ok')).resolves.toEqual({ hello: 'world' });
    expect(received[0]?.authorization).toBe('Bearer tok-1');
  });

  it('sends a JSON body with its content type, and no token when auth is false', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => 'tok-1' });
    await expect(apiFetch('/echo', { method: 'POST', body: { email: 'a@b.co' }, auth: false })).resolves.toEqual({
      got: { email: 'a@b.co' },
    });
    expect(received[0]).toMatchObject({ method: 'POST', contentType: 'application/json', authorization: undefined });
  });

  it('resolves a 204 with undefined', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    await expect(apiFetch('/no-content', { method: 'POST' })).resolves.toBeUndefined();
  });
});

describe('apiFetch on API errors', () => {
  it('carries the ErrorResponse fields, including field details', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/bad-request'));
    expect(error).toMatchObject({
      kind: 'http',
      statusCode: 400,
      error: 'Bad Request',
      message: 'Some fields are not valid.',
      requestId: 'req-400',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'body.email', message: 'Must be an email address.' }],
    });
    expect(error.isTransient).toBe(false);
  });

  it('keeps the generic 5xx message and its requestId', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/boom'));
    expect(error).toMatchObject({ statusCode: 500, message: 'Something went wrong on our side.', requestId: 'req-500' });
    expect(error.isTransient).toBe(true);
  });

  it('reads Retry-After on a 429', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/rate-limited', { method: 'POST', auth: false }));
    expect(error).toMatchObject({ statusCode: 429, message: 'Too many attempts.', retryAfterSeconds: 7 });
  });

  it('describes JSON errors that are not ErrorResponses, keeping the request id header', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/foreign-json-error'));
    expect(error).toMatchObject({ kind: 'http', statusCode: 404, requestId: 'hdr-123' });
    expect(error.message).toContain('HTTP 404');
  });
});

describe('apiFetch when the API is not what answers', () => {
  it('turns a proxy error page into the "can\'t reach" error', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/proxy-error'));
    expect(error).toMatchObject({ kind: 'invalid-response', statusCode: 502, message: NETWORK_ERROR_MESSAGE });
  });

  it('rejects a 200 that is HTML (e.g. the SPA itself) instead of returning it', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/html-ok'));
    expect(error).toMatchObject({ kind: 'invalid-response', statusCode: 200, message: NETWORK_ERROR_MESSAGE });
  });

  it('rejects truncated JSON', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const error = await apiError(() => apiFetch('/broken-json'));
    expect(error).toMatchObject({ kind: 'invalid-response', message: NETWORK_ERROR_MESSAGE });
  });

  it('turns a refused connection into a network error with the clear message', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    restore = configureApiClient({ baseUrl: `http://127.0.0.1:${port}`, getToken: () => null });
    const error = await apiError(() => apiFetch('/ok'));
    expect(error).toMatchObject({ kind: 'network', statusCode: 0, requestId: null, message: NETWORK_ERROR_MESSAGE });
    expect(error.isTransient).toBe(true);
  });

  it('lets an aborted request reject with the AbortError, not an ApiError', async () => {
    restore = configureApiClient({ baseUrl, getToken: () => null });
    const controller = new AbortController();
    controller.abort();
    const error = await caught(() => apiFetch('/ok', { signal: controller.signal }));
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('a 401 on an authenticated call', () => {
  it('calls onUnauthorized only when a token was sent', async () => {
    let calls = 0;
    restore = configureApiClient({ baseUrl, getToken: () => 'tok-2', onUnauthorized: () => calls++ });
    await apiError(() => apiFetch('/unauthorized'));
    expect(calls).toBe(1);
    await apiError(() => apiFetch('/unauthorized', { auth: false }));
    expect(calls).toBe(1);
    // Signing out opts out: an already-revoked token must not turn "signed out" into "session ended".
    await apiError(() => apiFetch('/unauthorized', { endSessionOn401: false }));
    expect(calls).toBe(1);
  });

  it('ends the stored session by default, marked as expired', async () => {
    restore = configureApiClient({ baseUrl });
    setSession({ token: 'tok-3', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await expect(apiFetch('/ok')).resolves.toEqual({ hello: 'world' });
    expect(received[0]?.authorization).toBe('Bearer tok-3');
    const error = await apiError(() => apiFetch('/unauthorized'));
    expect(error.statusCode).toBe(401);
    expect(getSession()).toBeNull();
    expect(getSessionEndReason()).toBe('expired');
  });

  it('does not end the session for other errors', async () => {
    restore = configureApiClient({ baseUrl });
    setSession({ token: 'tok-4', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await apiError(() => apiFetch('/boom'));
    expect(getSession()).toMatchObject({ kind: 'local', token: 'tok-4' });
  });
});

describe('session expiry', () => {
  it('treats an expired session as no session', () => {
    setSession({ token: 'old', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(getSession()).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores junk', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('an external sign-in service (Clerk mode)', () => {
  it('sends the token it hands out, asked afresh for every call', async () => {
    let issued = 0;
    let signOuts = 0;
    const disconnect = connectExternalAuth({
      getToken: async () => `clerk-${++issued}`,
      signOut: async () => {
        signOuts++;
      },
    });
    try {
      restore = configureApiClient({ baseUrl });
      setExternalSession('user_1');
      expect(getSession()).toEqual({ kind: 'external', userId: 'user_1' });
      await apiFetch('/ok');
      await apiFetch('/ok');
      expect(received.map((r) => r.authorization)).toEqual(['Bearer clerk-1', 'Bearer clerk-2']);

      // A 401 ends the session here and at the service, so it cannot sign the person straight back in.
      await apiError(() => apiFetch('/unauthorized'));
      expect(getSession()).toBeNull();
      expect(getSessionEndReason()).toBe('expired');
      expect(signOuts).toBe(1);
    } finally {
      disconnect();
    }
  });

  it('mirrors who the service says is signed in, without asking it to sign out', async () => {
    let signOuts = 0;
    const disconnect = connectExternalAuth({ getToken: async () => 't', signOut: async () => void signOuts++ });
    try {
      setExternalSession('user_1');
      setExternalSession(null);
      expect(getSession()).toBeNull();
      expect(getSessionEndReason()).toBe('signed-out');
      expect(signOuts).toBe(0);
    } finally {
      disconnect();
    }
  });

  it('turns a failure to get a token into a readable error, without calling the API', async () => {
    const disconnect = connectExternalAuth({
      getToken: async () => {
        throw new Error('clerk offline');
      },
      signOut: async () => undefined,
    });
    try {
      restore = configureApiClient({ baseUrl });
      setExternalSession('user_2');
      const error = await apiError(() => apiFetch('/ok'));
      expect(error).toMatchObject({ kind: 'network', statusCode: 0 });
      expect(error.message).toMatch(/could not be confirmed/);
      expect(received).toHaveLength(0);
    } finally {
      disconnect();
      setExternalSession(null);
    }
  });
});
