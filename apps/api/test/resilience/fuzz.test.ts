/**
 * Property-based fuzzing of every operation in the committed openapi.yaml: random and
 * invalid path parameters, query strings, bodies, content types and headers, sent
 * anonymously, with a junk Authorization header, with a signed-in session and with a
 * personal API token, against the app wired to the emulators. No answer may be a 5xx
 * or carry a stack trace or a server path; every error has the shared error shape.
 *
 *   FUZZ_SEED=<n>  replays a run (fast-check prints the seed of a failure)
 *   FUZZ_RUNS=<n>  runs per operation (default 40: about 20 s on an idle 2-core machine, a minute under load)
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import sharp from 'sharp';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutSession, CreatedApiToken, Generation, PhotoList, PlanList } from '@visiona/shared';
import type { VisionaApp } from '../../src/app.ts';
import { signStandardWebhook } from '../../src/lib/standard-webhooks.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createServicesHarness, STRIPE_WEBHOOK_SECRET, type ServicesHarness } from '../helpers/services.ts';
import { call, userWithReadyModel, waitForGeneration } from '../generations/helpers.ts';
import { loadOperations, type Operation, type Parameter, type Schema } from './operations.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 40;
const runParams = (numRuns = RUNS) => ({ numRuns, ...(SEED === undefined ? {} : { seed: SEED }) });

/** What a leaked stack trace, source path or internal error looks like in an answer. */
const LEAKS = [
  /\bat .+\(.+:\d+:\d+\)/,
  /\bat (?:file:\/\/|\/)\S+:\d+:\d+/,
  /node_modules/,
  /\/src\//,
  /\.[cm]?[jt]s:\d+/,
  /\/(?:work|tmp|home|root|usr)\//,
  /Something went wrong on our side/,
];

const CLERK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

// ——— The world the fuzzer plays in ———

let h: ServicesHarness;
let clerk: TestApp;
let session: string;
let email: string;
let personalToken: string;
let revokedToken: string;
let replicateSecret: string;
let stripeCustomer: string;
/** Real ids of the user's things (and some of nobody's), so random requests also reach the code behind a found row. */
const ids: { uuid: string[]; checkout: string[]; replicateJobs: string[]; stripeObjects: string[]; byField: Record<string, string[]> } = {
  uuid: [],
  checkout: [],
  replicateJobs: [],
  stripeObjects: [],
  /** Values that make a body field valid for this user: their model, the plans. */
  byField: {},
};
let jpeg: Buffer;

beforeAll(async () => {
  // The limits are off the point here (limits.test.ts covers them): every run reaches the handlers.
  const unlimited = { AUTH_RATE_LIMIT_MAX: '10000', AUTH_FAILURE_LIMIT_MAX: '1000000' };
  h = await createServicesHarness({ env: { ...unlimited, GENERATION_MAX_WAIT_SECONDS: '1' } });
  const user = await userWithReadyModel(h);
  session = user.token;
  email = user.user.email;
  const token = async (scopes: string[]) =>
    (await call<CreatedApiToken>(h, session, 'POST', '/api/v1/tokens', { name: 'fuzz', scopes })).body;
  personalToken = (await token(['read', 'photos', 'generate'])).token;
  const revoked = await token(['read']);
  await call(h, session, 'DELETE', `/api/v1/tokens/${revoked.id}`);
  revokedToken = revoked.token;
  const spare = await token(['read']);

  jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#a0522d' } }).jpeg().toBuffer();
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'me.jpg');
  await fetch(`${h.baseUrl}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${session}` }, body: form });
  const photos = (await call<PhotoList>(h, session, 'GET', '/api/v1/photos')).body;
  const generation = (await call<Generation>(h, session, 'POST', '/api/v1/generations', { modelId: user.model.id, prompt: 'a portrait' })).body;
  const done = await waitForGeneration(h, session, generation.id, 'Succeeded');
  ids.uuid.push(user.model.id, done.id, done.images[0]!.id, spare.id, ...photos.items.map((p) => p.id), '00000000-0000-0000-0000-000000000000');

  const plans = (await call<PlanList>(h, session, 'GET', '/api/v1/billing/plans')).body;
  const paid = plans.plans.find((p) => p.paid)!;
  const checkout = (await call<CheckoutSession>(h, session, 'POST', '/api/v1/billing/checkout', { plan: paid.id })).body;
  ids.checkout.push(checkout.id, 'cs_test_unknown');
  ids.byField = { modelId: [user.model.id], plan: plans.plans.map((p) => p.id) };
  const stripeSession = await h.stripeClient.checkout.sessions.retrieve(checkout.id);
  stripeCustomer = typeof stripeSession.customer === 'string' ? stripeSession.customer : stripeSession.customer!.id;
  ids.stripeObjects.push(checkout.id, stripeCustomer, 'sub_unknown', 'in_unknown');
  replicateSecret = (await h.replicateClient.webhooks.default.secret.get()).key;

  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  clerk = await createTestApp({
    env: {
      CLERK_SECRET_KEY: 'sk_test_visiona_offline',
      CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.visiona.test$').toString('base64')}`,
      CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString().replaceAll('\n', '\\n'),
      CLERK_WEBHOOK_SIGNING_SECRET: CLERK_SECRET,
      ...unlimited,
    },
  });
}, 120_000);
afterAll(async () => {
  await clerk?.close();
  await h?.close();
});

// ——— Junk ———

const NASTY = [
  '', ' ', '0', '-1', '1e309', 'NaN', 'Infinity', 'null', 'undefined', 'true', '[]', '{}', '..', '../', '../../etc/passwd',
  '..%2f..%2f', '%2e%2e%2f', '%', '%zz', '%00', '\u0000', 'a\u0000b', '\\', '/', '//', '?', '#', '&', '=', ';', "'", '"',
  "' or '1'='1", '1; drop table users; --', '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '%s%s%s%n', 'ＡＢＣ',
  '😀😀😀', '\ud800', 'e\u0301', '\u202e', '\ufeff', '\r\n', '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '{00000000-0000-0000-0000-000000000000}', 'cs_', 'cs_test_a', 'vsk_', 'vss_',
  'user_2abc', '__proto__', 'constructor',
];

const junkString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 200_000 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()).map(String) },
);

const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, '', [], {}, [null], { '': '' }),
  junkString,
  fc.jsonValue({ maxDepth: 3 }),
);

/** A header value a client can actually send: latin-1, without control characters. */
const asHeader = (s: string) => Buffer.from(s, 'utf8').toString('latin1').replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
const junkHeader = junkString.map(asHeader);

/** Percent-encodes UTF-8 bytes (a lone surrogate becomes U+FFFD, as a client's encoder would send it). */
const percent = (s: string, keep: RegExp) =>
  [...Buffer.from(s, 'utf8')].map((b) => (keep.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const encoders = {
  component: (s: string) => percent(s, /[A-Za-z0-9_.~-]/),
  uri: (s: string) => percent(s, /[A-Za-z0-9_.~\-/?#&=%:;@+$,!*'()]/),
  raw: (s: string) => percent(s, /[\x21-\x7e]/),
};
const encoder = fc.constantFrom(...(Object.keys(encoders) as (keyof typeof encoders)[])).map((k) => encoders[k]);

// ——— Values from the schemas, valid and not ———

function mapKeyed<T, U>(o: Record<string, T>, f: (v: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));
}

/** Text of an allowed length: ASCII, any Unicode, or with control characters (NUL too). */
function stringWithin(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const control = fc.constantFrom('\u0000', '\t', '\n', '\u001b', '\u007f', '\u2028');
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ minLength: Math.max(0, minLength - 1), maxLength: Math.max(0, maxLength - 1) }), control).map(([t, c]) => t + c) },
  );
}

/** A value the schema allows (mostly: patterns and formats are honoured, lengths kept small). */
function valid(s: Schema, field?: string): fc.Arbitrary<unknown> {
  const known = field ? ids.byField[field] : undefined;
  if (known?.length) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: valid(s) });
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) return fc.oneof(...s.anyOf.map((v) => valid(v)));
  switch (s.type) {
    case 'string':
      if (s.format === 'uuid') return ids.uuid.length ? fc.oneof(fc.uuid(), fc.constantFrom(...ids.uuid)) : fc.uuid();
      if (s.format === 'email') return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 254));
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      return stringWithin(s.minLength ?? 0, Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 40, 40)));
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.uniqueArray(s.items ? valid(s.items) : junkValue, {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, 4),
        selector: (v) => JSON.stringify(v),
      });
    case 'object':
      return fc.record(mapKeyed(s.properties ?? {}, valid), { requiredKeys: s.required ?? [] });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values at and just past the schema's edges, and of the wrong type. */
function edges(s: Schema): fc.Arbitrary<unknown> {
  const out: unknown[] = [null, '', 0, -1, true, [], {}, 'x'];
  if (s.type === 'string') out.push('x'.repeat((s.maxLength ?? 10_000) + 1), 'x'.repeat(Math.max(0, (s.minLength ?? 1) - 1)), ' ', '\u0000', 42);
  if (s.type === 'integer' || s.type === 'number') {
    const min = s.minimum ?? -1000;
    const max = s.maximum ?? 1000;
    out.push(min, max, min - 1, max + 1, min + 0.5, 1e308, -1e308, String(max), '1e3', Number.MAX_SAFE_INTEGER + 2);
  }
  if (s.type === 'array') out.push(Array.from({ length: (s.maxItems ?? 100) + 1 }, (_, i) => i), ['x'], [[[]]], 'x');
  return fc.constantFrom(...out);
}

/** Valid values, values with some fields missing, extra or wrong, edge values and junk. */
function fuzzValue(s: Schema, field?: string): fc.Arbitrary<unknown> {
  const shaped =
    s.type === 'object' && s.properties
      ? fc
          .tuple(
            fc.record(mapKeyed(s.properties, fuzzValue), { requiredKeys: [] }),
            fc.option(fc.dictionary(fc.oneof(junkString, fc.constantFrom('id', 'userId', 'role', 'credits', 'plan', 'owner')), junkValue, { maxKeys: 2 }), { freq: 3 }),
          )
          .map(([fields, extra]) => ({ ...extra, ...fields }))
      : s.type === 'array' && s.items
        ? fc.array(fuzzValue(s.items), { maxLength: (s.maxItems ?? 4) + 1 })
        : valid(s, field);
  return fc.oneof({ weight: 3, arbitrary: valid(s, field) }, { weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: edges(s) }, { weight: 1, arbitrary: junkValue });
}

// ——— Requests ———

interface FuzzRequest {
  app: 'main' | 'clerk';
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** For the report: who called. */
  caller: string;
}

const MALFORMED_JSON = [
  '', ' ', '{', '}', '{"a":', '{"a":1,}', "{'a':1}", 'nul', 'null', '[]', '""', '0', 'true', '{}garbage', '\u0000', '\ufeff{}',
  '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"a":1,"a":2}', '{"a":"\\ud800"}',
  '{"a":"\\u0000"}', '[1,2', '1e999', '{"a":1e999}', '-', '\u00ff\u00fe',
];
const deepJson = fc.tuple(fc.integer({ min: 100, max: 300_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) =>
  open === '[' ? `{"x":${'['.repeat(n)}${']'.repeat(n)}}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
);
const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MALFORMED_JSON) },
  { weight: 2, arbitrary: deepJson },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ x: 'x'.repeat(1024 * 1024) })) },
);
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'APPLICATION/JSON', 'application/json;;', 'application/vnd.api+json', 'application/problem+json', 'text/plain', 'text/html',
  'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=x', 'application/octet-stream',
  'application/xml', '*/*', 'json', ';', '',
];
const contentType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: junkHeader });

/** A body for the operation: JSON from its schema (valid or not), malformed text, a wrong type, or none. */
function body(op: Operation): fc.Arbitrary<{ type?: string; payload?: string | Buffer }> {
  const none = fc.constant({});
  const junk = fc.record({ type: contentType, payload: rawBody });
  if (op.body?.contentType === 'multipart/form-data') return fc.oneof({ weight: 5, arbitrary: multipartBody }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: none });
  if (!op.body) {
    return fc.oneof(
      { weight: 4, arbitrary: none },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('application/json'), payload: fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), rawBody) }) },
      { weight: 1, arbitrary: junk },
    );
  }
  const json = fuzzValue(op.body.schema).map((v) => JSON.stringify(v) ?? 'null');
  return fc.oneof(
    { weight: 8, arbitrary: json.map((payload) => ({ type: 'application/json', payload })) },
    { weight: 1, arbitrary: fc.record({ type: contentType, payload: json }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('application/json'), payload: rawBody }) },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: none },
  );
}

// Multipart: parts with images, near-images, other files and fields; well-formed or broken.
const MAGIC = [
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.from('GIF89a'), Buffer.from('PK\x03\x04', 'latin1'),
  Buffer.from('%PDF-1.7\n'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">'), Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'),
  Buffer.from('\x00\x00\x00\x18ftypheic', 'latin1'), Buffer.from('II*\x00', 'latin1'), Buffer.from('\x1f\x8b', 'latin1'),
];
const fileBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(null).map(() => jpeg),
  fc.nat().map((n) => jpeg.subarray(0, n % jpeg.length)),
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.constantFrom(...MAGIC), fc.uint8Array({ maxLength: 512 })).map(([m, b]) => Buffer.concat([m, b])),
  fc.constant(Buffer.alloc(0)),
);
const part = fc.record({
  name: fc.oneof({ weight: 4, arbitrary: fc.constant('files') }, { weight: 1, arbitrary: junkString }),
  filename: fc.option(fc.oneof(fc.constantFrom('me.jpg', 'me.zip', '../../me.jpg', 'me.jpg\u0000.exe', '.jpg', ''), junkString), { freq: 5 }),
  type: fc.option(fc.oneof(fc.constantFrom('image/jpeg', 'image/png', 'application/zip', 'text/plain', 'image/svg+xml'), junkHeader), { freq: 4 }),
  data: fileBytes,
});
const multipartBody = fc
  .record({
    parts: fc.array(part, { maxLength: 4 }),
    boundary: fc.constantFrom('xYzZY', 'a', '----WebKitFormBoundary7MA4YWxkTrZu0gW', 'b'.repeat(70)),
    shape: fc.constantFrom('ok', 'ok', 'ok', 'unterminated', 'wrong boundary', 'no boundary', 'preamble', 'no crlf'),
  })
  .map(({ parts, boundary, shape }) => {
    const crlf = shape === 'no crlf' ? '\n' : '\r\n';
    const chunks: Buffer[] = [];
    if (shape === 'preamble') chunks.push(Buffer.from(`junk before the first part${crlf}`));
    for (const p of parts) {
      const disposition = `form-data; name="${p.name}"${p.filename === null ? '' : `; filename="${p.filename}"`}`;
      const head = `--${boundary}${crlf}Content-Disposition: ${disposition}${crlf}${p.type === null ? '' : `Content-Type: ${p.type}${crlf}`}${crlf}`;
      chunks.push(Buffer.from(head, 'utf8'), p.data, Buffer.from(crlf));
    }
    if (shape !== 'unterminated') chunks.push(Buffer.from(`--${boundary}--${crlf}`));
    const type = shape === 'no boundary' ? 'multipart/form-data' : `multipart/form-data; boundary=${shape === 'wrong boundary' ? 'other' : boundary}`;
    return { type, payload: Buffer.concat(chunks) };
  });

function pathParam(p: Parameter): fc.Arbitrary<string> {
  const known = p.schema.format === 'uuid' ? ids.uuid : p.schema.pattern?.startsWith('^cs_') ? ids.checkout : [];
  const value = fc.oneof(
    { weight: 2, arbitrary: valid(p.schema).map(String) },
    { weight: known.length ? 2 : 0, arbitrary: known.length ? fc.constantFrom(...known) : fc.constant('') },
    { weight: 3, arbitrary: junkString },
  );
  return fc.tuple(value, encoder).map(([v, encode]) => encode(v));
}

const NUMBERS = ['-1', '0', '1', '24', '50', '100', '101', '1000', '1e3', '1.5', '0x10', '+5', ' 5', '5 ', '99999999999999999999999', '-0', 'Infinity', 'NaN', 'true', ''];

function queryString(op: Operation): fc.Arbitrary<string> {
  const known = op.parameters.filter((p) => p.in === 'query');
  const knownPair = known.length
    ? fc.constantFrom(...known).chain((p) => fc.tuple(fc.constant(p.name), fc.oneof(valid(p.schema).map(String), fc.constantFrom(...NUMBERS), junkString)))
    : fc.tuple(fc.constantFrom('limit', 'cursor'), fc.constantFrom(...NUMBERS));
  const junkPair = fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'a[b]', 'limit[]', 'limit[0]', ''), junkString), fc.oneof(junkString, fc.constantFrom(...NUMBERS)));
  const pairs = fc.array(fc.oneof({ weight: 3, arbitrary: knownPair }, { weight: 1, arbitrary: junkPair }), { maxLength: 5 });
  const encoded = fc.tuple(pairs, encoder).map(([ps, encode]) => ps.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&'));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 5, arbitrary: encoded },
    { weight: 1, arbitrary: fc.constantFrom('&&&', '=', '%', '%zz=1', 'limit', 'limit=', 'limit=1&limit=2', 'a=1&'.repeat(2000), '__proto__[x]=1') },
  );
}

const callers = ['anonymous', 'session', 'token', 'revoked token', 'junk'] as const;
const JUNK_AUTH = [
  'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNzd29yZA==', 'bearer vss_', 'Bearer vsk_', `Bearer vsk_${'A'.repeat(5000)}`, 'Bearer a.b.c',
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Bearer vss_AAAA.BBBB', 'Bearer  vsk_x', 'Token abc', 'Bearer\tvss_x',
];
const junkAuthorization = fc.oneof(fc.constantFrom(...JUNK_AUTH), junkHeader.map((s) => `Bearer ${s}`), junkHeader);

function authorization(caller: (typeof callers)[number], junk: string): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'session':
      return `Bearer ${session}`;
    case 'token':
      return `Bearer ${personalToken}`;
    case 'revoked token':
      return `Bearer ${revokedToken}`;
    case 'junk':
      return junk;
  }
}

/** Present in one request of four: most requests should still get past the headers to the route. */
const optionalHeader = (values: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: values });
const junkHeaders = fc.record({
  'idempotency-key': optionalHeader(fc.oneof(fc.uuid(), junkHeader)),
  prefer: optionalHeader(fc.oneof(fc.constantFrom('wait', 'wait=0', 'wait=1', 'wait=99999999999999999999', 'wait=-5', 'respond-async, wait=1', 'wait=abc', 'handling=strict'), junkHeader)),
  origin: optionalHeader(fc.oneof(fc.constantFrom('http://localhost:5173', 'null', 'https://evil.example'), junkHeader)),
  'x-request-id': optionalHeader(junkHeader),
  accept: optionalHeader(fc.oneof(fc.constantFrom('application/xml', '*/*', 'text/html', 'application/json;q=0'), junkHeader)),
});

/** A random request for the operation, from one of the callers. */
function request(op: Operation): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  return fc
    .record({
      caller: fc.constantFrom(...callers, 'session', 'session', 'token'),
      junkAuth: junkAuthorization,
      params: fc.tuple(...pathParams.map(pathParam)),
      query: queryString(op),
      body: body(op),
      headers: junkHeaders,
    })
    .map(({ caller, junkAuth, params, query, body: b, headers }) => {
      let i = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => params[i++] ?? '');
      const auth = authorization(caller, junkAuth);
      const all: Record<string, string | undefined> = { ...headers, authorization: auth, 'content-type': b.type };
      return {
        app: 'main' as const,
        method: op.method,
        url: query ? `${path}?${query}` : path,
        headers: Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)),
        ...(b.payload === undefined ? {} : { payload: b.payload }),
        caller,
      };
    });
}

// ——— Webhooks: junk, and junk that is correctly signed ———

const timestamp = () => Math.floor(Date.now() / 1000);
const jsonBody = (v: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: v.map((x) => JSON.stringify(x) ?? 'null') }, { weight: 1, arbitrary: rawBody.map(String) });
const signedOrNot = fc.constantFrom('signed', 'signed', 'signed', 'junk signature', 'no signature');
/** Mostly a plausible value, sometimes junk: the event must get past the first checks to reach the code behind them. */
const mostly = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: junkValue });
const knownOr = (known: () => string[], other: fc.Arbitrary<unknown>) =>
  fc.oneof(fc.constant(null).chain(() => (known().length ? fc.constantFrom(...known()) : fc.constant('none'))), other);

const replicateEvent = fc.record(
  {
    id: mostly(knownOr(() => ids.replicateJobs, fc.string({ minLength: 1 }))),
    status: mostly(fc.constantFrom('starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted')),
    logs: mostly(fc.oneof(fc.string(), fc.constant('flux_train_replicate:  42%|█   | 420/1000 [01:23<12:34, 1.19it/s]'))),
    error: mostly(fc.oneof(fc.constant(null), fc.string())),
    output: mostly(fc.oneof(fc.constant(null), fc.record({ version: mostly(fc.string()), weights: mostly(fc.webUrl()) }), fc.array(mostly(fc.webUrl()), { maxLength: 3 }))),
    metrics: junkValue,
    input: junkValue,
    created_at: mostly(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
    completed_at: junkValue,
  },
  { requiredKeys: ['id', 'status'] },
);

const STRIPE_TYPES = [
  'checkout.session.completed', 'checkout.session.async_payment_succeeded', 'checkout.session.expired', 'customer.subscription.created',
  'customer.subscription.updated', 'customer.subscription.deleted', 'customer.subscription.paused', 'customer.subscription.resumed',
  'invoice.paid', 'invoice.payment_succeeded', 'invoice.payment_failed', 'customer.created',
];
const stripeRef = mostly(knownOr(() => ids.stripeObjects, fc.oneof(fc.string(), fc.record({ id: mostly(fc.string()) }))));
const stripeObject = fc.record(
  {
    id: stripeRef,
    object: junkValue,
    customer: fc.oneof(fc.constant(null).map(() => stripeCustomer), stripeRef),
    subscription: stripeRef,
    invoice: stripeRef,
    parent: mostly(fc.record({ subscription_details: mostly(fc.record({ subscription: stripeRef })) })),
    status: junkValue,
    metadata: junkValue,
  },
  { requiredKeys: ['id', 'customer'] },
);
const stripeEvent = fc.record(
  {
    id: mostly(fc.string().map((s) => `evt_${s}`)),
    object: fc.constant('event'),
    type: mostly(fc.constantFrom(...STRIPE_TYPES)),
    created: mostly(fc.integer({ min: 0 })),
    data: mostly(fc.record({ object: mostly(stripeObject) })),
  },
  { requiredKeys: ['id', 'type', 'data'] },
);

const clerkEmail = fc.record({ id: mostly(fc.constantFrom('idn_1', 'idn_2')), email_address: mostly(fc.emailAddress()) }, { requiredKeys: [] });
const clerkEvent = fc.record(
  {
    type: mostly(fc.constantFrom('user.created', 'user.updated', 'user.deleted', 'session.created')),
    object: fc.constant('event'),
    data: mostly(
      fc.record(
        {
          id: mostly(fc.string().map((s) => `user_${s}`)),
          email_addresses: mostly(fc.array(mostly(clerkEmail), { maxLength: 3 })),
          primary_email_address_id: mostly(fc.constantFrom('idn_1', 'idn_2')),
          deleted: mostly(fc.boolean()),
        },
        { requiredKeys: ['id'] },
      ),
    ),
  },
  { requiredKeys: ['type', 'data'] },
);

function webhook(op: Operation): fc.Arbitrary<FuzzRequest> {
  const provider = op.path.split('/').pop()!;
  const event = provider === 'replicate' ? replicateEvent : provider === 'stripe' ? stripeEvent : clerkEvent;
  return fc
    .record({
      payload: jsonBody(event),
      signing: signedOrNot,
      id: fc.oneof(fc.string({ minLength: 1 }).map((s) => `msg_${s}`), junkHeader),
      skew: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -100_000, max: 100_000 }) }),
      junk: fc.dictionary(fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature', 'stripe-signature', 'svix-id', 'svix-timestamp', 'svix-signature'), junkHeader),
      type: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }),
      app: provider === 'clerk' ? fc.constantFrom('clerk', 'clerk', 'main') : fc.constant('main'),
    })
    .map(({ payload, signing, id, skew, junk, type, app }) => {
      const at = timestamp() + skew;
      const headers: Record<string, string> = { ...junk, 'content-type': type };
      if (signing === 'signed') {
        const msgId = asHeader(id) || 'msg_1';
        if (provider === 'replicate') {
          Object.assign(headers, { 'webhook-id': msgId, 'webhook-timestamp': String(at), 'webhook-signature': signStandardWebhook(replicateSecret, msgId, at, payload) });
        } else if (provider === 'stripe') {
          headers['stripe-signature'] = h.stripeClient.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET, timestamp: at });
        } else {
          const signature = new Webhook(CLERK_SECRET).sign(msgId, new Date(at * 1000), payload);
          Object.assign(headers, { 'svix-id': msgId, 'svix-timestamp': String(at), 'svix-signature': signature });
        }
      } else if (signing === 'no signature') {
        for (const k of Object.keys(junk)) delete headers[k];
      }
      return { app, method: op.method, url: op.path, headers, payload, caller: `${provider} (${signing})` };
    });
}

// ——— Sending and judging ———

const appOf = (r: FuzzRequest): VisionaApp => (r.app === 'clerk' ? clerk.app : h.app);

/** True when the request itself holds text the leak patterns look for (an answer may echo it). */
function echoesMarkers(r: FuzzRequest): boolean {
  const text = [r.url, ...Object.values(r.headers), Buffer.isBuffer(r.payload) ? r.payload.toString('latin1') : (r.payload ?? '')].join('\n');
  return LEAKS.some((p) => p.test(text)) || LEAKS.some((p) => p.test(decodeURIComponentSafe(r.url)));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Never confirms the deletion of the fuzzing account: no body carries its email address. */
function withoutEmail(r: FuzzRequest): FuzzRequest {
  if (typeof r.payload !== 'string' || !r.payload.toLowerCase().includes(email)) return r;
  return { ...r, payload: r.payload.replaceAll(new RegExp(email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), 'not-the-account@example.com') };
}

async function send(op: Operation, r: FuzzRequest) {
  const res = await appOf(r).inject({
    method: r.method as 'GET',
    url: r.url,
    headers: r.headers,
    ...(r.payload === undefined ? {} : { payload: r.payload }),
  });
  // Signing out ends the fuzzer's session: sign in again so the next requests still reach the routes.
  if (op.key === 'POST /api/v1/auth/logout' && r.caller === 'session' && res.statusCode === 204) {
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
    session = (login.json() as { token: string }).token;
  }
  return res;
}

function judge(r: FuzzRequest, res: { statusCode: number; body: string; headers: Record<string, unknown> }) {
  const shown = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
  const where = `${r.method} ${shown(r.url)} as ${r.caller} → ${res.statusCode} ${shown(res.body)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  for (const leak of LEAKS) expect(res.body, where).not.toMatch(leak);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), where).toMatch(/^application\/json/);
    const error = JSON.parse(res.body) as Record<string, unknown>;
    expect(error, where).toMatchObject({ statusCode: res.statusCode, error: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
    expect((error.message as string).length, where).toBeGreaterThan(10);
  }
}

/** FUZZ_STATS=1 prints the statuses each operation answered, per caller: how deep the runs reach. */
const STATS: Record<string, Record<string, number>> = {};
afterAll(() => {
  if (process.env.FUZZ_STATS) for (const [key, counts] of Object.entries(STATS)) console.warn(key, JSON.stringify(counts));
});
const operations = loadOperations();
// Deletions last, so the other operations still find the user's things.
const ordered = [...operations.filter((o) => o.method !== 'DELETE'), ...operations.filter((o) => o.method === 'DELETE')];

describe(`fuzzing every operation in openapi.yaml (${process.env.DATABASE_URL ? 'postgres server' : 'pglite'}, ${RUNS} runs each${SEED === undefined ? '' : `, seed ${SEED}`})`, () => {
  it('covers every operation of the spec', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(operations.filter((o) => o.path.startsWith('/api/v1/webhooks/')).map((o) => o.key).sort()).toEqual([
      'POST /api/v1/webhooks/clerk',
      'POST /api/v1/webhooks/replicate',
      'POST /api/v1/webhooks/stripe',
    ]);
  });

  for (const op of ordered) {
    const isWebhook = op.path.startsWith('/api/v1/webhooks/');
    it(`${op.key}: no 5xx, no stack trace, errors in the shared shape`, async () => {
      if (isWebhook) {
        ids.replicateJobs = [
          ...(await h.replicateClient.trainings.list()).results.map((t) => t.id),
          ...(await h.replicateClient.predictions.list()).results.map((p) => p.id),
        ];
      }
      const arbitrary = (isWebhook ? webhook(op) : request(op)).filter((r) => !echoesMarkers(r));
      await fc.assert(
        fc.asyncProperty(arbitrary, async (r) => {
          const sent = withoutEmail(r);
          const res = await send(op, sent);
          const counts = (STATS[op.key] ??= {});
          const bucket = `${sent.caller} ${res.statusCode}`;
          counts[bucket] = (counts[bucket] ?? 0) + 1;
          judge(sent, res);
        }),
        runParams(isWebhook ? RUNS * 2 : RUNS),
      );
    });
  }

  it('Clerk mode: junk and forged session tokens on every secured operation are 401s', async () => {
    const secured = operations.filter((o) => o.secured);
    const jwtPart = fc.oneof(fc.base64String({ maxLength: 60 }).map((s) => s.replace(/=+$/, '')), junkString.map((s) => Buffer.from(s).toString('base64url')));
    const forged = fc.tuple(jwtPart, jwtPart, jwtPart).map((p) => p.join('.'));
    const header = fc.oneof(
      fc.constant({ alg: 'none', typ: 'JWT' }),
      fc.constant({ alg: 'RS256', kid: 'ins_test' }),
      fc.record({ alg: junkValue, kid: junkValue }, { requiredKeys: [] }),
    );
    const claims = fc.record({ sub: junkValue, exp: junkValue, nbf: junkValue, azp: junkValue, iss: junkValue, email: junkValue }, { requiredKeys: [] });
    const unsigned = fc.tuple(header, claims, jwtPart).map(([hd, cl, sig]) => `${Buffer.from(JSON.stringify(hd)).toString('base64url')}.${Buffer.from(JSON.stringify(cl ?? null)).toString('base64url')}.${sig}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...secured), fc.oneof(forged, unsigned, junkAuthorization), async (op, token) => {
        const url = op.path.replace(/\{[^}]+\}/g, '00000000-0000-0000-0000-000000000000');
        const r: FuzzRequest = { app: 'clerk', method: op.method, url, headers: { authorization: token.startsWith('Bearer') ? asHeader(token) : `Bearer ${token}` }, caller: 'clerk junk' };
        const res = await send(op, r);
        judge(r, res);
        expect(res.statusCode, `${op.key} with ${token.slice(0, 80)}`).toBe(401);
      }),
      runParams(RUNS * 2),
    );
  });
});
