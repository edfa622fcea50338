import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Generation, GenerationList, PresetList } from '@visiona/shared';
import { createServicesHarness, eventually, type ServicesHarness } from '../helpers/services.ts';
import { balance, call, userWithReadyModel, waitForGeneration } from './helpers.ts';

let h: ServicesHarness;
let user: Awaited<ReturnType<typeof userWithReadyModel>>;

beforeAll(async () => {
  h = await createServicesHarness({ env: { RECONCILE_AFTER_MS: '300', RECONCILE_EVERY_MS: '200', JOBS_RETRY_BASE_MS: '100', LLM_TIMEOUT_MS: '1500' } });
  user = await userWithReadyModel(h);
}, 60_000);
afterAll(async () => h?.close());

const generate = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call<Generation>(h, user.token, 'POST', '/api/v1/generations', { modelId: user.model.id, ...body }, headers);

describe('generation and gallery, through the SDKs and the emulators', () => {
  it('generate (enhanced) → webhook → images stored → gallery → favourite → delete', async () => {
    const before = await balance(h, user.token);
    const res = await generate({ prompt: 'a portrait on a beach at sunset', enhance: true, options: { numOutputs: 2, aspectRatio: '16:9', outputFormat: 'png', seed: 42 } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'Processing', prompt: 'ZXQ_ME, a portrait on a beach at sunset', enhancement: 'enhanced', creditsCost: 2, images: [] });
    expect(res.body.enhancedPrompt).toContain('ZXQ_ME');
    expect(res.body.enhancedPrompt!.length).toBeGreaterThan(res.body.prompt.length);
    expect(await balance(h, user.token)).toBe(before - 2);

    const done = await waitForGeneration(h, user.token, res.body.id, 'Succeeded');
    expect(done.images).toHaveLength(2);
    expect(done.images[0]).toMatchObject({ index: 0, contentType: 'image/png', favorite: false });
    const bytes = Buffer.from(await (await fetch(done.images[0]!.url)).arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width! / meta.height!).toBeCloseTo(16 / 9, 1);
    expect((await fetch(done.images[1]!.thumbnailUrl)).headers.get('content-type')).toMatch(/webp/);
    const download = await fetch(done.images[0]!.downloadUrl);
    expect(download.headers.get('content-disposition')).toMatch(/attachment/);

    const gallery = await call<GenerationList>(h, user.token, 'GET', '/api/v1/generations');
    expect(gallery.body.items[0]!.id).toBe(done.id);

    const fav = await call(h, user.token, 'PATCH', `/api/v1/images/${done.images[1]!.id}`, { favorite: true });
    expect(fav.body).toMatchObject({ id: done.images[1]!.id, favorite: true });
    const favorites = await call<GenerationList>(h, user.token, 'GET', '/api/v1/generations?favorites=true');
    expect(favorites.body.items.map((g) => g.id)).toEqual([done.id]);
    expect(favorites.body.items[0]!.images.map((i) => i.id)).toEqual([done.images[1]!.id]);

    expect((await call(h, user.token, 'DELETE', `/api/v1/generations/${done.id}`)).status).toBe(204);
    expect((await call(h, user.token, 'GET', `/api/v1/generations/${done.id}`)).status).toBe(404);
    expect((await h.app.storage.listTree(`users/${user.user.id}/generations/${done.id}`))).toEqual([]);
  });

  it('Prefer: wait answers 201 when the images are stored; Idempotency-Key gives one generation and one charge', async () => {
    const before = await balance(h, user.token);
    const key = crypto.randomUUID();
    const res = await generate({ prompt: 'ZXQ_ME in a café' }, { prefer: 'wait=20', 'idempotency-key': key });
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    expect(res.body.status).toBe('Succeeded');
    expect(res.body.images).toHaveLength(1);
    expect(res.body.options.seed).toBeNull(); // random unless asked: not coerced to 0
    const again = await generate({ prompt: 'ZXQ_ME in a café' }, { 'idempotency-key': key });
    expect(again.body.id).toBe(res.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance(h, user.token)).toBe(before - 1);
    const explicit = await generate({ prompt: 'ZXQ_ME in a café', options: { seed: null } }, { prefer: 'wait=20' });
    expect(explicit.body.options.seed).toBeNull();
  });

  it('a failed prediction refunds once, even when every webhook arrives twice', async () => {
    const before = await balance(h, user.token);
    h.replicateEmu.faults.duplicateWebhooks();
    h.replicateEmu.faults.failNextPrediction('NSFW content detected (injected)');
    try {
      const res = await generate({ prompt: 'ZXQ_ME at a party', options: { numOutputs: 2 } });
      const failed = await waitForGeneration(h, user.token, res.body.id, 'Failed');
      expect(failed.error).toMatch(/NSFW content detected \(injected\)\. Your 2 credits were refunded\./);
      await h.replicateEmu.webhooksIdle();
    } finally {
      h.replicateEmu.faults.reset();
    }
    expect(await balance(h, user.token)).toBe(before);
  });

  it('with the enhancer down or hanging, it still generates with the original prompt and says so', async () => {
    h.llmEmu.faults.failNextRequests(1, 503);
    const down = await generate({ prompt: 'ZXQ_ME reading a book', enhance: true });
    expect(down.status).toBe(202);
    expect(down.body).toMatchObject({ enhancement: 'unavailable', enhancedPrompt: null });
    h.llmEmu.faults.hangNextRequests(1, 5000);
    const started = Date.now();
    const slow = await generate({ prompt: 'ZXQ_ME walking a dog', enhance: true });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(slow.body.enhancement).toBe('unavailable');
    h.llmEmu.faults.reset();
    await waitForGeneration(h, user.token, slow.body.id, 'Succeeded');
    const preview = await call(h, user.token, 'POST', '/api/v1/prompts/enhance', { prompt: 'me in Paris', modelId: user.model.id });
    expect(preview.body).toMatchObject({ prompt: 'ZXQ_ME, me in Paris', enhancement: 'enhanced' });
  });

  it('with webhooks dropped, the reconciler stores the images', async () => {
    h.replicateEmu.faults.dropWebhooks();
    try {
      const res = await generate({ prompt: 'ZXQ_ME in the snow' });
      const done = await waitForGeneration(h, user.token, res.body.id, 'Succeeded');
      expect(done.images).toHaveLength(1);
    } finally {
      h.replicateEmu.faults.reset();
    }
  });

  it('refuses a model that is not Ready, bad options, and a bad cursor; pages through the gallery', async () => {
    expect((await call(h, user.token, 'POST', '/api/v1/generations', { modelId: crypto.randomUUID(), prompt: 'x' })).status).toBe(404);
    expect((await generate({ prompt: 'x', options: { numOutputs: 5 } })).status).toBe(400);
    expect((await call(h, user.token, 'GET', '/api/v1/generations?cursor=nonsense')).status).toBe(400);
    const first = await call<GenerationList>(h, user.token, 'GET', '/api/v1/generations?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await call<GenerationList>(h, user.token, 'GET', `/api/v1/generations?limit=2&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.items, ...second.body.items].map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    const presets = await call<PresetList>(h, user.token, 'GET', '/api/v1/presets');
    expect(presets.body.items.length).toBeGreaterThanOrEqual(12);
    expect(presets.body.items.every((p) => p.promptTemplate.includes('{trigger}'))).toBe(true);
  });
});

describe('money and safety, with 50 credits an image and an allow-list without the emulator', () => {
  let strict: ServicesHarness;
  let person: Awaited<ReturnType<typeof userWithReadyModel>>;
  beforeAll(async () => {
    strict = await createServicesHarness({ env: { GENERATION_CREDITS_PER_IMAGE: '50', REPLICATE_OUTPUT_HOSTS: 'replicate.delivery,*.replicate.delivery', JOBS_RETRY_BASE_MS: '100' } });
    person = await userWithReadyModel(strict);
  }, 60_000);
  afterAll(async () => strict?.close());

  it('an output from a host not on the allow-list is refused, and the credits come back', async () => {
    const res = await call<Generation>(strict, person.token, 'POST', '/api/v1/generations', { modelId: person.model.id, prompt: 'ZXQ_ME' });
    const failed = await waitForGeneration(strict, person.token, res.body.id, 'Failed');
    expect(failed.error).toMatch(/not on the allow-list/);
    expect(await balance(strict, person.token)).toBe(50);
    expect(await strict.app.storage.listTree(`users/${person.user.id}/generations`)).toEqual([]);
  });

  it('with credits for one image, 20 parallel requests start exactly one prediction', async () => {
    const before = (await strict.replicateClient.predictions.list()).results.length;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call<Generation>(strict, person.token, 'POST', '/api/v1/generations', { modelId: person.model.id, prompt: 'ZXQ_ME' })),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 402)).toHaveLength(19);
    expect(await balance(strict, person.token)).toBe(0);
    await eventually(async () => (await strict.replicateClient.predictions.list()).results.length === before + 1, 10_000, 'the prediction');
    await new Promise((r) => setTimeout(r, 500));
    expect((await strict.replicateClient.predictions.list()).results.length).toBe(before + 1);
  });
});
