import Replicate, { validateWebhook, type ApiError, type Prediction } from 'replicate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicateEmulator } from '../../src/replicate/server.ts';
import { makeZip, pngImage, serveFiles, startEmulator, TERMINAL, TOKEN, trainModel, waitFor, webhookReceiver, type Harness } from './helpers.ts';

let h: Harness;
let files: Awaited<ReturnType<typeof serveFiles>>;
let version: string; // owner/model:hash

beforeAll(async () => {
  h = await startEmulator();
  files = await serveFiles({ 'photos.zip': await makeZip({ '1.png': await pngImage(1), '2.png': await pngImage(2) }) });
  const t = await trainModel(h, `${files.url}/photos.zip`, 'me');
  expect(t.status).toBe('succeeded');
  version = t.output.version;
});

afterAll(async () => {
  await h?.close();
  await files?.close();
});

async function predict(input: Record<string, unknown>, ref = version): Promise<Prediction> {
  const created = await h.replicate.predictions.create({ version: ref, input });
  expect(created.status).toBe('starting');
  return waitFor(() => h.replicate.predictions.get(created.id), (p) => TERMINAL.includes(p.status));
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const SHARP_FORMAT: Record<string, string> = { png: 'png', jpg: 'jpeg', webp: 'webp' };

describe('replicate emulator: predictions', () => {
  it.each([
    ['png', '16:9', 2, 1344, 768],
    ['jpg', '1:1', 1, 1024, 1024],
    ['webp', '9:16', 3, 768, 1344],
  ] as const)('renders %s images for aspect ratio %s (x%i) with the right size', async (format, aspect, count, w, hgt) => {
    const p = await predict({ prompt: 'a photo of TOK in Paris', num_outputs: count, aspect_ratio: aspect, output_format: format, seed: 42 });
    expect(p.status).toBe('succeeded');
    expect(p.version).toBe(version.split(':')[1]);
    expect(p.model).toBe(version.split(':')[0]);
    const out = p.output as string[];
    expect(out).toHaveLength(count);
    for (const [i, url] of out.entries()) {
      expect(url).toMatch(new RegExp(`^${h.baseUrl}/files/[0-9a-f]+/out-${i}\\.${format}$`));
      const meta = await sharp(await download(url)).metadata();
      expect(meta.format).toBe(SHARP_FORMAT[format]);
      expect([meta.width, meta.height]).toEqual([w, hgt]);
    }
    expect(p.logs).toMatch(/SIMULATED/);
    expect((p.metrics as Record<string, unknown>)['simulated']).toBe(true);
  });

  it('is deterministic for the same prompt and seed, and differs for another seed', async () => {
    const input = { prompt: 'TOK as an astronaut', output_format: 'png', seed: 1234 };
    const [a, b, c] = await Promise.all([predict(input), predict(input, version.split(':')[1]), predict({ ...input, seed: 1235 })]);
    const [ba, bb, bc] = await Promise.all([a, b, c].map((p) => download((p.output as string[])[0] ?? '')));
    expect(ba?.equals(bb ?? Buffer.alloc(0))).toBe(true);
    expect(ba?.equals(bc ?? Buffer.alloc(0))).toBe(false);
  });

  it('Prefer: wait returns the finished prediction, and replicate.run works', async () => {
    const p = await h.replicate.predictions.create({ version, input: { prompt: 'TOK smiling', seed: 1 }, wait: true });
    expect(p.status).toBe('succeeded');
    expect(p.output).toHaveLength(1);
    const out = (await h.replicate.run(version as `${string}/${string}:${string}`, { input: { prompt: 'TOK smiling', seed: 1 } })) as string[];
    expect(out).toHaveLength(1);
    expect((await download(out[0] ?? '')).equals(await download((p.output as string[])[0] ?? ''))).toBe(true);
  });

  it('sends signed prediction webhooks ending with the output', async () => {
    const hooks = await webhookReceiver();
    try {
      const created = await h.replicate.predictions.create({ version, input: { prompt: 'TOK', seed: 3 }, webhook: `${hooks.url}/p`, webhook_events_filter: ['start', 'completed'] });
      await waitFor(() => h.replicate.predictions.get(created.id), (p) => TERMINAL.includes(p.status));
      await h.emu.webhooksIdle();
      expect(hooks.deliveries.map((d) => d.json['status'])).toEqual(['starting', 'succeeded']);
      const last = hooks.deliveries[1];
      expect((last?.json['output'] as string[]).length).toBe(1);
      const secret = (await h.replicate.webhooks.default.secret.get()).key;
      for (const d of hooks.deliveries) {
        const headers = new Headers({ 'webhook-id': String(d.headers['webhook-id']), 'webhook-timestamp': String(d.headers['webhook-timestamp']), 'webhook-signature': String(d.headers['webhook-signature']) });
        expect(await validateWebhook(new Request('http://x', { method: 'POST', headers, body: d.body }), secret)).toBe(true);
      }
    } finally {
      await hooks.close();
    }
  });

  it('rejects invalid input and unknown versions with 422', async () => {
    await expect(h.replicate.predictions.create({ version, input: { prompt: 'x', num_outputs: 5 } })).rejects.toThrow(/422.*num_outputs/s);
    await expect(h.replicate.predictions.create({ version, input: { prompt: 'x', output_format: 'gif' } })).rejects.toThrow(/422.*output_format/s);
    await expect(h.replicate.predictions.create({ version: 'f'.repeat(64), input: { prompt: 'x' } })).rejects.toThrow(/422.*Invalid version/s);
  });

  it('an injected failure fails the next prediction; cancel works', async () => {
    h.emu.faults.failNextPrediction();
    const failed = await predict({ prompt: 'TOK' });
    expect(failed.status).toBe('failed');
    expect(String(failed.error)).toMatch(/CUDA error/);
    expect(failed.output).toBeNull();

    const p = await h.replicate.predictions.create({ version, input: { prompt: 'TOK', num_outputs: 4, num_inference_steps: 50 } });
    const canceled = await h.replicate.predictions.cancel(p.id);
    expect(canceled.status).toBe('canceled');
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.replicate.predictions.get(p.id)).status).toBe('canceled');
  });

  it('429s are retried by the SDK (up to 5 retries), then surface as ApiError', async () => {
    h.emu.faults.failNextRequests(3, 429, 1);
    const p = await h.replicate.predictions.create({ version, input: { prompt: 'TOK', seed: 9 } }); // POST is retried on 429
    expect(p.id).toBeTruthy();
    h.emu.faults.failNextRequests(2, 500);
    expect((await h.replicate.predictions.get(p.id)).id).toBe(p.id); // GET is retried on 5xx

    h.emu.faults.failNextRequests(10, 429, 1);
    const err = (await h.replicate.predictions.get(p.id).catch((e: unknown) => e)) as ApiError;
    expect(err.name).toBe('ApiError');
    expect(err.response.status).toBe(429);
    expect(err.response.headers.get('retry-after')).toBe('1');
    expect(err.message).toMatch(/Request was throttled/);
    expect(h.emu.faults.snapshot()['pending_http_errors']).toBe(4); // 1 try + 5 retries consumed 6
    h.emu.faults.reset();

    h.emu.faults.failNextRequests(1, 500);
    await expect(h.replicate.predictions.create({ version, input: { prompt: 'TOK' } })).rejects.toThrow(/500/); // POST not retried on 5xx
  });

  it('a hung request is held for the requested time', async () => {
    h.emu.faults.hangNextRequests(1, 400);
    const t0 = Date.now();
    await h.replicate.trainings.list();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });

  it('a wrong token gets 401 in Replicate problem shape', async () => {
    const bad = new Replicate({ auth: 'r8_wrong', baseUrl: `${h.baseUrl}/v1` });
    const err = (await bad.predictions.get('whatever').catch((e: unknown) => e)) as ApiError;
    expect(err.response.status).toBe(401);
    const res = await fetch(`${h.baseUrl}/v1/predictions`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await res.json()).toEqual({ title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 });
    expect((await fetch(`${h.baseUrl}/v1/predictions`)).status).toBe(401);
  });

  it('outputs expire after an hour (data_removed)', async () => {
    let now = Date.now();
    const emu = await createReplicateEmulator({ apiToken: TOKEN, publicUrl: 'http://placeholder', speed: 50, clock: { now: () => new Date(now) } });
    try {
      await emu.app.ready();
      const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
        const res = await emu.app.inject({ method, url, payload: payload as Record<string, unknown>, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
        return { status: res.statusCode, json: res.json() as Record<string, unknown> };
      };
      await inject('POST', '/v1/models', { owner: 'v', name: 'm', visibility: 'private', hardware: 'cpu' });
      const z = await makeZip({ 'a.png': await pngImage(4) });
      const srv = await serveFiles({ 'z.zip': z });
      const t = await inject('POST', `/v1/models/ostris/flux-dev-lora-trainer/versions/b6af14222e6bd9be257cbc1ea4afda3cd0503e1133083b9d1de0364d8568e6ef/trainings`, { destination: 'v/m', input: { input_images: `${srv.url}/z.zip`, steps: 10 } });
      const tr = await waitFor(() => inject('GET', `/v1/trainings/${String(t.json['id'])}`), (r) => TERMINAL.includes(String(r.json['status'])));
      await srv.close();
      const p = await inject('POST', '/v1/predictions', { version: (tr.json['output'] as { version: string }).version, input: { prompt: 'TOK' } });
      expect(p.status).toBe(201);
      const done = await waitFor(() => inject('GET', `/v1/predictions/${String(p.json['id'])}`), (r) => TERMINAL.includes(String(r.json['status'])));
      const file = new URL((done.json['output'] as string[])[0] ?? '').pathname;
      expect((await emu.app.inject({ method: 'GET', url: file })).statusCode).toBe(200);
      now += 61 * 60 * 1000;
      expect((await emu.app.inject({ method: 'GET', url: file })).statusCode).toBe(404);
      const later = await inject('GET', `/v1/predictions/${String(p.json['id'])}`);
      expect(later.json).toMatchObject({ status: 'succeeded', data_removed: true, output: null });
    } finally {
      await emu.close();
    }
  });
});
