import { createHmac } from 'node:crypto';
import { validateWebhook } from 'replicate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, pngImage, serveFiles, startEmulator, TERMINAL, TOKEN, TRAINER, waitFor, webhookReceiver, type Delivery, type Harness } from './helpers.ts';

let h: Harness;
let files: Awaited<ReturnType<typeof serveFiles>>;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
let n = 0;

beforeAll(async () => {
  h = await startEmulator();
  files = await serveFiles({
    'photos.zip': await makeZip({ 'a.png': await pngImage(1), 'b.png': await pngImage(2), 'sub/c.png': await pngImage(3), 'a.txt': Buffer.from('a photo of TOK') }),
    'no-images.zip': await makeZip({ 'notes.txt': Buffer.from('hello'), 'fake.png': Buffer.from('this is not a png at all') }),
    'not-a-zip.zip': Buffer.from('PK? no, just text'),
  });
  hooks = await webhookReceiver();
});

afterAll(async () => {
  await h?.close();
  await files?.close();
  await hooks?.close();
});

function nextModel(): string {
  n += 1;
  return `lora-${n}`;
}

async function createTraining(zip: string, extra: Record<string, unknown> = {}, webhook?: string, filter?: ('start' | 'output' | 'logs' | 'completed')[]) {
  const name = nextModel();
  await h.replicate.models.create('visiona', name, { visibility: 'private', hardware: 'gpu-h100' });
  return h.replicate.trainings.create(TRAINER.owner, TRAINER.name, TRAINER.version, {
    destination: `visiona/${name}`,
    input: { input_images: `${files.url}/${zip}`, steps: 200, lora_rank: 16, learning_rate: 0.0004, ...extra },
    ...(webhook ? { webhook } : {}),
    ...(filter ? { webhook_events_filter: filter } : {}),
  });
}

const forTraining = (id: string) => (d: Delivery) => d.json['id'] === id;

function ownSignatureCheck(d: Delivery, secret: string): void {
  const id = String(d.headers['webhook-id']);
  const ts = Number(d.headers['webhook-timestamp']);
  expect(id).toMatch(/^msg_/);
  expect(Math.abs(Date.now() / 1000 - ts)).toBeLessThan(300); // Standard Webhooks tolerance
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${d.body}`).digest('base64');
  expect(String(d.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
}

describe('replicate emulator: trainings', () => {
  it('models.create then models.get round-trips', async () => {
    const m = await h.replicate.models.create('visiona', 'roundtrip', { visibility: 'private', hardware: 'gpu-h100', description: 'x' });
    expect(m).toMatchObject({ owner: 'visiona', name: 'roundtrip', visibility: 'private', latest_version: null });
    const got = await h.replicate.models.get('visiona', 'roundtrip');
    expect(got.name).toBe('roundtrip');
    await expect(h.replicate.models.create('visiona', 'roundtrip', { visibility: 'private', hardware: 'gpu-h100' })).rejects.toThrow(/409/);
  });

  it('trains a LoRA: tqdm logs grow, output version registered, signed webhooks delivered', async () => {
    const secret = (await h.replicate.webhooks.default.secret.get()).key;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const created = await createTraining('photos.zip', {}, `${hooks.url}/hook`);
    expect(created.status).toBe('starting');
    expect(created.model).toBe(`${TRAINER.owner}/${TRAINER.name}`);
    expect(created.version).toBe(TRAINER.version);
    expect(created.urls.get).toBe(`${h.baseUrl}/v1/trainings/${created.id}`);

    const seenStatuses = new Set<string>();
    const done = await waitFor(
      () => h.replicate.trainings.get(created.id),
      (t) => {
        seenStatuses.add(t.status);
        return TERMINAL.includes(t.status);
      },
    );
    expect(done.error ?? null).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(seenStatuses.has('processing')).toBe(true);
    expect(done.started_at).toBeTruthy();
    expect(done.completed_at).toBeTruthy();
    expect(done.metrics?.predict_time).toBeGreaterThan(0);

    const tqdm = (done.logs ?? '').split('\n').filter((l) => l.startsWith('flux_train_replicate:'));
    expect(tqdm.length).toBeGreaterThanOrEqual(10);
    const re = /^flux_train_replicate: +(\d+)%\|.{10}\| (\d+)\/200 \[\d\d:\d\d<\d\d:\d\d, [\d.]+it\/s, lr: 4\.0e-04 loss: \d\.\de-\d\d\]$/;
    const pcts = tqdm.map((l) => {
      const m = re.exec(l);
      expect(m, l).not.toBeNull();
      return Number(m?.[1]);
    });
    for (let i = 1; i < pcts.length; i++) expect(pcts[i]).toBeGreaterThan(pcts[i - 1] ?? 0);
    expect(pcts.at(-1)).toBe(100);

    const version = done.output?.version ?? '';
    expect(version).toMatch(/^visiona\/lora-\d+:[0-9a-f]{64}$/);
    const weights = await fetch(done.output?.weights ?? '');
    expect(weights.status).toBe(200);
    const tar = Buffer.from(await weights.arrayBuffer());
    expect(tar.toString('latin1', 257, 262)).toBe('ustar');
    const [dest = '', hash = ''] = version.split(':');
    const [owner = '', name = ''] = dest.split('/');
    const model = await h.replicate.models.get(owner, name);
    expect((model.latest_version as { id: string } | null)?.id).toBe(hash);
    expect((await h.replicate.models.versions.get(owner, name, hash)).id).toBe(hash);

    await h.emu.webhooksIdle();
    const mine = hooks.deliveries.filter(forTraining(created.id));
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(mine[0]?.json['status']).toBe('starting');
    const last = mine.at(-1);
    expect(last?.json['status']).toBe('succeeded');
    expect((last?.json['output'] as { version: string }).version).toBe(version);
    expect(new Set(mine.map((d) => d.headers['webhook-id'])).size).toBe(mine.length);
    for (const d of mine) {
      const ok = await validateWebhook({ id: String(d.headers['webhook-id']), timestamp: String(d.headers['webhook-timestamp']), signature: String(d.headers['webhook-signature']), body: d.body, secret });
      expect(ok).toBe(true);
      ownSignatureCheck(d, secret);
    }
    // a tampered body must not verify
    const tampered = await validateWebhook({ id: String(last?.headers['webhook-id']), timestamp: String(last?.headers['webhook-timestamp']), signature: String(last?.headers['webhook-signature']), body: (last?.body ?? '').replace('succeeded', 'failed'), secret });
    expect(tampered).toBe(false);

    const list = await h.replicate.trainings.list();
    expect(list.results.some((t) => t.id === created.id)).toBe(true);
  });

  it('honours webhook_events_filter', async () => {
    const created = await createTraining('photos.zip', {}, `${hooks.url}/filtered`, ['completed']);
    await waitFor(() => h.replicate.trainings.get(created.id), (t) => TERMINAL.includes(t.status));
    await h.emu.webhooksIdle();
    const mine = hooks.deliveries.filter(forTraining(created.id));
    expect(mine.map((d) => d.json['status'])).toEqual(['succeeded']);
  });

  it('retries a webhook the receiver rejects, keeping the same webhook-id', async () => {
    hooks.failNext(2);
    const created = await createTraining('photos.zip', {}, `${hooks.url}/retry`, ['start']);
    await waitFor(async () => hooks.deliveries.filter(forTraining(created.id)).length, (x) => x >= 1);
    const d = hooks.deliveries.filter(forTraining(created.id));
    expect(d).toHaveLength(1);
    expect(hooks.rejected).toEqual([d[0]?.headers['webhook-id'], d[0]?.headers['webhook-id']]);
    await h.replicate.trainings.cancel(created.id);
  });

  it('fails with a clear error when the zip holds no images', async () => {
    const created = await createTraining('no-images.zip');
    const done = await waitFor(() => h.replicate.trainings.get(created.id), (t) => TERMINAL.includes(t.status));
    expect(done.status).toBe('failed');
    expect(String(done.error)).toMatch(/No images found in input_images/);
    expect(done.output).toBeUndefined();
  });

  it('fails when input_images is not a zip or cannot be downloaded', async () => {
    const a = await createTraining('not-a-zip.zip');
    const b = await createTraining('missing.zip');
    const da = await waitFor(() => h.replicate.trainings.get(a.id), (t) => TERMINAL.includes(t.status));
    const db = await waitFor(() => h.replicate.trainings.get(b.id), (t) => TERMINAL.includes(t.status));
    expect(da.status).toBe('failed');
    expect(String(da.error)).toMatch(/not a valid zip/);
    expect(db.status).toBe('failed');
    expect(String(db.error)).toMatch(/Failed to download input_images.*404/);
  });

  it('rejects invalid trainer input with 422', async () => {
    await expect(createTraining('photos.zip', { lora_rank: 500 })).rejects.toThrow(/422.*lora_rank/s);
    await expect(
      h.replicate.trainings.create(TRAINER.owner, TRAINER.name, TRAINER.version, { destination: 'visiona/does-not-exist', input: { input_images: `${files.url}/photos.zip` } }),
    ).rejects.toThrow(/404/);
  });

  it('cancel stops a running training', async () => {
    const created = await createTraining('photos.zip', { steps: 2000 });
    await waitFor(() => h.replicate.trainings.get(created.id), (t) => t.status === 'processing');
    const canceled = await h.replicate.trainings.cancel(created.id);
    expect(canceled.status).toBe('canceled');
    await new Promise((r) => setTimeout(r, 300));
    const later = await h.replicate.trainings.get(created.id);
    expect(later.status).toBe('canceled');
    expect(later.output).toBeUndefined();
    expect(later.completed_at).toBeTruthy();
  });

  it('an injected failure fails the next training', async () => {
    h.emu.faults.failNextTraining('CUDA out of memory (injected)');
    const created = await createTraining('photos.zip');
    const done = await waitFor(() => h.replicate.trainings.get(created.id), (t) => TERMINAL.includes(t.status));
    expect(done.status).toBe('failed');
    expect(done.error).toBe('CUDA out of memory (injected)');
    expect(done.logs).toMatch(/flux_train_replicate: +\d+%/);
    // only the next one
    const ok = await createTraining('photos.zip');
    expect((await waitFor(() => h.replicate.trainings.get(ok.id), (t) => TERMINAL.includes(t.status))).status).toBe('succeeded');
  });

  it('dropped webhooks: none delivered, GET still shows the final state', async () => {
    h.emu.faults.dropWebhooks();
    try {
      const created = await createTraining('photos.zip', {}, `${hooks.url}/dropped`);
      const done = await waitFor(() => h.replicate.trainings.get(created.id), (t) => TERMINAL.includes(t.status));
      expect(done.status).toBe('succeeded');
      await h.emu.webhooksIdle();
      expect(hooks.deliveries.filter(forTraining(created.id))).toHaveLength(0);
    } finally {
      h.emu.faults.reset();
    }
  });

  it('duplicated webhooks arrive twice with the same webhook-id', async () => {
    h.emu.faults.duplicateWebhooks();
    try {
      const created = await createTraining('photos.zip', {}, `${hooks.url}/dup`, ['completed']);
      await waitFor(() => h.replicate.trainings.get(created.id), (t) => TERMINAL.includes(t.status));
      await h.emu.webhooksIdle();
      const mine = hooks.deliveries.filter(forTraining(created.id));
      expect(mine).toHaveLength(2);
      expect(mine[0]?.headers['webhook-id']).toBe(mine[1]?.headers['webhook-id']);
      expect(mine[0]?.body).toBe(mine[1]?.body);
    } finally {
      h.emu.faults.reset();
    }
  });

  it('fault endpoint is guarded by the token and applies faults', async () => {
    const bad = await fetch(`${h.baseUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fail_next_training":true}' });
    expect(bad.status).toBe(401);
    const ok = await fetch(`${h.baseUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{"fail_next_training":"boom via http"}' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Record<string, unknown>)['pending_training_failures']).toBe(1);
    const created = await createTraining('photos.zip');
    const done = await waitFor(() => h.replicate.trainings.get(created.id), (t) => TERMINAL.includes(t.status));
    expect(done.error).toBe('boom via http');

    const post = (b: unknown) => fetch(`${h.baseUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(b) });
    expect(((await (await post({ speed: 25, http_error: { count: 1, status: 500 } })).json()) as Record<string, unknown>)).toMatchObject({ speed: 25, pending_http_errors: 1 });
    expect((await fetch(`${h.baseUrl}/v1/trainings`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(500);
    expect((await fetch(`${h.baseUrl}/v1/trainings`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await post({ speed: -1 })).status).toBe(400);
    expect(((await (await post({ reset: true })).json()) as Record<string, unknown>)['speed']).toBe(50);
  });
});
