/**
 * QUALITY.md "Surface": rate limits per user (sessions and API tokens alike) and per IP,
 * answered with 429 and Retry-After; failing tokens per IP; page sizes and prompt lengths capped. Sign-in
 * attempts per IP and the body size cap are tested in test/http/app.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_MAX_LENGTH, TRAINING_DEFAULTS } from '@visiona/shared';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';
import { loadOperations } from './operations.ts';

const SPA = 'https://app.visiona.test';
const MAX = 5;
const FAILURES = 3;

/** `t` allows MAX requests per window, a long one so that a loaded machine cannot let a burst spill into the next; `roomy` has the defaults. */
let t: TestApp;
let roomy: TestApp;
beforeAll(async () => {
  const env = { WEB_ORIGIN: SPA, AUTH_RATE_LIMIT_MAX: '1000', LLM_TIMEOUT_MS: '500' };
  t = await createTestApp({ env: { ...env, RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_WINDOW_MS: '600000', AUTH_FAILURE_LIMIT_MAX: String(FAILURES) } });
  roomy = await createTestApp({ env });
});
afterAll(async () => {
  await t?.close();
  await roomy?.close();
});

type Headers = Record<string, string>;
const get = (url: string, headers: Headers = {}, remoteAddress = '127.0.0.1', on = t) => on.app.inject({ url, headers, remoteAddress });
/** Another address for each person, so that no test spends an address another one looks at. */
let nextAddress = 0;
const freshUser = (app = t) => signUp(app.app).then((u) => ({ ...u, address: `192.0.2.${++nextAddress}` }));

async function createToken(auth: Headers, scopes: string[]) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth, payload: { name: 'limits', scopes } });
  expect(res.statusCode).toBe(201);
  return { authorization: `Bearer ${res.json().token as string}` };
}

function expectLimited(res: Awaited<ReturnType<typeof get>>) {
  expect(res.statusCode).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(600);
  expect(res.json()).toMatchObject({
    statusCode: 429,
    error: 'Too Many Requests',
    code: 'rate_limited',
    message: expect.stringMatching(/^Too many requests\. Try again in \d+ seconds?\.$/),
  });
  // The message names the same wait as the header.
  expect(res.json().message).toContain(` ${retryAfter} second`);
}

describe('rate limits', () => {
  it('a signed-in person over their limit gets 429 with Retry-After, from any address, and others are not affected', async () => {
    const a = await freshUser();
    const statuses: number[] = [];
    for (let i = 0; i < MAX; i += 1) statuses.push((await get('/api/v1/me', a.auth, '198.51.100.7')).statusCode);
    expect(statuses).toEqual(Array(MAX).fill(200));
    expectLimited(await get('/api/v1/me', a.auth, '198.51.100.7'));
    // Keyed by the person, not the address: moving elsewhere does not reset it.
    expectLimited(await get('/api/v1/models', a.auth, '198.51.100.8'));
    // Someone else on the same address still gets through.
    const b = await freshUser();
    expect((await get('/api/v1/me', b.auth, '198.51.100.7')).statusCode).toBe(200);
  });

  it('personal API tokens share their owner’s budget: minting more tokens does not buy more requests', async () => {
    const c = await freshUser();
    const first = await createToken(c.auth, ['read']);
    const second = await createToken(c.auth, ['read']);
    for (let i = 2; i < MAX; i += 1) expect((await get('/api/v1/me', first, c.address)).statusCode).toBe(200);
    expectLimited(await get('/api/v1/me', first, c.address));
    expectLimited(await get('/api/v1/me', second, c.address));
    expectLimited(await get('/api/v1/me', c.auth, c.address));
  });

  it('anonymous callers are limited per address across the API, and health checks never are', async () => {
    const address = '203.0.113.50';
    for (let i = 0; i < MAX; i += 1) expect((await get(i % 2 ? '/api/v1/config' : '/api/v1/billing/plans', {}, address)).statusCode).toBe(200);
    expectLimited(await get('/api/v1/config', {}, address));
    expectLimited(await get('/api/v1/billing/plans', {}, address));
    expect((await get('/api/v1/config', {}, '203.0.113.51')).statusCode).toBe(200);
    expect((await get('/livez', {}, address)).statusCode).toBe(200);
    expect((await get('/readyz', {}, address)).statusCode).toBe(200);
  });

  it('an address that sends too many failing tokens gets 429 before any lookup, valid tokens included, and other addresses do not', async () => {
    const address = '203.0.113.90';
    const e = await freshUser();
    // No token at all costs no lookup and is not counted.
    for (let i = 0; i < FAILURES + 2; i += 1) expect((await get('/api/v1/me', {}, address)).statusCode).toBe(401);
    const bogus = ['Bearer vss_not.a.session', `Bearer vsk_${'x'.repeat(40)}`, 'Bearer something-else'];
    for (let i = 0; i < FAILURES; i += 1) expect((await get('/api/v1/me', { authorization: bogus[i % bogus.length]! }, address)).statusCode).toBe(401);
    const refused = await get('/api/v1/me', e.auth, address);
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(refused.json()).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(refused.json().message).toBe(
      `Too many requests with an invalid session or token came from your address. Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}, with a valid token.`,
    );
    // The same person from another address is fine; public routes stay open to the address.
    expect((await get('/api/v1/me', e.auth, '203.0.113.91')).statusCode).toBe(200);
    expect((await get('/api/v1/config', {}, address)).statusCode).toBe(200);
  });

  it('tells the SPA its budget: the ratelimit-* and Retry-After headers are exposed to its origin', async () => {
    const d = await freshUser();
    const ok = await get('/api/v1/me', { ...d.auth, origin: SPA }, d.address);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(SPA);
    const limitHeaders = Object.keys(ok.headers).filter((h) => /ratelimit/.test(h));
    expect(limitHeaders.sort()).toEqual(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']);
    expect(ok.headers['ratelimit-limit']).toBe(String(MAX));
    expect(Number(ok.headers['ratelimit-remaining'])).toBe(MAX - 1);
    const exposed = String(ok.headers['access-control-expose-headers']).split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining([...limitHeaders, 'retry-after']));

    for (let i = 1; i < MAX; i += 1) await get('/api/v1/me', d.auth, d.address);
    const limited = await get('/api/v1/me', { ...d.auth, origin: SPA }, d.address);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['access-control-allow-origin']).toBe(SPA);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(String(limited.headers['access-control-expose-headers'])).toContain('retry-after');
  });

  it('Retry-After is honest: once it has passed, requests go through again', async () => {
    const short = await createTestApp({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '1000' } });
    try {
      const call = () => short.app.inject({ url: '/api/v1/config', remoteAddress: '203.0.113.80' });
      let limited: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 10 && !limited; i += 1) {
        const res = await call();
        if (res.statusCode === 429) limited = res;
      }
      expect(limited?.statusCode).toBe(429);
      expect(limited!.headers['retry-after']).toBe('1');
      await new Promise((r) => setTimeout(r, 1000 * Number(limited!.headers['retry-after']) + 100));
      expect((await call()).statusCode).toBe(200);
    } finally {
      await short.close();
    }
  });
});

describe('page sizes', () => {
  const paginated = loadOperations().filter((o) => o.method === 'GET' && o.parameters.some((p) => p.in === 'query' && p.name === 'limit'));

  it('the paginated lists are the gallery and the audit history', () => {
    expect(paginated.map((o) => o.key).sort()).toEqual(['GET /api/v1/audit', 'GET /api/v1/generations']);
  });

  for (const op of paginated) {
    it(`${op.key} takes a limit up to its maximum and refuses more, or less than 1, with a 400 naming the field`, async () => {
      const max = op.parameters.find((p) => p.name === 'limit')!.schema.maximum!;
      expect(max).toBeGreaterThanOrEqual(50);
      const user = await freshUser(roomy);
      const list = (query: string) => get(`${op.path}?${query}`, user.auth, user.address, roomy);
      expect((await list(`limit=${max}`)).statusCode).toBe(200);
      const over = await list(`limit=${max + 1}`);
      expect(over.statusCode).toBe(400);
      expect(over.json()).toMatchObject({ code: 'validation_failed', details: [{ field: 'querystring.limit' }] });
      expect(over.json().message).toContain(`querystring.limit must be <= ${max}`);
      for (const bad of ['0', '-1', '1.5', 'ten']) {
        const res = await list(`limit=${bad}`);
        expect(res.statusCode, bad).toBe(400);
        expect(res.json().details[0].field, bad).toBe('querystring.limit');
      }
    });
  }

  it('the unpaginated lists are capped: 200 API tokens and models, the 20 latest credit movements; a limit parameter changes nothing', async () => {
    const user = await freshUser(roomy);
    const { rows } = await roomy.database.db.query<{ auth_subject: string }>('select auth_subject from users where id = $1', [user.user.id]);
    const subject = rows[0]!.auth_subject;
    await roomy.database.db.query(
      `insert into api_tokens (owner_subject, name, prefix, token_hash, scopes)
       select $1, 'bulk ' || i, 'vsk_bulk', md5($1 || i), '{read}' from generate_series(1, 205) as i`,
      [subject],
    );
    await roomy.database.db.query(
      `insert into models (owner_subject, name, trigger_word, status, parameters)
       select $1, 'model ' || i, 'ZXQ', 'Failed', $2 from generate_series(1, 205) as i`,
      [subject, JSON.stringify(TRAINING_DEFAULTS)],
    );
    await roomy.database.db.query(
      `insert into credit_ledger (owner_subject, delta, reason, reference)
       select $1, 1, 'test_grant', $1 || ':' || i from generate_series(1, 25) as i`,
      [subject],
    );
    const tokens = await get('/api/v1/tokens?limit=1000', user.auth, user.address, roomy);
    expect(tokens.statusCode).toBe(200);
    expect(tokens.json().items).toHaveLength(200);
    const models = await get('/api/v1/models?limit=1000', user.auth, user.address, roomy);
    expect(models.statusCode).toBe(200);
    expect(models.json().items).toHaveLength(200);
    const billing = await get('/api/v1/billing', user.auth, user.address, roomy);
    expect(billing.statusCode).toBe(200);
    expect(billing.json().ledger).toHaveLength(20);
  });
});

describe('prompt lengths', () => {
  const long = (n: number) => 'a'.repeat(n);
  const post = async (url: string, payload: object) => {
    const user = await freshUser(roomy);
    return roomy.app.inject({ method: 'POST', url, headers: user.auth, payload, remoteAddress: user.address });
  };

  it('the cap is the one GET /api/v1/config announces', async () => {
    expect((await get('/api/v1/config', {}, '203.0.113.90', roomy)).json().generation.promptMaxLength).toBe(PROMPT_MAX_LENGTH);
  });

  it('POST /api/v1/generations refuses a prompt over the cap, and an enhanced prompt over twice the cap, naming the field and the limit', async () => {
    const modelId = '00000000-0000-0000-0000-000000000000';
    // At the cap the prompt passes validation (and the unknown model is a 404).
    expect((await post('/api/v1/generations', { modelId, prompt: long(PROMPT_MAX_LENGTH) })).statusCode).toBe(404);
    const over = await post('/api/v1/generations', { modelId, prompt: long(PROMPT_MAX_LENGTH + 1) });
    expect(over.statusCode).toBe(400);
    expect(over.json().details).toEqual([{ field: 'body.prompt', message: `must NOT have more than ${PROMPT_MAX_LENGTH} characters` }]);
    expect(over.json().message).toContain(String(PROMPT_MAX_LENGTH));
    const enhanced = await post('/api/v1/generations', { modelId, prompt: 'me', enhancedPrompt: long(2 * PROMPT_MAX_LENGTH + 1) });
    expect(enhanced.statusCode).toBe(400);
    expect(enhanced.json().details).toEqual([{ field: 'body.enhancedPrompt', message: `must NOT have more than ${2 * PROMPT_MAX_LENGTH} characters` }]);
  });

  it('POST /api/v1/prompts/enhance refuses a prompt over the cap, naming the field and the limit', async () => {
    const over = await post('/api/v1/prompts/enhance', { prompt: long(PROMPT_MAX_LENGTH + 1) });
    expect(over.statusCode).toBe(400);
    expect(over.json().details).toEqual([{ field: 'body.prompt', message: `must NOT have more than ${PROMPT_MAX_LENGTH} characters` }]);
    // At the cap it is answered (enhanced or not, depending on whether an LLM answers here).
    const atCap = await post('/api/v1/prompts/enhance', { prompt: long(PROMPT_MAX_LENGTH) });
    expect(atCap.statusCode).toBe(200);
    expect(atCap.json().prompt).toBe(long(PROMPT_MAX_LENGTH));
  });
});
