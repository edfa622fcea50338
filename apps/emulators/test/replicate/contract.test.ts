import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, pngImage, serveFiles, startEmulator, TERMINAL, TOKEN, TRAINER, waitFor, webhookReceiver, type Harness } from './helpers.ts';

/**
 * Contract check against Replicate's published OpenAPI 3.1 document, following
 * /work/shared/vendor-api/README.md: find the operation by method + path template, take
 * responses[status] (then 4XX/5XX, then default), validate with Ajv2020 with the whole
 * document registered under one id.
 *
 * The document still carries OpenAPI 3.0's `nullable: true` (e.g. on `error`, which its
 * own examples show as `null`); Ajv implements that keyword natively, so no rewrite is needed.
 */
const SPEC_PATH = '/work/shared/vendor-api/replicate-openapi.json';
type Json = Record<string, unknown>;

const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(spec, 'replicate');

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function schemaRef(method: string, template: string, status: number): string | null {
  const op = ((spec['paths'] as Json)[template] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
  if (!op) throw new Error(`operation ${method} ${template} not in the spec`);
  const responses = op['responses'] as Json;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k] !== undefined);
  if (!key) return null;
  const content = (responses[key] as Json)['content'] as Json | undefined;
  if (!content?.['application/json']) return null;
  return `replicate#/${pointer('paths', template, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema')}`;
}

function validate(method: string, template: string, status: number, body: unknown): string[] {
  const ref = schemaRef(method, template, status);
  if (!ref) throw new Error(`no JSON schema documented for ${method} ${template} ${status}`);
  const fn = ajv.getSchema(ref);
  if (!fn) throw new Error(`cannot compile ${ref}`);
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Top-level keys the schema does not list (the schemas allow extra keys, so check them by hand). */
const EXTRA_OK = new Set(['webhook', 'webhook_events_filter']); // returned by the real API and typed by the SDK, absent from the schema
function unknownKeys(schemaName: string, body: Json): string[] {
  const props = Object.keys((((spec['components'] as Json)['schemas'] as Json)[schemaName] as Json)['properties'] as Json);
  return Object.keys(body).filter((k) => !props.includes(k) && !EXTRA_OK.has(k));
}

let h: Harness;
let files: Awaited<ReturnType<typeof serveFiles>>;
const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: Json; type: string }> => {
  const res = await fetch(`${h.baseUrl}/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json, type: res.headers.get('content-type') ?? '' };
};
function expectValid(method: string, template: string, r: { status: number; json: unknown }): void {
  expect(validate(method, template, r.status, r.json), `${method} ${template} ${r.status}: ${JSON.stringify(r.json).slice(0, 400)}`).toEqual([]);
}

beforeAll(async () => {
  h = await startEmulator();
  files = await serveFiles({ 'ok.zip': await makeZip({ 'x.png': await pngImage(1) }), 'bad.zip': await makeZip({ 'x.txt': Buffer.from('hi') }) });
});
afterAll(async () => {
  await h?.close();
  await files?.close();
});

describe('replicate emulator: contract with the vendor OpenAPI document', () => {
  it('the validator rejects bodies that break the schema (sanity)', () => {
    expect(validate('GET', '/predictions/{prediction_id}', 200, { id: 'x', status: 'done' }).length).toBeGreaterThan(0);
    expect(validate('GET', '/trainings/{training_id}', 200, { id: 1, status: 'succeeded' }).length).toBeGreaterThan(0);
    expect(validate('POST', '/models', 201, { owner: 'a', name: 'b', visibility: 'secret' }).length).toBeGreaterThan(0);
  });

  it('models, versions, trainings (all states), lists, webhooks secret and webhook payloads match', async () => {
    const hooks = await webhookReceiver();
    try {
      const m = await call('POST', '/models', { owner: 'visiona', name: 'contract', visibility: 'private', hardware: 'gpu-h100', description: 'c' });
      expect(m.status).toBe(201);
      expectValid('POST', '/models', m);
      expect(unknownKeys('schemas_model_response', m.json)).toEqual([]);
      expectValid('GET', '/models/{model_owner}/{model_name}', await call('GET', '/models/visiona/contract'));
      expectValid('GET', '/models/{model_owner}/{model_name}', await call('GET', `/models/${TRAINER.owner}/${TRAINER.name}`));
      expectValid('GET', '/models/{model_owner}/{model_name}/versions/{version_id}', await call('GET', `/models/${TRAINER.owner}/${TRAINER.name}/versions/${TRAINER.version}`));
      expectValid('GET', '/models/{model_owner}/{model_name}/versions', await call('GET', `/models/${TRAINER.owner}/${TRAINER.name}/versions`));
      expectValid('GET', '/webhooks/default/secret', await call('GET', '/webhooks/default/secret'));

      const path = `/models/${TRAINER.owner}/${TRAINER.name}/versions/${TRAINER.version}/trainings`;
      const t = await call('POST', path, { destination: 'visiona/contract', input: { input_images: `${files.url}/ok.zip`, steps: 50 }, webhook: `${hooks.url}/c` });
      expect(t.status).toBe(201);
      expectValid('POST', '/models/{model_owner}/{model_name}/versions/{version_id}/trainings', t);
      expect(unknownKeys('schemas_training_response', t.json)).toEqual([]);
      const id = String(t.json['id']);
      const states = new Set<string>();
      const done = await waitFor(() => call('GET', `/trainings/${id}`), (r) => {
        expectValid('GET', '/trainings/{training_id}', r);
        states.add(String(r.json['status']));
        return TERMINAL.includes(String(r.json['status']));
      }, 20_000, 10);
      expect(states.has('processing')).toBe(true);
      expect(done.json['status']).toBe('succeeded');
      expectValid('GET', '/models/{model_owner}/{model_name}', await call('GET', '/models/visiona/contract')); // with latest_version

      const failed = await call('POST', path, { destination: 'visiona/contract', input: { input_images: `${files.url}/bad.zip` } });
      const f = await waitFor(() => call('GET', `/trainings/${String(failed.json['id'])}`), (r) => TERMINAL.includes(String(r.json['status'])));
      expect(f.json['status']).toBe('failed');
      expectValid('GET', '/trainings/{training_id}', f);
      const c = await call('POST', path, { destination: 'visiona/contract', input: { input_images: `${files.url}/ok.zip` } });
      const canceled = await call('POST', `/trainings/${String(c.json['id'])}/cancel`);
      expect(canceled.json['status']).toBe('canceled');
      expectValid('POST', '/trainings/{training_id}/cancel', canceled);
      const list = await call('GET', '/trainings');
      expect((list.json['results'] as unknown[]).length).toBe(3);
      expectValid('GET', '/trainings', list);

      const version = (done.json['output'] as Json)['version'] as string;
      const p = await call('POST', '/predictions', { version, input: { prompt: 'TOK', num_outputs: 2 }, webhook: `${hooks.url}/p` });
      expect(p.status).toBe(201);
      expectValid('POST', '/predictions', p);
      expect(unknownKeys('schemas_prediction_response', p.json)).toEqual([]);
      const pd = await waitFor(() => call('GET', `/predictions/${String(p.json['id'])}`), (r) => {
        expectValid('GET', '/predictions/{prediction_id}', r);
        return TERMINAL.includes(String(r.json['status']));
      }, 20_000, 10);
      expect(pd.json['status']).toBe('succeeded');
      const mp = await call('POST', '/models/visiona/contract/predictions', { input: { prompt: 'TOK' } });
      expectValid('POST', '/models/{model_owner}/{model_name}/predictions', mp);
      const pc = await call('POST', `/predictions/${String(mp.json['id'])}/cancel`);
      expectValid('POST', '/predictions/{prediction_id}/cancel', pc);
      expectValid('GET', '/predictions', await call('GET', '/predictions'));

      await h.emu.webhooksIdle();
      expect(hooks.deliveries.length).toBeGreaterThan(4);
      for (const d of hooks.deliveries) {
        const template = 'output' in d.json && Array.isArray(d.json['output']) || 'data_removed' in d.json ? '/predictions/{prediction_id}' : '/trainings/{training_id}';
        expect(validate('GET', template, 200, d.json)).toEqual([]);
      }
    } finally {
      await hooks.close();
    }
  });

  it('errors are problem documents with the documented error fields', async () => {
    const cases = [
      await call('GET', '/predictions', undefined, 'wrong'),
      await call('GET', '/trainings/doesnotexist'),
      await call('POST', '/predictions', { version: 'f'.repeat(64), input: {} }),
      await call('POST', '/models', { owner: 'visiona' }),
    ];
    expect(cases.map((c) => c.status)).toEqual([401, 404, 422, 422]);
    h.emu.faults.failNextRequests(1, 429, 2);
    const throttled = await call('GET', '/trainings');
    expect(throttled.status).toBe(429);
    cases.push(throttled);
    for (const c of cases) {
      expect(c.type).toMatch(/^application\/problem\+json/);
      // the spec documents no error body for these operations; its only error schema ({detail}) is on /search
      expect(schemaRef('GET', '/predictions', c.status)).toBeNull();
      expect(validate('GET', '/search', c.status >= 500 ? 500 : 400, c.json)).toEqual([]);
      expect(c.json).toMatchObject({ title: expect.any(String), detail: expect.any(String), status: c.status });
    }
    expect(cases[3]?.json['invalid_fields']).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
  });
});
