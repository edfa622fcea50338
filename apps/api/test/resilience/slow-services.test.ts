import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutSession, EnhancePromptResponse, Generation, Model } from '@visiona/shared';
import { photoFixture, uploadPhotos } from '../helpers/services.ts';
import { call, createProcessHarness, onServer, signUpOver, until, type ProcessHarness } from './process-harness.ts';

/**
 * Slow services: with Replicate, Stripe or the LLM hanging, each call gives up within its
 * configured timeout, is retried with backoff where the code retries, and the API stays
 * responsive meanwhile. Measured from outside the API process, at the emulators.
 *
 * Already covered elsewhere, not repeated here: a Replicate 500s-then-hang submission
 * retried into one training (test/training/training.test.ts), generating with the
 * enhancer down or hanging (test/generations/generations.test.ts), the plans page and a
 * 503 checkout with a hanging Stripe (test/billing/billing.test.ts), Storage down
 * (test/photos/storage-down.test.ts), and the queue's backoff range
 * (test/jobs/queue.test.ts). This file adds the timeout bounds as the services see them,
 * the spacing of the retries, jitter across jobs, and responsiveness under the hangs.
 */

const TIMEOUT_MS = 1000;
const RETRY_BASE_MS = 1000;
/** Allowance for a loaded 2-core machine: timers fire late, never early. */
const SLACK_MS = 1000;

let h: ProcessHarness;
let user: { token: string; userId: string };
let modelId: string;
/** Injected by the test: the first prediction request for each of these prompts answers 503. */
const failFirstPrediction = new Set<string>();
const predictionRequests: { prompt: string; at: number; failed: boolean }[] = [];

beforeAll(async () => {
  h = await createProcessHarness({
    env: {
      REPLICATE_TIMEOUT_MS: String(TIMEOUT_MS),
      STRIPE_TIMEOUT_MS: String(TIMEOUT_MS),
      LLM_TIMEOUT_MS: String(TIMEOUT_MS),
      JOBS_RETRY_BASE_MS: String(RETRY_BASE_MS),
      TRAINING_MIN_PHOTOS: '3',
    },
    replicateHooks: (app) =>
      app.addHook('preHandler', async (req, reply) => {
        if (req.method !== 'POST' || req.url !== '/v1/predictions') return;
        const prompt = String((req.body as { input?: { prompt?: string } } | undefined)?.input?.prompt);
        const failed = failFirstPrediction.delete(prompt);
        predictionRequests.push({ prompt, at: Date.now(), failed });
        if (failed) {
          return reply.code(503).type('application/problem+json').send({ title: 'Service Unavailable', detail: 'Injected by the test.', status: 503 });
        }
      }),
  });
  await h.start();
  user = await signUpOver(h.base);
  const photos = await Promise.all([1, 2, 3].map(async (i) => ({ name: `me-${i}.jpg`, data: await photoFixture(i + 120, 512, 512) })));
  expect((await uploadPhotos(h.base, user.token, photos)).status).toBe(201);
  const started = await call<Model>(h.base, user.token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ_ME' });
  modelId = started.body.id;
  await until(async () => (await call<Model>(h.base, user.token, 'GET', `/api/v1/models/${modelId}`)).body.status === 'Ready', 30_000, 'the model to be Ready');
}, 120_000);
afterAll(async () => {
  await h?.close();
});

interface Seen {
  /** `METHOD /path` */
  call: string;
  at: number;
  /** When the connection closed: the client gave up (a held request is never answered). */
  closedAt: number | null;
  answered: boolean;
  headers: IncomingHttpHeaders;
}

/** Every request to `server` for `path` (with `method`, or any), as the service sees it arrive and end. */
function watch(server: Server, method: string | null, path: string) {
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url?.split('?')[0];
    if (url !== path || (method && req.method !== method)) return;
    const s: Seen = { call: `${req.method} ${url}`, at: Date.now(), closedAt: null, answered: false, headers: req.headers };
    seen.push(s);
    res.once('finish', () => (s.answered = true));
    res.once('close', () => (s.closedAt = Date.now()));
  };
  server.on('request', listener);
  return { seen, stop: () => server.off('request', listener) };
}

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1]!;

/**
 * Runs `work` while four clients keep asking GET /api/v1/me and GET /livez; returns what
 * `work` returned and those requests' latencies.
 */
async function whileMeasuring<T>(work: () => Promise<T>) {
  const samples: { path: string; ms: number; status: number }[] = [];
  let done = false;
  const loops = Array.from({ length: 4 }, async (_, n) => {
    for (let i = n; !done; i++) {
      const path = i % 2 ? '/livez' : '/api/v1/me';
      const t = performance.now();
      const res = await fetch(`${h.base}${path}`, { headers: { authorization: `Bearer ${user.token}` } });
      await res.arrayBuffer();
      samples.push({ path, ms: performance.now() - t, status: res.status });
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  try {
    return { result: await work(), samples };
  } finally {
    done = true;
    await Promise.all(loops);
  }
}

function expectResponsive(samples: { path: string; ms: number; status: number }[]) {
  const summary = JSON.stringify({ n: samples.length, p95: Math.round(p95(samples.map((s) => s.ms))), max: Math.round(Math.max(...samples.map((s) => s.ms))) });
  expect(samples.length, summary).toBeGreaterThanOrEqual(20);
  expect(samples.filter((s) => s.status !== 200), summary).toEqual([]);
  expect(p95(samples.map((s) => s.ms)), summary).toBeLessThan(500);
}

describe(`slow and failing services (${onServer ? 'postgres server' : 'pglite data folder'})`, () => {
  it('Replicate hanging: each call gives up after REPLICATE_TIMEOUT_MS, and the submission is retried with doubling backoff; the API stays responsive', async () => {
    const calls = watch(h.replicateEmu.app.server, null, '/v1/predictions');
    // Held until the emulator closes: these two are never answered, and never run.
    h.replicateEmu.faults.hangNextRequests(2);
    try {
      const { result, samples } = await whileMeasuring(async () => {
        const t = performance.now();
        const created = await call<Generation>(h.base, user.token, 'POST', '/api/v1/generations', { modelId, prompt: 'ZXQ_ME under a hanging sky' });
        const createMs = performance.now() - t;
        const done = await until(async () => {
          const g = (await call<Generation>(h.base, user.token, 'GET', `/api/v1/generations/${created.body.id}`)).body;
          return g.status !== 'Processing' ? g : null;
        }, 30_000, 'the generation to end');
        return { created, createMs, done };
      });
      // The request does not wait on Replicate: the submission is a job.
      expect(result.created.status).toBe(202);
      expect(result.createMs).toBeLessThan(TIMEOUT_MS);
      expect(result.done.status, result.done.error ?? '').toBe('Succeeded');

      // Attempt 1 creates the prediction (held). Attempt 2 first looks for what attempt 1 may
      // have created (held too). Attempt 3 looks again, then creates it: one prediction runs.
      const t0 = calls.seen[0]!.at;
      const report = JSON.stringify(calls.seen.map((c) => ({ call: c.call, at: c.at - t0, closed: c.closedAt && c.closedAt - t0, answered: c.answered })));
      expect(calls.seen.map((c) => [c.call, c.answered]), report).toEqual([
        ['POST /v1/predictions', false],
        ['GET /v1/predictions', false],
        ['GET /v1/predictions', true],
        ['POST /v1/predictions', true],
      ]);
      const [create, look, attempt3] = calls.seen as [Seen, Seen, Seen];
      // Each held call was abandoned by the API at its timeout (the clock starts a little
      // before the request reaches the service), and never sent again by the SDK.
      for (const held of [create, look]) {
        expect(held.closedAt! - held.at, report).toBeGreaterThanOrEqual(0.8 * TIMEOUT_MS);
        expect(held.closedAt! - held.at, report).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
      // Retried after RETRY_BASE_MS × 2^(attempt−1), ±20% jitter.
      expect(look.at - create.closedAt!, report).toBeGreaterThanOrEqual(0.8 * RETRY_BASE_MS - 50);
      expect(look.at - create.closedAt!, report).toBeLessThan(1.2 * RETRY_BASE_MS + SLACK_MS);
      expect(attempt3.at - look.closedAt!, report).toBeGreaterThanOrEqual(1.6 * RETRY_BASE_MS - 50);
      expect(attempt3.at - look.closedAt!, report).toBeLessThan(2.4 * RETRY_BASE_MS + SLACK_MS);
      expect((await h.replicate.predictions.list()).results.filter((p) => (p.input as { prompt: string }).prompt === 'ZXQ_ME under a hanging sky')).toHaveLength(1);
      expectResponsive(samples);
    } finally {
      calls.stop();
      h.replicateEmu.faults.reset();
    }
  }, 60_000);

  it('Replicate failing: each job waits its own jittered backoff before retrying', async () => {
    // One job at a time, so that nothing but the backoff sets when its retry comes.
    const gaps: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const prompt = `ZXQ_ME jitter portrait ${i}`;
      failFirstPrediction.add(prompt);
      const calls = watch(h.replicateEmu.app.server, null, '/v1/predictions');
      try {
        const res = await call<Generation>(h.base, user.token, 'POST', '/api/v1/generations', { modelId, prompt });
        expect(res.status).toBe(202);
        ids.push(res.body.id);
        // The failed create, then the retry: it first looks for what the failed attempt made.
        await until(async () => calls.seen[2]?.answered, 30_000, `the retry of generation ${i}`);
        expect(calls.seen.map((c) => c.call)).toEqual(['POST /v1/predictions', 'GET /v1/predictions', 'POST /v1/predictions']);
        gaps.push(calls.seen[1]!.at - calls.seen[0]!.at);
      } finally {
        calls.stop();
      }
    }
    for (const id of ids) {
      await until(async () => (await call<Generation>(h.base, user.token, 'GET', `/api/v1/generations/${id}`)).body.status === 'Succeeded', 30_000, `generation ${id} to succeed`);
    }
    expect(predictionRequests.filter((r) => r.prompt.startsWith('ZXQ_ME jitter portrait')).map((r) => r.failed)).toEqual(Array.from({ length: 10 }, () => [true, false]).flat());
    const report = JSON.stringify(gaps);
    for (const gap of gaps) {
      expect(gap, report).toBeGreaterThanOrEqual(0.8 * RETRY_BASE_MS - 50);
      expect(gap, report).toBeLessThan(1.2 * RETRY_BASE_MS + SLACK_MS);
    }
    // Without jitter every job would wait the same (give or take a poll interval), and jobs
    // failed together would retry together against a service that is recovering.
    expect(Math.max(...gaps) - Math.min(...gaps), report).toBeGreaterThan(100);
  }, 90_000);

  it('Stripe hanging: checkout gives up after three attempts of STRIPE_TIMEOUT_MS (the SDK retries with backoff) and answers 503 with Retry-After', async () => {
    const customers = watch(h.stripeEmu.app.server, 'POST', '/v1/customers');
    const buyers = await Promise.all([signUpOver(h.base), signUpOver(h.base)]);
    h.stripeEmu.faults.hangNextRequests(6);
    try {
      const { result, samples } = await whileMeasuring(() =>
        Promise.all(
          buyers.map(async (buyer) => {
            const t = performance.now();
            const res = await call<CheckoutSession & { message: string }>(h.base, buyer.token, 'POST', '/api/v1/billing/checkout', { plan: 'premium' });
            return { res, ms: performance.now() - t };
          }),
        ),
      );
      for (const { res, ms } of result) {
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(res.body.message).toMatch(/Stripe could not be reached/);
        // Three attempts of TIMEOUT_MS, with the SDK's backoff (0.5 s, then 0.5–1 s) between them.
        expect(ms).toBeGreaterThanOrEqual(3 * TIMEOUT_MS + 1000 - 50);
        expect(ms).toBeLessThan(3 * TIMEOUT_MS + 1500 + 2 * SLACK_MS);
      }
      const report = JSON.stringify(customers.seen.map((s) => ({ key: s.headers['idempotency-key'], at: s.at, closed: s.closedAt })));
      const byKey = new Map<string, Seen[]>();
      for (const s of customers.seen) byKey.set(String(s.headers['idempotency-key']), [...(byKey.get(String(s.headers['idempotency-key'])) ?? []), s]);
      expect([...byKey.values()].map((attempts) => attempts.length), report).toEqual([3, 3]);
      for (const attempts of byKey.values()) {
        for (const [i, attempt] of attempts.entries()) {
          expect(attempt.answered, report).toBe(false);
          expect(attempt.closedAt! - attempt.at, report).toBeGreaterThanOrEqual(0.8 * TIMEOUT_MS);
          expect(attempt.closedAt! - attempt.at, report).toBeLessThan(TIMEOUT_MS + SLACK_MS);
          // The next attempt after the timeout and a backoff of at least 0.5 s.
          if (i > 0) expect(attempt.at - attempts[i - 1]!.at, report).toBeGreaterThanOrEqual(TIMEOUT_MS + 500 - 150);
        }
      }
      expectResponsive(samples);
    } finally {
      customers.stop();
      h.stripeEmu.faults.reset();
    }
  }, 60_000);

  it('LLM hanging: enhancement gives up after LLM_TIMEOUT_MS, once (never retried), and answers that it is unavailable', async () => {
    const completions = watch(h.llmEmu.app.server, 'POST', '/v1/chat/completions');
    h.llmEmu.faults.hangNextRequests(5);
    try {
      const { result, samples } = await whileMeasuring(() =>
        Promise.all(
          Array.from({ length: 5 }, async (_, i) => {
            const t = performance.now();
            const res = await call<EnhancePromptResponse>(h.base, user.token, 'POST', '/api/v1/prompts/enhance', { prompt: `me on a mountain, take ${i}`, modelId });
            return { res, ms: performance.now() - t };
          }),
        ),
      );
      for (const { res, ms } of result) {
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ enhancement: 'unavailable', enhancedPrompt: null });
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
        expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
      const report = JSON.stringify(completions.seen.map((s) => ({ at: s.at, closed: s.closedAt })));
      expect(completions.seen, report).toHaveLength(5);
      for (const attempt of completions.seen) {
        expect(attempt.answered, report).toBe(false);
        expect(attempt.closedAt! - attempt.at, report).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
      expectResponsive(samples);
    } finally {
      completions.stop();
      h.llmEmu.faults.reset();
    }
  }, 60_000);
});
