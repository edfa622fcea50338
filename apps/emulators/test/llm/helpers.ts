import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLlmEmulator, type LlmEmulator, type LlmEmulatorOptions } from '../../src/llm/server.ts';

export const API_KEY = 'sk-test-visiona-0123456789';
export type Json = Record<string, unknown>;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Harness {
  emu: LlmEmulator;
  /** e.g. http://127.0.0.1:1234 (the SDK's baseURL is this plus /v1). */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startEmulator(opts: Partial<LlmEmulatorOptions> = {}): Promise<Harness> {
  const port = await freePort();
  const emu = await createLlmEmulator({ apiKey: API_KEY, ...opts });
  await emu.app.listen({ host: '127.0.0.1', port });
  return { emu, baseUrl: `http://127.0.0.1:${port}`, close: () => emu.close() };
}

export interface Answer {
  status: number;
  headers: Headers;
  json: Json;
}

export async function call(h: Harness, method: 'GET' | 'POST', path: string, body?: unknown, key: string | null = API_KEY, signal?: AbortSignal): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), signal: signal ?? null });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}

export function chatBody(user: string, extra: Json = {}, system = 'Rewrite the prompt for a photo of the person. Keep the trigger word. Answer with the prompt only.'): Json {
  return { model: 'gpt-4o', messages: [{ role: 'system', content: system }, { role: 'user', content: user }], ...extra };
}

export async function completion(h: Harness, user: string, extra: Json = {}): Promise<{ content: string; finish: string; json: Json }> {
  const r = await call(h, 'POST', '/v1/chat/completions', chatBody(user, extra));
  if (r.status !== 200) throw new Error(`status ${r.status}: ${JSON.stringify(r.json)}`);
  const choice = (r.json['choices'] as Json[])[0] as Json;
  return { content: String((choice['message'] as Json)['content']), finish: String(choice['finish_reason']), json: r.json };
}

/** Reads a Server-Sent Events body into its `data:` payloads, checking the framing on the way. */
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  if (!text.endsWith('\n\n')) throw new Error('SSE body must end with a blank line');
  return text.split('\n\n').filter(Boolean).map((event) => {
    if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`not a single-line data event: ${event}`);
    return event.slice('data: '.length);
  });
}
