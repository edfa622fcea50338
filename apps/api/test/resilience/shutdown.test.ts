import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Generation, Model } from '@visiona/shared';
import { photoFixture, uploadPhotos } from '../helpers/services.ts';
import { call, createProcessHarness, onServer, signUpOver, until, type ProcessHarness } from './process-harness.ts';

/**
 * Shutdown: SIGTERM under load (QUALITY.md, "Graceful shutdown"). While many requests
 * run, the process is told to stop: readiness fails at once, requests it had accepted
 * finish, none answers a 5xx other than 503, workers stop taking jobs, and the process
 * exits 0 within SHUTDOWN_GRACE_MS. Jobs still queued stay in the jobs table, and the
 * next process runs them.
 */

const GRACE_MS = 8000;
const DELAY_MS = 1500;
let h: ProcessHarness;
let user: { token: string; userId: string };
let modelId: string;

beforeAll(async () => {
  h = await createProcessHarness({
    env: { SHUTDOWN_GRACE_MS: String(GRACE_MS), SHUTDOWN_DELAY_MS: String(DELAY_MS), TRAINING_MIN_PHOTOS: '3', RECONCILE_AFTER_MS: '500', RECONCILE_EVERY_MS: '500', JOBS_RETRY_BASE_MS: '200' },
  });
  await h.start();
  user = await signUpOver(h.base);
  const photos = await Promise.all([1, 2, 3].map(async (i) => ({ name: `me-${i}.jpg`, data: await photoFixture(i + 70, 512, 512) })));
  expect((await uploadPhotos(h.base, user.token, photos)).status).toBe(201);
  const started = await call<Model>(h.base, user.token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ_ME' });
  modelId = started.body.id;
  await until(async () => (await call<Model>(h.base, user.token, 'GET', `/api/v1/models/${modelId}`)).body.status === 'Ready', 30_000, 'the model to be Ready');
}, 120_000);
afterAll(async () => {
  await h?.close();
});

interface Outcome {
  what: string;
  sentAt: number;
  doneAt: number;
  status: number | null;
  /** The network error's code when there was no answer. */
  error: string | null;
}

async function timed(what: string, request: () => Promise<Response>): Promise<Outcome> {
  const sentAt = Date.now();
  try {
    const res = await request();
    await res.arrayBuffer();
    return { what, sentAt, doneAt: Date.now(), status: res.status, error: null };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { what, sentAt, doneAt: Date.now(), status: null, error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

/** GET on a connection of its own, as a load balancer's health check does. */
function probe(path: string): Promise<Outcome> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const req = http.get(`${h.base}${path}`, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ what: `${path} probe`, sentAt, doneAt: Date.now(), status: res.statusCode ?? null, error: null }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ what: `${path} probe`, sentAt, doneAt: Date.now(), status: null, error: err.code ?? err.message }));
  });
}

/** A multipart upload whose body trickles in over `ms`: in flight for that long. */
function slowUpload(token: string, files: { name: string; data: Buffer }[], ms: number): Promise<Response> {
  const boundary = `----visiona${Date.now()}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: image/jpeg\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(parts);
  const chunks = 20;
  const size = Math.ceil(body.length / chunks);
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i >= chunks) return controller.close();
      await new Promise((r) => setTimeout(r, ms / chunks));
      controller.enqueue(new Uint8Array(body.subarray(i * size, (i + 1) * size)));
      i++;
    },
  });
  return fetch(`${h.base}/api/v1/photos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

describe(`SIGTERM under load (${onServer ? 'postgres server' : 'pglite data folder'})`, () => {
  it('readiness fails, accepted requests finish, no 5xx but 503, exit 0 within the grace period, queued jobs survive', async () => {
    const auth = { authorization: `Bearer ${user.token}` };
    const get = (path: string) => () => fetch(`${h.base}${path}`, { headers: auth });
    const extraPhotos = await Promise.all([1, 2].map(async (i) => ({ name: `more-${i}.jpg`, data: await photoFixture(i + 90, 512, 512) })));

    // Work for the queue: Replicate holds the first two submissions for 4 s, so both workers
    // are busy when SIGTERM comes (and finish within the grace period) while the others wait.
    h.replicateEmu.faults.hangNextRequests(2, 4000);
    const generations: string[] = [];
    for (let i = 0; i < 6; i++) {
      const g = await call<Generation>(h.base, user.token, 'POST', '/api/v1/generations', { modelId, prompt: `ZXQ_ME portrait number ${i}` });
      expect(g.status).toBe(202);
      generations.push(g.body.id);
    }

    // Slow requests, accepted well before SIGTERM: they must finish with a success.
    h.llmEmu.faults.setLatency(2500);
    const slow = [
      timed('slow upload', () => slowUpload(user.token, extraPhotos, 3000)),
      timed('enhance (slow LLM)', () => fetch(`${h.base}/api/v1/prompts/enhance`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'me on a mountain at sunrise' }) })),
      timed('generation with Prefer: wait', () =>
        fetch(`${h.base}/api/v1/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', prefer: 'wait=60' }, body: JSON.stringify({ modelId, prompt: 'ZXQ_ME waiting in the rain' }) }),
      ),
    ];

    // Steady load from 8 keep-alive clients until the process is gone.
    let stop = false;
    const outcomes: Outcome[] = [];
    const paths = ['/api/v1/me', '/api/v1/generations?limit=24', '/livez', '/api/v1/me', '/readyz', '/api/v1/generations?limit=5'];
    const loops = Array.from({ length: 8 }, async (_, n) => {
      for (let i = n; !stop; i++) {
        const path = paths[i % paths.length]!;
        const outcome = await timed(path, get(path));
        outcomes.push(outcome);
        // Not listening any more: no need to spin.
        if (outcome.error) await new Promise((r) => setTimeout(r, 20));
      }
    });

    await new Promise((r) => setTimeout(r, 700));
    await until(async () => outcomes.length >= 30, 20_000, 'the load to be running');
    const sigtermAt = Date.now();
    const exit = h.terminate();
    // Readiness as a load balancer sees it, on a connection of its own, while draining.
    const readiness: Outcome[] = [];
    const probing = (async () => {
      while (h.api) {
        readiness.push(await probe('/readyz'));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const { code, ms } = await exit;
    stop = true;
    await Promise.all([...loops, probing]);
    const slowOutcomes = await Promise.all(slow);

    const report = JSON.stringify({ code, ms, slowOutcomes, readiness: readiness.slice(0, 10), unexpected: outcomes.filter((o) => o.status === null || (o.status >= 500 && o.status !== 503)).slice(0, 10) }, null, 1);
    expect(code, report).toBe(0);
    expect(ms, report).toBeLessThan(GRACE_MS);
    // Accepted before SIGTERM and still running after it: each finishes with a success.
    expect(slowOutcomes.filter((o) => o.doneAt <= sigtermAt), report).toEqual([]);
    expect(slowOutcomes.map((o) => [o.what, o.status]), report).toEqual([
      ['slow upload', 201],
      ['enhance (slow LLM)', 200],
      ['generation with Prefer: wait', expect.toSatisfy((s: number) => s === 201 || s === 202)],
    ]);
    // Every answer is a success, a 4xx or a 503; a request sent before SIGTERM always gets one.
    const answered = outcomes.filter((o) => o.status !== null);
    expect(answered.filter((o) => o.status! >= 500 && o.status !== 503), report).toEqual([]);
    expect(outcomes.filter((o) => o.status === null && o.sentAt < sigtermAt), report).toEqual([]);
    expect(outcomes.filter((o) => o.sentAt < sigtermAt && o.status === 200).length).toBeGreaterThanOrEqual(30);
    // Still served while readiness fails (SHUTDOWN_DELAY_MS), then refused once the listener is closed.
    expect(outcomes.filter((o) => o.sentAt > sigtermAt && o.status === 200).length, report).toBeGreaterThan(0);
    // Readiness fails while the process drains, before it stops listening, and never comes back.
    const unready = readiness.findIndex((o) => o.status === 503);
    expect(unready, report).toBeGreaterThanOrEqual(0);
    expect(readiness.slice(unready).filter((o) => o.status === 200), report).toEqual([]);

    // No job lost. The two submissions running at SIGTERM finished (prediction recorded, job
    // done); the workers took no other; every other generation still has its queued job.
    const left = await h.withDb(async (db) =>
      (
        await db.query<{ id: string; prompt: string; prediction: boolean; job: string | null }>(
          `select g.id, g.prompt, g.prediction_id is not null as prediction,
                  (select j.status from jobs j where j.dedupe_key = 'generation.submit:' || g.id::text) as job
             from generations g order by g.created_at`,
        )
      ).rows,
    );
    const summary = JSON.stringify(left);
    expect(left.map((g) => g.id).slice(0, generations.length), summary).toEqual(generations);
    expect(left, summary).toHaveLength(generations.length + 1); // and the Prefer: wait one
    expect(left.filter((g) => g.prediction).map((g) => g.job), summary).toEqual([null, null]);
    expect(left.filter((g) => !g.prediction).map((g) => g.job), summary).toEqual(Array(left.length - 2).fill('queued'));

    // The next process runs them: each generation once on Replicate, and Succeeded.
    h.llmEmu.faults.reset();
    await h.start();
    for (const g of left) {
      const done = await until(async () => {
        const body = (await call<Generation>(h.base, user.token, 'GET', `/api/v1/generations/${g.id}`)).body;
        return body.status !== 'Processing' ? body : null;
      }, 30_000, `generation "${g.prompt}" to end`);
      expect(done.status, done.error ?? '').toBe('Succeeded');
    }
    const predictions = (await h.replicate.predictions.list()).results;
    expect(left.map((g) => predictions.filter((p) => (p.input as { prompt: string }).prompt === g.prompt).length)).toEqual(left.map(() => 1));
  }, 120_000);
});
