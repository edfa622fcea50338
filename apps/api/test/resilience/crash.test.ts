import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditList, Billing, Generation, Model } from '@visiona/shared';
import { photoFixture, uploadPhotos } from '../helpers/services.ts';
import { call, createProcessHarness, onServer, signUpOver, until, type ProcessHarness } from './process-harness.ts';

/**
 * Crash: `kill -9` of the API process in the middle of a training and of a generation,
 * then a restart on the same database (QUALITY.md, "Jobs survive a crash"). Each ends
 * with one charge, one Replicate training or prediction, and one stored result.
 *
 * Two moments to die at: the instant Replicate has created the job but before its answer
 * reaches the API (the Replicate emulator kills the API from inside its reply), and
 * while the job runs on Replicate, before its completion webhook is processed.
 */

let h: ProcessHarness;
/** Armed: the Replicate emulator kills the API as it answers the next create of that kind. */
const killOnCreate = { training: false, prediction: false };
let photos: { name: string; data: Buffer }[];

beforeAll(async () => {
  h = await createProcessHarness({
    env: {
      TRAINING_MIN_PHOTOS: '3',
      RECONCILE_AFTER_MS: '500',
      RECONCILE_EVERY_MS: '500',
      JOBS_RETRY_BASE_MS: '200',
    },
    replicateHooks: (app) =>
      app.addHook('onSend', async (req, reply, payload) => {
        const path = req.url.split('?')[0] ?? '';
        const kind = /\/versions\/[^/]+\/trainings$/.test(path) ? 'training' : path === '/v1/predictions' ? 'prediction' : null;
        if (req.method === 'POST' && kind && killOnCreate[kind] && reply.statusCode === 201) {
          killOnCreate[kind] = false;
          // Created on "Replicate", and the caller dies before it reads the answer.
          await h.kill9();
        }
        return payload;
      }),
  });
  photos = await Promise.all([1, 2, 3].map(async (i) => ({ name: `me-${i}.jpg`, data: await photoFixture(i + 40, 512, 512) })));
  await h.start();
}, 90_000);
afterAll(async () => {
  await h?.close();
});
// A test that failed half-way may leave the API down.
beforeEach(async () => {
  if (!h.api) await h.start();
});

const api = <T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown) => call<T>(h.base, token, method, path, body);

async function userWithPhotos() {
  const user = await signUpOver(h.base);
  const up = await uploadPhotos(h.base, user.token, photos);
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  return user;
}

const modelState = (token: string, id: string) => api<Model>(token, 'GET', `/api/v1/models/${id}`).then((r) => r.body);
const generationState = (token: string, id: string) => api<Generation>(token, 'GET', `/api/v1/generations/${id}`).then((r) => r.body);

/** The API process, dead by the emulator's hand (or anyone's), within the timeout. */
const killed = () => until(async () => h.api === null, 30_000, 'the API to be killed');

/** The user's credit ledger, oldest first, as GET /api/v1/billing shows it (signup's reference is the subject). */
async function ledgerOf(token: string) {
  const { body } = await api<Billing>(token, 'GET', '/api/v1/billing');
  return body.ledger.reverse().map((l) => (l.reason === 'signup' ? { delta: l.delta, reason: l.reason } : { delta: l.delta, reason: l.reason, reference: l.reference }));
}

/** What Replicate was asked to run, as its API lists it: trainings of a model's photos, predictions of a prompt. */
async function trainingsFor(modelId: string) {
  return (await h.replicate.trainings.list()).results.filter((t) => String((t.input as { input_images?: string }).input_images).includes(`/trainings/${modelId}/`));
}
async function predictionsFor(promptPart: string) {
  return (await h.replicate.predictions.list()).results.filter((p) => String((p.input as { prompt?: string }).prompt).includes(promptPart));
}

describe(`kill -9 of the API process (${onServer ? 'postgres server' : 'pglite data folder'})`, () => {
  it('mid-training, twice: one training on Replicate, one charge, one version, photos and zip deleted', async () => {
    const user = await userWithPhotos();
    // Slow enough to be caught mid-training after a restart: about 28 s on Replicate.
    h.replicateEmu.faults.setSpeed(1);
    killOnCreate.training = true;
    const started = await api<Model>(user.token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ_ME' });
    expect(started.status).toBe(201);
    const modelId = started.body.id;
    await killed();
    expect(killOnCreate.training).toBe(false);

    // Replicate has the training; the API died before it could record it.
    expect(await trainingsFor(modelId)).toHaveLength(1);
    const afterFirstCrash = await h.withDb(async (db) => ({
      model: (await db.query<{ status: string; training_id: string | null }>('select status, training_id from models where id = $1', [modelId])).rows[0],
      submit: (await db.query<{ status: string; attempts: number }>(`select status, attempts from jobs where dedupe_key = $1`, [`training.submit:${modelId}`])).rows,
    }));
    expect(afterFirstCrash).toEqual({ model: { status: 'Processing', training_id: null }, submit: [{ status: 'running', attempts: 1 }] });

    // Restarted, the submission runs again and adopts that training instead of starting another.
    await h.start();
    const training = await until(
      async () => {
        const m = await modelState(user.token, modelId);
        return m.progress.phase === 'training' && m.progress.percent > 0 ? m : null;
      },
      45_000,
      'the adopted training to report progress',
    );
    expect(training.status).toBe('Processing');

    await h.kill9();
    const [onReplicate] = await trainingsFor(modelId);
    expect(onReplicate!.status).toBe('processing');
    // The rest of the training, its webhooks and their retries happen while the API is down.
    h.replicateEmu.faults.setSpeed(40);
    await until(async () => (await h.replicate.trainings.get(onReplicate!.id)).status === 'succeeded', 30_000, 'the training to succeed on Replicate');

    await h.start();
    const ready = await until(async () => {
      const m = await modelState(user.token, modelId);
      return m.status === 'Ready' ? m : null;
    }, 30_000, 'the model to be Ready');
    expect(ready.progress.percent).toBe(100);
    await until(async () => (await h.storage.listTree(`users/${user.userId}`)).length === 0, 30_000, 'the training photos and zip to be deleted');

    // One training and one version on Replicate.
    expect(await trainingsFor(modelId)).toHaveLength(1);
    const versions = (await h.replicate.models.versions.list('visiona', `visiona-lora-${modelId}`)).results;
    expect(versions).toHaveLength(1);

    // One charge, no refund; started once; photos deleted and proven gone.
    expect(await ledgerOf(user.token)).toEqual([
      { delta: 150, reason: 'signup' },
      { delta: -100, reason: 'training', reference: modelId },
    ]);
    const audit = (await api<AuditList>(user.token, 'GET', '/api/v1/audit?limit=100')).body.items.map((a) => a.action);
    expect(audit.filter((a) => a === 'training.started')).toHaveLength(1);
    expect(audit).toContain('training.photos_deleted');
    expect(audit).not.toContain('training.failed');
  }, 150_000);

  it('mid-generation, as Replicate creates the prediction and before its webhook: one prediction, one charge, one set of images', async () => {
    const user = await userWithPhotos();
    h.replicateEmu.faults.setSpeed(40);
    const trained = await api<Model>(user.token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ_ME' });
    await until(async () => (await modelState(user.token, trained.body.id)).status === 'Ready', 30_000, 'the model to be Ready');
    const versions = (await h.replicate.models.versions.list('visiona', `visiona-lora-${trained.body.id}`)).results;
    expect(versions).toHaveLength(1);
    const version = versions[0]!.id;
    // A prediction of two images takes about 4.5 s on Replicate.
    h.replicateEmu.faults.setSpeed(1);

    // 1. Killed the instant Replicate created the prediction: its answer is lost.
    killOnCreate.prediction = true;
    const lost = await api<Generation>(user.token, 'POST', '/api/v1/generations', { modelId: trained.body.id, prompt: 'ZXQ_ME on a beach at dawn', options: { numOutputs: 2 } });
    expect(lost.status).toBe(202);
    await killed();
    expect(await predictionsFor('on a beach at dawn')).toHaveLength(1);
    expect(
      await h.withDb(async (db) => (await db.query('select status, prediction_id from generations where id = $1', [lost.body.id])).rows),
    ).toEqual([{ status: 'Processing', prediction_id: null }]);
    await h.start();

    // 2. Killed after the prediction was recorded, while it runs, before its completion webhook.
    const running = await api<Generation>(user.token, 'POST', '/api/v1/generations', { modelId: trained.body.id, prompt: 'ZXQ_ME reading in a library', options: { numOutputs: 2 } });
    expect(running.status).toBe(202);
    await until(async () => (await predictionsFor('reading in a library'))[0]?.status === 'processing', 30_000, 'the prediction to run');
    await h.kill9();
    const midway = await h.withDb(async (db) =>
      (await db.query<{ status: string; recorded: boolean; outputs: unknown }>('select status, prediction_id is not null as recorded, output_urls as outputs from generations where id = $1', [running.body.id])).rows,
    );
    expect(midway).toEqual([{ status: 'Processing', recorded: true, outputs: null }]);
    await h.start();

    for (const [gen, prompt] of [[lost.body, 'on a beach at dawn'], [running.body, 'reading in a library']] as const) {
      const done = await until(async () => {
        const g = await generationState(user.token, gen.id);
        return g.status !== 'Processing' ? g : null;
      }, 45_000, `generation "${prompt}" to end`);
      expect(done.status, done.error ?? '').toBe('Succeeded');
      expect(done.images).toHaveLength(2);
      const predictions = await predictionsFor(prompt);
      expect(predictions).toHaveLength(1);
      expect(predictions[0]!.version).toBe(version);
      const stored = (await h.storage.listTree(`users/${user.userId}/generations/${gen.id}`)).map((o) => o.path.split('/').pop()).sort();
      expect(stored).toEqual(['0.thumb.webp', '0.webp', '1.thumb.webp', '1.webp']);
    }

    const charges = (await ledgerOf(user.token)).filter((l) => l.reason.startsWith('generation'));
    expect(charges.sort((a, b) => (a.reference! < b.reference! ? -1 : 1))).toEqual(
      [lost.body.id, running.body.id].sort().map((reference) => ({ delta: -2, reason: 'generation', reference })),
    );
    // After all that, a clean shutdown.
    expect((await h.terminate()).code).toBe(0);
  }, 150_000);
});
