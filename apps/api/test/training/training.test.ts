import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '@visiona/shared';
import { signUp } from '../helpers/app.ts';
import { apiCall, createServicesHarness, eventually, GENEROUS_PLANS, harnessCipher, photoFixture, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';

let h: ServicesHarness;
/** Injected failure: the next trainings.create reaches Replicate but its answer is lost. */
const loseNextCreateAnswer = { armed: false };
let photos: { name: string; data: Buffer }[];

beforeAll(async () => {
  h = await createServicesHarness({
    wrapReplicate: (real) => ({
      ...real,
      async createTraining(request) {
        const created = await real.createTraining(request);
        if (loseNextCreateAnswer.armed) {
          loseNextCreateAnswer.armed = false;
          throw new Error('socket hang up (injected after the training was created)');
        }
        return created;
      },
    }),
    env: {
      RECONCILE_AFTER_MS: '300',
      RECONCILE_EVERY_MS: '200',
      SWEEP_EVERY_MS: '300',
      JOBS_RETRY_BASE_MS: '100',
      REPLICATE_TIMEOUT_MS: '1500',
      // A free plan with room for many models: these tests are about credits and trainings, not plan limits (test/billing).
      BILLING_PLANS: JSON.stringify(GENEROUS_PLANS),
    },
  });
  photos = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `me-${i}.jpg`, data: await photoFixture(i + 1) })));
}, 60_000);
afterAll(async () => h?.close());

const api = <T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  apiCall<T>(h.baseUrl, token, method, path, body, headers);

/** A new user with ten photos waiting. */
async function userWithPhotos() {
  const user = await signUp(h.app);
  const up = await uploadPhotos(h.baseUrl, user.token, photos);
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  return user;
}

const startTraining = (token: string, extra: Record<string, string> = {}) =>
  api<Model>(token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ_ME', parameters: { steps: 500 } }, extra);

const waitForStatus = (token: string, id: string, status: Model['status']) =>
  eventually(async () => {
    const { body } = await api<Model>(token, 'GET', `/api/v1/models/${id}`);
    return body.status === status ? body : undefined;
  }, 30_000, `model ${id} to be ${status}`);

async function balance(token: string): Promise<number> {
  return (await api<{ creditBalance: number }>(token, 'GET', '/api/v1/me')).body.creditBalance;
}

async function storageLeft(userId: string): Promise<string[]> {
  return (await h.app.storage.listTree(`users/${userId}`)).map((o) => o.path);
}

async function auditActions(subjectOfUser: string): Promise<string[]> {
  const { rows } = await h.database.db.query<{ action: string }>(
    'select a.action from audit_logs a join users u on u.auth_subject = a.owner_subject where u.id = $1 order by a.created_at',
    [subjectOfUser],
  );
  return rows.map((r) => r.action);
}

describe('photos to a trained model, through the SDKs and the emulators', () => {
  it('upload → train → Ready: progress from the logs, one charge, photos and zip deleted and proven gone', async () => {
    const user = await userWithPhotos();
    expect(await balance(user.token)).toBe(150);
    const started = await startTraining(user.token);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'Processing', photoCount: 10, creditsCost: 100, progress: { phase: 'queued' } });
    expect(await balance(user.token)).toBe(50);
    // The photos now belong to the training: the Photos page is empty.
    expect((await api<{ count: number }>(user.token, 'GET', '/api/v1/photos')).body.count).toBe(0);

    const midway = await eventually(async () => {
      const { body } = await api<Model>(user.token, 'GET', `/api/v1/models/${started.body.id}`);
      return body.progress.phase === 'training' && body.progress.step ? body : undefined;
    }, 30_000, 'training progress');
    expect(midway.progress.totalSteps).toBe(500);
    expect(midway.progress.percent).toBeGreaterThan(0);

    const ready = await waitForStatus(user.token, started.body.id, 'Ready');
    expect(ready.progress).toMatchObject({ phase: 'done', percent: 100 });
    const row = (await h.database.db.query<{ replicate_version: string }>('select replicate_version from models where id = $1', [ready.id])).rows[0]!;
    // Encrypted at rest (docs/decisions/0020).
    expect(row.replicate_version).toMatch(/^enc:v1:harness:/);
    expect(harnessCipher().decrypt(row.replicate_version)).toMatch(/^visiona\/visiona-lora-[0-9a-f-]+:[0-9a-f]{64}$/);

    await eventually(async () => (await auditActions(user.user.id)).includes('training.photos_deleted'), 15_000, 'photo purge');
    expect(await storageLeft(user.user.id)).toEqual([]);
    expect(await balance(user.token)).toBe(50);
    expect(await auditActions(user.user.id)).toEqual(
      expect.arrayContaining(['training.requested', 'training.started', 'training.ready', 'training.photos_deleted']),
    );
  });

  it('a failed training is Failed with a message, refunds once and deletes the photos', async () => {
    const user = await userWithPhotos();
    h.replicateEmu.faults.duplicateWebhooks(); // and every webhook arrives twice
    h.replicateEmu.faults.failNextTraining('CUDA out of memory (injected)');
    try {
      const started = await startTraining(user.token);
      const failed = await waitForStatus(user.token, started.body.id, 'Failed');
      expect(failed.error).toContain('CUDA out of memory');
      expect(failed.error).toContain('refunded');
      await eventually(async () => (await auditActions(user.user.id)).includes('training.photos_deleted'), 15_000, 'photo purge');
      await h.replicateEmu.webhooksIdle();
    } finally {
      h.replicateEmu.faults.reset();
    }
    expect(await balance(user.token)).toBe(150);
    const refunds = await h.database.db.query("select 1 from credit_ledger where reason = 'training_refund' and owner_subject = (select auth_subject from users where id = $1)", [user.user.id]);
    expect(refunds.rowCount).toBe(1);
    expect((await auditActions(user.user.id)).filter((a) => a === 'training.failed')).toHaveLength(1);
    expect(await storageLeft(user.user.id)).toEqual([]);
  });

  it('with every webhook dropped, the reconciler finishes the training and the photos are deleted', async () => {
    const user = await userWithPhotos();
    h.replicateEmu.faults.dropWebhooks();
    try {
      const started = await startTraining(user.token);
      await waitForStatus(user.token, started.body.id, 'Ready');
      await eventually(async () => (await auditActions(user.user.id)).includes('training.photos_deleted'), 15_000, 'photo purge');
    } finally {
      h.replicateEmu.faults.reset();
    }
    expect(await storageLeft(user.user.id)).toEqual([]);
  });

  it('cancel stops the training on Replicate, refunds once and deletes the photos', async () => {
    const user = await userWithPhotos();
    const started = await startTraining(user.token);
    await eventually(async () => (await api<Model>(user.token, 'GET', `/api/v1/models/${started.body.id}`)).body.progress.phase !== 'queued', 15_000, 'submission');
    const asked = await api<Model>(user.token, 'POST', `/api/v1/models/${started.body.id}/cancel`);
    expect(asked.status).toBe(200);
    expect(asked.body.cancelRequestedAt).not.toBeNull();
    const canceled = await waitForStatus(user.token, started.body.id, 'Canceled');
    expect(canceled.error).toBeNull();
    await eventually(async () => (await auditActions(user.user.id)).includes('training.photos_deleted'), 15_000, 'photo purge');
    expect(await balance(user.token)).toBe(150);
    expect(await storageLeft(user.user.id)).toEqual([]);
    expect((await api(user.token, 'POST', `/api/v1/models/${started.body.id}/cancel`)).status).toBe(409);
    expect((await api(user.token, 'DELETE', `/api/v1/models/${started.body.id}`)).status).toBe(204);
    expect((await api(user.token, 'GET', `/api/v1/models/${started.body.id}`)).status).toBe(404);
  });

  it('with credits for one training, 20 parallel requests start exactly one', async () => {
    const user = await userWithPhotos();
    const before = (await h.replicateClient.trainings.list()).results.length;
    const results = await Promise.all(Array.from({ length: 20 }, () => startTraining(user.token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 402)).toHaveLength(19);
    expect(await balance(user.token)).toBe(50);
    const model = results.find((r) => r.status === 201)!.body;
    await eventually(async () => (await api<Model>(user.token, 'GET', `/api/v1/models/${model.id}`)).body.progress.phase !== 'queued', 15_000, 'submission');
    expect((await h.replicateClient.trainings.list()).results.length).toBe(before + 1);
    await waitForStatus(user.token, model.id, 'Ready');
  });

  it('a retried request with the same Idempotency-Key starts one training', async () => {
    const user = await userWithPhotos();
    const key = crypto.randomUUID();
    const first = await startTraining(user.token, { 'idempotency-key': key });
    const again = await startTraining(user.token, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance(user.token)).toBe(50);
    await waitForStatus(user.token, first.body.id, 'Ready');
  });

  it('refuses a training with too few photos (409) or bad parameters (400), spending nothing', async () => {
    const user = await signUp(h.app);
    expect((await uploadPhotos(h.baseUrl, user.token, photos.slice(0, 3))).status).toBe(201);
    const few = await startTraining(user.token);
    expect(few.status).toBe(409);
    expect(few.body).toMatchObject({ code: 'not_enough_photos' });
    expect(String((few.body as unknown as { message: string }).message)).toContain('Upload 7 more');
    const bad = await api(user.token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ', parameters: { steps: 50, loraRank: 256 } });
    expect(bad.status).toBe(400);
    expect(await balance(user.token)).toBe(150);
    expect((await api<{ count: number }>(user.token, 'GET', '/api/v1/photos')).body.count).toBe(3);
  });

  it('the sweeper removes training objects older than 48 hours and keeps photos still waiting', async () => {
    const user = await signUp(h.app);
    const prefix = `users/${user.user.id}`;
    h.storageClock.offsetMs = -49 * 3_600_000;
    try {
      expect((await uploadPhotos(h.baseUrl, user.token, photos.slice(0, 1))).status).toBe(201);
      await h.app.storage.upload(`${prefix}/trainings/${crypto.randomUUID()}/photos.zip`, Buffer.from('PK\u0005\u0006'), 'application/zip');
      await h.app.storage.upload(`${prefix}/photos/${crypto.randomUUID()}.jpg`, photos[1]!.data, 'image/jpeg');
    } finally {
      h.storageClock.offsetMs = 0;
    }
    const waiting = (await api<{ items: { id: string }[] }>(user.token, 'GET', '/api/v1/photos')).body.items[0]!.id;
    await eventually(async () => (await auditActions(user.user.id)).includes('storage.swept'), 15_000, 'the sweep');
    expect((await storageLeft(user.user.id)).sort()).toEqual([`${prefix}/photos/${waiting}.jpg`, `${prefix}/photos/${waiting}.thumb.webp`]);
  });

  it('Replicate answering 500s, then hanging past the timeout: the submission is retried and one training runs', async () => {
    const user = await userWithPhotos();
    const before = (await h.replicateClient.trainings.list()).results.length;
    h.replicateEmu.faults.failNextRequests(8, 500);
    h.replicateEmu.faults.hangNextRequests(1, 4000);
    try {
      const started = await startTraining(user.token);
      await waitForStatus(user.token, started.body.id, 'Ready');
      expect(h.replicateEmu.faults.snapshot()).toMatchObject({ pending_http_errors: 0, pending_hangs: 0 });
    } finally {
      h.replicateEmu.faults.reset();
    }
    expect((await h.replicateClient.trainings.list()).results.length).toBe(before + 1);
    expect(await balance(user.token)).toBe(50);
  });

  it('a training created by an attempt whose answer was lost is adopted on retry, not created twice', async () => {
    const user = await userWithPhotos();
    const before = (await h.replicateClient.trainings.list()).results.length;
    loseNextCreateAnswer.armed = true;
    const started = await startTraining(user.token);
    await waitForStatus(user.token, started.body.id, 'Ready');
    expect(loseNextCreateAnswer.armed).toBe(false);
    expect((await h.replicateClient.trainings.list()).results.length).toBe(before + 1);
    expect((await auditActions(user.user.id)).filter((a) => a === 'training.started')).toHaveLength(1);
  });
});
