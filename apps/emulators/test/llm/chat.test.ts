import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, call, chatBody, completion, readSse, startEmulator, type Harness, type Json } from './helpers.ts';

let h: Harness;
const NOW = new Date('2026-03-01T12:00:00Z');

beforeAll(async () => {
  h = await startEmulator({ clock: { now: () => NOW } });
});
afterAll(async () => {
  await h?.close();
});

const USER = 'a linkedin headshot of ZXQ_ME\nTrigger word: ZXQ_ME';

async function stream(body: Json): Promise<Json[]> {
  const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events = await readSse(res);
  expect(events.at(-1)).toBe('[DONE]');
  return events.slice(0, -1).map((e) => JSON.parse(e) as Json);
}

describe('llm emulator: chat completions', () => {
  it('answers a chat.completion with the enhanced prompt, usage and the emulator fingerprint', async () => {
    const r = await call(h, 'POST', '/v1/chat/completions', chatBody(USER));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const body = r.json;
    expect(body).toMatchObject({ object: 'chat.completion', created: NOW.getTime() / 1000, model: 'gpt-4o', system_fingerprint: 'fp_visiona_emulator' });
    expect(body['id']).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    const [choice] = body['choices'] as Json[];
    expect(choice).toMatchObject({ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', refusal: null } });
    const content = String((choice?.['message'] as Json)['content']);
    expect(content.startsWith('a linkedin headshot of ZXQ_ME, ')).toBe(true);
    const usage = body['usage'] as Record<string, number>;
    expect(usage['completion_tokens']).toBe(Math.ceil(content.length / 4));
    expect(usage['prompt_tokens']).toBeGreaterThan(USER.length / 4);
    expect(usage['total_tokens']).toBe((usage['prompt_tokens'] ?? 0) + (usage['completion_tokens'] ?? 0));
  });

  it('gives the same answer to the same request, and a new id each time', async () => {
    const [a, b] = await Promise.all([completion(h, USER), completion(h, USER)]);
    expect(a.content).toBe(b.content);
    expect(a.json['id']).not.toBe(b.json['id']);
  });

  it('reads the last user message, in string or text-part form, with a developer message', async () => {
    const plain = await completion(h, 'ZXQ_ME hiking in the mountains');
    const r = await call(h, 'POST', '/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Improve the prompt.' }] },
        { role: 'user', content: 'an older prompt' },
        { role: 'assistant', content: 'an older answer' },
        { role: 'user', content: [{ type: 'text', text: 'ZXQ_ME hiking' }, { type: 'text', text: 'in the mountains' }] },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json['model']).toBe('gpt-4o-mini');
    expect(((r.json['choices'] as Json[])[0]?.['message'] as Json)['content']).toBe(plain.content);
  });

  it('cuts at max_tokens (≈4 characters each) on a word boundary and reports finish_reason length', async () => {
    const full = await completion(h, USER);
    for (const limit of [{ max_tokens: 12 }, { max_completion_tokens: 12 }]) {
      const cut = await completion(h, USER, limit);
      expect(cut.finish).toBe('length');
      expect(cut.content.length).toBeLessThanOrEqual(48);
      expect(full.content.startsWith(cut.content)).toBe(true);
      expect(full.content[cut.content.length]).toMatch(/[ ,]/);
      expect((cut.json['usage'] as Json)['completion_tokens']).toBeLessThanOrEqual(12);
    }
    const roomy = await completion(h, USER, { max_tokens: 1000 });
    expect(roomy).toMatchObject({ content: full.content, finish: 'stop' });
  });

  it('answers n choices, the first one equal to the n=1 answer', async () => {
    const one = await completion(h, USER);
    const r = await call(h, 'POST', '/v1/chat/completions', chatBody(USER, { n: 3 }));
    const choices = r.json['choices'] as Json[];
    expect(choices.map((c) => c['index'])).toEqual([0, 1, 2]);
    const texts = choices.map((c) => String((c['message'] as Json)['content']));
    expect(texts[0]).toBe(one.content);
    for (const t of texts) expect(t.startsWith('a linkedin headshot of ZXQ_ME, ')).toBe(true);
    expect(new Set(texts).size).toBeGreaterThan(1);
  });

  it('wraps the prompt in JSON for response_format json_object and json_schema', async () => {
    const text = (await completion(h, USER)).content;
    const obj = await completion(h, USER, { response_format: { type: 'json_object' } });
    expect(JSON.parse(obj.content)).toEqual({ prompt: text });
    const schema = { type: 'json_schema', json_schema: { name: 'enhanced', schema: { type: 'object', properties: { enhanced_prompt: { type: 'string' } }, required: ['enhanced_prompt'] } } };
    expect(JSON.parse((await completion(h, USER, { response_format: schema })).content)).toEqual({ enhanced_prompt: text });
  });

  it('streams chat.completion.chunk events that add up to the same text, then [DONE]', async () => {
    const full = await completion(h, USER);
    const chunks = await stream(chatBody(USER));
    expect(new Set(chunks.map((c) => c['id'])).size).toBe(1);
    expect(chunks.every((c) => c['object'] === 'chat.completion.chunk' && c['system_fingerprint'] === 'fp_visiona_emulator' && !('usage' in c))).toBe(true);
    const choices = chunks.map((c) => (c['choices'] as Json[])[0] as Json);
    expect(choices[0]?.['delta']).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(choices.at(-1)).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(choices.slice(0, -1).every((c) => c['finish_reason'] === null)).toBe(true);
    expect(choices.length).toBeGreaterThan(5);
    expect(choices.map((c) => (c['delta'] as Json)['content'] ?? '').join('')).toBe(full.content);
  });

  it('streams usage in a last chunk with no choices when stream_options.include_usage is set', async () => {
    const chunks = await stream(chatBody(USER, { max_tokens: 10, stream_options: { include_usage: true } }));
    const last = chunks.at(-1) as Json;
    expect(last['choices']).toEqual([]);
    expect(last['usage']).toMatchObject({ completion_tokens: expect.any(Number), prompt_tokens: expect.any(Number) });
    expect(chunks.slice(0, -1).every((c) => c['usage'] === null)).toBe(true);
    expect(((chunks.at(-2)?.['choices'] as Json[])[0] as Json)['finish_reason']).toBe('length');
  });

  it('lists and retrieves models', async () => {
    const list = await call(h, 'GET', '/v1/models');
    expect(list.json['object']).toBe('list');
    const ids = (list.json['data'] as Json[]).map((m) => m['id']);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));
    expect((await call(h, 'GET', '/v1/models/gpt-4o')).json).toMatchObject({ id: 'gpt-4o', object: 'model', owned_by: 'system' });
    const missing = await call(h, 'GET', '/v1/models/gpt-2');
    expect(missing.status).toBe(404);
    expect((missing.json['error'] as Json)['code']).toBe('model_not_found');
  });

  it('serves the models it was configured with', async () => {
    const other = await startEmulator({ models: ['llama3.2'] });
    try {
      expect(((await call(other, 'GET', '/v1/models')).json['data'] as Json[]).map((m) => m['id'])).toEqual(['llama3.2']);
      expect((await call(other, 'POST', '/v1/chat/completions', { ...chatBody(USER), model: 'llama3.2' })).status).toBe(200);
      expect((await call(other, 'POST', '/v1/chat/completions', chatBody(USER))).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('llm emulator: errors in OpenAI\'s shape', () => {
  const errorOf = (r: { json: Json }): Json => r.json['error'] as Json;

  it('401 for a missing or wrong key, without echoing the key whole', async () => {
    const missing = await call(h, 'POST', '/v1/chat/completions', chatBody(USER), null);
    expect(missing.status).toBe(401);
    expect(errorOf(missing)).toMatchObject({ type: 'invalid_request_error', param: null, code: null, message: expect.stringMatching(/didn't provide an API key/) });
    const wrongKey = 'sk-wrong-secret-value-9876';
    const wrong = await call(h, 'GET', '/v1/models', undefined, wrongKey);
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong)).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
    expect(String(errorOf(wrong)['message'])).not.toContain(wrongKey);
    expect(String(errorOf(wrong)['message'])).toContain('9876');
  });

  it.each([
    ['missing messages', { model: 'gpt-4o' }, 'messages', 'missing_required_parameter'],
    ['empty messages', { model: 'gpt-4o', messages: [] }, 'messages', 'empty_array'],
    ['an unknown role', { model: 'gpt-4o', messages: [{ role: 'bot', content: 'hi' }] }, 'messages[0].role', 'invalid_value'],
    ['content of the wrong type', { model: 'gpt-4o', messages: [{ role: 'user', content: 42 }] }, 'messages[0].content', 'invalid_type'],
    ['max_tokens below 1', { ...chatBody('x'), max_tokens: 0 }, 'max_tokens', 'integer_below_min_value'],
    ['a fractional n', { ...chatBody('x'), n: 1.5 }, 'n', 'invalid_type'],
    ['temperature above 2', { ...chatBody('x'), temperature: 3 }, 'temperature', 'invalid_value'],
    ['an unknown response_format', { ...chatBody('x'), response_format: { type: 'yaml' } }, 'response_format.type', 'invalid_value'],
  ])('400 for %s', async (_name, body, param, code) => {
    const r = await call(h, 'POST', '/v1/chat/completions', body);
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ type: 'invalid_request_error', param, code, message: expect.any(String) });
  });

  it('400 for a missing model and for a body that is not JSON', async () => {
    const noModel = await call(h, 'POST', '/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    expect(noModel.status).toBe(400);
    expect(errorOf(noModel)['message']).toBe('you must provide a model parameter');
    const bad = await call(h, 'POST', '/v1/chat/completions', '{"model": "gpt-4o",');
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/could not parse the JSON body/) });
  });

  it('404 model_not_found for an unknown model, 404 Invalid URL for an unknown route', async () => {
    const r = await call(h, 'POST', '/v1/chat/completions', { ...chatBody(USER), model: 'gpt-9' });
    expect(r.status).toBe(404);
    expect(errorOf(r)).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found', message: 'The model `gpt-9` does not exist or you do not have access to it.' });
    const route = await call(h, 'POST', '/v1/completions', {});
    expect(route.status).toBe(404);
    expect(errorOf(route)['message']).toBe('Invalid URL (POST /v1/completions)');
  });
});
