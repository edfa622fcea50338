import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, call, chatBody, readSse, startEmulator, type Harness, type Json } from './helpers.ts';

/**
 * Contract check against OpenAI's published OpenAPI 3.0 description. /work/shared/vendor-api/
 * holds no OpenAI document, so `openai-openapi-subset.json` beside this file carries the
 * operations and schemas used here, transcribed unchanged from openai/openai-openapi (the
 * commit is in its `info.x-subset-source`). As /work/shared/vendor-api/README.md says for 3.0
 * documents, each `nullable: true` becomes an extra `{type: 'null'}` alternative (Ajv's own
 * `nullable` would still refuse null where an `enum` does not list it, e.g. a chunk's
 * `finish_reason`).
 */
function nullableToAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToAnyOf);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Json;
  const mapped = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, nullableToAnyOf(v)]));
  return nullable === true ? { anyOf: [mapped, { type: 'null' }] } : mapped;
}
const spec = nullableToAnyOf(JSON.parse(readFileSync(new URL('./openai-openapi-subset.json', import.meta.url), 'utf8'))) as Json;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(spec, 'openai');
const schemas = (spec['components'] as Json)['schemas'] as Json;

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function errorsFor(ref: string, body: unknown): string[] {
  const fn = ajv.getSchema(ref);
  if (!fn) throw new Error(`cannot compile ${ref}`);
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
const operation = (method: string, template: string): string => `openai#/${pointer('paths', template, method, 'responses', '200', 'content', 'application/json', 'schema')}`;
const component = (name: string): string => `openai#/components/schemas/${name}`;

function expectValid(ref: string, body: unknown): void {
  expect(errorsFor(ref, body), JSON.stringify(body).slice(0, 400)).toEqual([]);
}

/** Top-level keys the schema does not list (the schemas allow extra keys, so check them by hand). */
function unknownKeys(schemaName: string, body: Json): string[] {
  const props = Object.keys((schemas[schemaName] as Json)['properties'] as Json);
  return Object.keys(body).filter((k) => !props.includes(k));
}

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h?.close();
});

describe('llm emulator: contract with OpenAI\'s OpenAPI description', () => {
  it('the validator rejects bodies that break the schema (sanity)', () => {
    expect(errorsFor(operation('post', '/chat/completions'), { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'done', message: { role: 'assistant', content: 'x', refusal: null }, logprobs: null }] }).length).toBeGreaterThan(0);
    expect(errorsFor(operation('post', '/chat/completions'), { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'x' }, logprobs: null }] }).length).toBeGreaterThan(0);
    expect(errorsFor(component('ErrorResponse'), { error: { message: 'x', type: 'y', code: null } }).length).toBeGreaterThan(0);
    expect(errorsFor(operation('get', '/models'), { object: 'list', data: [{ id: 'x', object: 'model', created: 1 }] }).length).toBeGreaterThan(0);
  });

  it('chat completions (plain, cut by max_tokens, n > 1, JSON mode) match CreateChatCompletionResponse', async () => {
    const bodies = [
      chatBody('a linkedin headshot of ZXQ_ME'),
      chatBody('ZXQ_ME at the beach', { max_tokens: 8 }),
      chatBody('ZXQ_ME at the beach', { n: 2, temperature: 0.7 }),
      chatBody('ZXQ_ME at the beach', { response_format: { type: 'json_object' } }),
    ];
    for (const body of bodies) {
      const r = await call(h, 'POST', '/v1/chat/completions', body);
      expect(r.status).toBe(200);
      expectValid(operation('post', '/chat/completions'), r.json);
      expect(unknownKeys('CreateChatCompletionResponse', r.json)).toEqual([]);
      for (const c of r.json['choices'] as Json[]) expect(unknownKeys('ChatCompletionResponseMessage', c['message'] as Json)).toEqual([]);
    }
  });

  it('stream chunks match CreateChatCompletionStreamResponse', async () => {
    for (const extra of [{}, { n: 2, max_tokens: 6 }, { stream_options: { include_usage: true } }]) {
      const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(chatBody('ZXQ_ME in the city at night', { ...extra, stream: true })),
      });
      const chunks = (await readSse(res)).slice(0, -1).map((e) => JSON.parse(e) as Json);
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) {
        // The schema types `usage` as an object, while its own description (and the real API)
        // sends `null` on every chunk but the last when include_usage is set.
        const { usage, ...rest } = chunk;
        if (usage === null) expectValid(component('CreateChatCompletionStreamResponse'), rest);
        else expectValid(component('CreateChatCompletionStreamResponse'), chunk);
        expect(unknownKeys('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      }
    }
  });

  it('models list and model match ListModelsResponse and Model', async () => {
    const list = await call(h, 'GET', '/v1/models');
    expectValid(operation('get', '/models'), list.json);
    for (const m of list.json['data'] as Json[]) expect(unknownKeys('Model', m)).toEqual([]);
    expectValid(operation('get', '/models/{model}'), (await call(h, 'GET', '/v1/models/gpt-4o-mini')).json);
  });

  it('every error answer matches ErrorResponse', async () => {
    const answers = [
      await call(h, 'GET', '/v1/models', undefined, null),
      await call(h, 'GET', '/v1/models', undefined, 'sk-wrong-wrong-wrong'),
      await call(h, 'POST', '/v1/chat/completions', { model: 'gpt-4o' }),
      await call(h, 'POST', '/v1/chat/completions', '{nope'),
      await call(h, 'POST', '/v1/chat/completions', { ...chatBody('x'), model: 'gpt-1' }),
      await call(h, 'GET', '/v1/models/gpt-1'),
      await call(h, 'GET', '/v1/unknown'),
    ];
    h.emu.faults.failNextRequests(1, 429, 10);
    h.emu.faults.failNextRequests(1, 503);
    answers.push(await call(h, 'GET', '/v1/models'), await call(h, 'GET', '/v1/models'));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 400, 400, 404, 404, 404, 429, 503]);
    for (const a of answers) {
      expect(a.headers.get('content-type')).toMatch(/^application\/json/);
      expectValid(component('ErrorResponse'), a.json);
      expect(unknownKeys('Error', a.json['error'] as Json)).toEqual([]);
    }
  });
});
