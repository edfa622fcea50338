import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../src/lib/standard-webhooks.ts';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { REPLICATE_WEBHOOK_SECRET: SECRET } });
});
afterAll(async () => t?.close());

/** A Processing model whose training is `trainingId`, as the submit job leaves it. */
async function trainingModel(): Promise<{ modelId: string; trainingId: string; subject: string }> {
  const user = await signUp(t.app);
  const { rows } = await t.database.db.query<{ auth_subject: string }>('select auth_subject from users where id = $1', [user.user.id]);
  const subject = rows[0]!.auth_subject;
  const modelId = randomUUID();
  const trainingId = randomBytes(10).toString('hex');
  await t.database.db.query(
    `insert into models (id, owner_subject, name, trigger_word, parameters, credits_cost, photo_count, training_id, replicate_status, last_event_at)
     values ($1, $2, 'me', 'ZXQ', '{"steps":1000}', 100, 10, $3, 'starting', now())`,
    [modelId, subject, trainingId],
  );
  await t.database.db.query("insert into credit_ledger (owner_subject, delta, reason, reference) values ($1, -100, 'training', $2)", [subject, modelId]);
  return { modelId, trainingId, subject };
}

function training(id: string, status: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ id, status, logs: '', error: null, output: null, ...extra });
}

function send(body: string, opts: { id?: string; ts?: number; secret?: string; tamper?: boolean; omit?: string } = {}) {
  const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandardWebhook(opts.secret ?? SECRET, id, ts, body),
  };
  if (opts.omit) delete headers[opts.omit];
  const payload = opts.tamper ? body.replace('"status":"', '"status": "') : body;
  return t.app.inject({ method: 'POST', url: '/api/v1/webhooks/replicate', headers, payload });
}

const modelRow = async (id: string) =>
  (await t.database.db.query<{ status: string; replicate_status: string; progress_detail: { step: number } | null }>(
    'select status, replicate_status, progress_detail from models where id = $1',
    [id],
  )).rows[0]!;

describe('POST /api/v1/webhooks/replicate', () => {
  it('refuses a changed byte, an old or future timestamp, a wrong secret and each missing header with 400', async () => {
    const { trainingId, modelId } = await trainingModel();
    const body = training(trainingId, 'processing');
    const cases = [
      send(body, { tamper: true }),
      send(body, { ts: Math.floor(Date.now() / 1000) - 6 * 60 }),
      send(body, { ts: Math.floor(Date.now() / 1000) + 6 * 60 }),
      send(body, { secret: `whsec_${randomBytes(24).toString('base64')}` }),
      send(body, { omit: 'webhook-id' }),
      send(body, { omit: 'webhook-timestamp' }),
      send(body, { omit: 'webhook-signature' }),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_signature' });
    }
    expect((await modelRow(modelId)).replicate_status).toBe('starting');
  });

  it('applies progress from the trainer\'s log lines, and never moves it back', async () => {
    const { trainingId, modelId } = await trainingModel();
    const line = (step: number) => `flux_train_replicate:  ${Math.floor(step / 10)}%|█   | ${step}/1000 [01:23<12:34, 1.19it/s, lr: 4.0e-04 loss: 3.2e-01]`;
    expect((await send(training(trainingId, 'processing', { logs: `Loading\n${line(100)}\n${line(420)}` }))).json()).toMatchObject({ outcome: 'processed' });
    expect((await modelRow(modelId)).progress_detail).toMatchObject({ step: 420, totalSteps: 1000, percent: 42, etaSeconds: 754 });
    await send(training(trainingId, 'processing', { logs: line(100) }));
    expect((await modelRow(modelId)).progress_detail?.step).toBe(420);
  });

  it('keeps a succeeded training Ready when a late processing event arrives', async () => {
    const { trainingId, modelId } = await trainingModel();
    const ok = await send(training(trainingId, 'succeeded', { output: { version: 'visiona/x:abc', weights: 'https://x/w.tar' } }));
    expect(ok.json()).toMatchObject({ outcome: 'processed' });
    expect(await send(training(trainingId, 'processing'))).toMatchObject({ statusCode: 200 });
    expect(await modelRow(modelId)).toMatchObject({ status: 'Ready', replicate_status: 'succeeded' });
  });

  it('processes the same webhook id once, in a row and at once; a failure refunds once', async () => {
    const { trainingId, modelId, subject } = await trainingModel();
    const body = training(trainingId, 'failed', { error: 'boom' });
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const first = await send(body, { id });
    const again = await send(body, { id });
    const together = await Promise.all([send(body, { id }), send(body, { id })]);
    expect(first.json()).toMatchObject({ outcome: 'processed' });
    expect([again, ...together].map((r) => r.json().outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    // A different delivery of the same end (a retry with a new id) changes nothing either.
    expect((await send(body)).json()).toMatchObject({ outcome: 'ignored' });
    expect((await modelRow(modelId)).status).toBe('Failed');
    const { rows } = await t.database.db.query<{ n: number }>(
      "select count(*)::int as n from credit_ledger where owner_subject = $1 and reason = 'training_refund'",
      [subject],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('accepts a 10 MB body', async () => {
    const { trainingId, modelId } = await trainingModel();
    const logs = `${'x'.repeat(100)}\n`.repeat(100_000);
    const body = training(trainingId, 'processing', { logs });
    expect(body.length).toBeGreaterThanOrEqual(10_000_000);
    const res = await send(body);
    expect(res.statusCode).toBe(200);
    expect((await modelRow(modelId)).replicate_status).toBe('processing');
  });

  it('ignores trainings it does not know, and refuses bodies that are not trainings', async () => {
    expect((await send(training('unknown-training', 'succeeded'))).json()).toMatchObject({ outcome: 'ignored' });
    expect((await send(JSON.stringify({ hello: 'world' }))).statusCode).toBe(400);
  });
});
