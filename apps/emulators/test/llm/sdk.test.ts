import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startEmulator, type Harness } from './helpers.ts';

let h: Harness;
const client = (opts: { apiKey?: string; maxRetries?: number; timeout?: number } = {}): OpenAI => new OpenAI({ apiKey: API_KEY, baseURL: `${h.baseUrl}/v1`, ...opts });
type Body = Omit<ChatCompletionCreateParamsNonStreaming, 'stream'>;
const body = (user: string, extra: Partial<Body> = {}): Body => ({
  model: 'gpt-4o',
  messages: [{ role: 'system', content: 'Rewrite the prompt for a photo. Keep the trigger word.' }, { role: 'user', content: user }],
  ...extra,
});
const USER = 'ZXQ_ME on a rooftop in the city at night\nTrigger word: ZXQ_ME';

describe('llm emulator: through the official openai SDK', () => {
  beforeAll(async () => {
    h = await startEmulator();
  });
  afterEach(() => {
    h.emu.faults.reset();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('chat.completions.create returns the enhanced prompt, with the request id', async () => {
    const { data, request_id } = await client().chat.completions.create(body(USER)).withResponse();
    expect(request_id).toMatch(/^req_/);
    expect(data.system_fingerprint).toBe('fp_visiona_emulator');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.choices[0]?.message.content?.startsWith('ZXQ_ME on a rooftop in the city at night, ')).toBe(true);
    const cut = await client().chat.completions.create(body(USER, { max_completion_tokens: 10 }));
    expect(cut.choices[0]?.finish_reason).toBe('length');
  });

  it('streams chunks, and the stream helper assembles the same completion', async () => {
    const full = await client().chat.completions.create(body(USER));
    let text = '';
    for await (const chunk of await client().chat.completions.create({ ...body(USER), stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(full.choices[0]?.message.content);
    const final = await client().chat.completions.stream(body(USER)).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(full.choices[0]?.message.content);
    expect(final.choices[0]?.finish_reason).toBe('stop');
  });

  it('models.list pages through the models', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));
  });

  it('a wrong key raises AuthenticationError, an unknown model NotFoundError', async () => {
    await expect(client({ apiKey: 'sk-wrong-wrong-wrong' }).chat.completions.create(body(USER))).rejects.toSatisfy((e) => e instanceof OpenAI.AuthenticationError && (e as { code?: string }).code === 'invalid_api_key');
    await expect(client().chat.completions.create(body(USER, { model: 'gpt-9' }))).rejects.toSatisfy((e) => e instanceof OpenAI.NotFoundError && (e as { code?: string }).code === 'model_not_found');
  });

  it('the SDK retries 429 (honouring retry-after-ms) and 503, then succeeds', async () => {
    h.emu.faults.failNextRequests(1, 429, 50);
    h.emu.faults.failNextRequests(1, 503);
    const done = await client({ maxRetries: 2 }).chat.completions.create(body(USER));
    expect(done.choices[0]?.finish_reason).toBe('stop');
    expect(h.emu.faults.snapshot()['pending_http_errors']).toBe(0);
    h.emu.faults.failNextRequests(1, 429, 50);
    await expect(client({ maxRetries: 0 }).chat.completions.create(body(USER))).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('a hung request hits the SDK timeout; with a retry left, the next attempt succeeds', async () => {
    h.emu.faults.hangNextRequests(1, 5_000);
    const start = performance.now();
    await expect(client({ timeout: 200, maxRetries: 0 }).chat.completions.create(body(USER))).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(performance.now() - start).toBeLessThan(2_000);
    h.emu.faults.hangNextRequests(1, 5_000);
    const retried = await client({ timeout: 300, maxRetries: 1 }).chat.completions.create(body(USER));
    expect(retried.choices[0]?.message.content).toContain('ZXQ_ME');
  });
});
