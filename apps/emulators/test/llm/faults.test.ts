import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, call, chatBody, startEmulator, type Harness, type Json } from './helpers.ts';

let h: Harness;

beforeAll(async () => {
  h = await startEmulator();
});
afterEach(() => {
  h.emu.faults.reset();
});
afterAll(async () => {
  await h?.close();
});

const chat = (signal?: AbortSignal): ReturnType<typeof call> => call(h, 'POST', '/v1/chat/completions', chatBody('ZXQ_ME at the beach'), API_KEY, signal);

describe('llm emulator: fault injection', () => {
  it('the next N requests answer 429 with retry-after, then requests succeed again', async () => {
    h.emu.faults.failNextRequests(2, 429, 1500);
    for (let i = 0; i < 2; i++) {
      const r = await chat();
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(r.headers.get('retry-after-ms')).toBe('1500');
      expect(r.json['error']).toMatchObject({ code: 'rate_limit_exceeded', param: null, message: expect.stringMatching(/Rate limit reached/) });
    }
    expect((await chat()).status).toBe(200);
  });

  it.each([500, 502, 503] as const)('injects %i as a server_error', async (status) => {
    h.emu.faults.failNextRequests(1, status);
    const r = await call(h, 'GET', '/v1/models');
    expect(r.status).toBe(status);
    expect(r.json['error']).toMatchObject({ type: 'server_error', code: null, param: null });
    expect(String((r.json['error'] as Json)['message'])).not.toMatch(/stack|at .*\.ts/);
    expect((await call(h, 'GET', '/v1/models')).status).toBe(200);
  });

  it('adds a fixed latency to every request', async () => {
    h.emu.faults.setLatency(150);
    const start = performance.now();
    await Promise.all([chat(), chat()]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(145);
    h.emu.faults.setLatency(0);
    const quick = performance.now();
    await chat();
    expect(performance.now() - quick).toBeLessThan(140);
  });

  it('holds a request for the given time, so a client timeout fires, and the next request is answered', async () => {
    h.emu.faults.hangNextRequests(1, 2_000);
    const start = performance.now();
    await expect(chat(AbortSignal.timeout(150))).rejects.toThrow(/abort|timeout/i);
    expect(performance.now() - start).toBeLessThan(1_000);
    expect((await chat()).status).toBe(200);
  });

  it('a request held until close is released when the emulator closes', async () => {
    const own = await startEmulator();
    own.emu.faults.hangNextRequests(1);
    let settled = false;
    const held = call(own, 'GET', '/v1/models').then(() => 'answered', () => 'closed').finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    await own.close();
    expect(['answered', 'closed']).toContain(await held);
  });

  it('POST /_emulator/faults needs the key, validates the body and applies it; health is open', async () => {
    expect((await call(h, 'GET', '/_emulator/health', undefined, null)).json).toEqual({ status: 'ok', service: 'llm-emulator' });
    expect((await call(h, 'POST', '/_emulator/faults', { latency_ms: 10 }, null)).status).toBe(401);
    expect((await call(h, 'POST', '/_emulator/faults', { latency_ms: 10 }, 'sk-nope-nope-nope')).status).toBe(401);
    const bad = await call(h, 'POST', '/_emulator/faults', { http_error: { status: 418 }, latency_ms: 5 });
    expect(bad.status).toBe(400);
    expect(h.emu.faults.latencyMs).toBe(0);
    const ok = await call(h, 'POST', '/_emulator/faults', { http_error: { count: 1, status: 503 }, hang: { count: 0 }, latency_ms: 5 });
    expect(ok.json).toEqual({ latency_ms: 5, pending_http_errors: 1, pending_hangs: 0 });
    expect((await chat()).status).toBe(503);
    const reset = await call(h, 'POST', '/_emulator/faults', { reset: true });
    expect(reset.json).toEqual({ latency_ms: 0, pending_http_errors: 0, pending_hangs: 0 });
  });

  it('faults apply to /v1 only, not to the fault endpoint itself', async () => {
    h.emu.faults.failNextRequests(1, 500);
    expect((await call(h, 'GET', '/_emulator/faults')).status).toBe(200);
    expect((await call(h, 'GET', '/v1/models')).status).toBe(500);
  });
});
