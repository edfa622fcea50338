import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelJob, type EmulatorContext } from './context.ts';
import { ApiProblem, notFound, validationFailed, type InvalidField } from './errors.ts';
import { parseLoraInput, parseTrainerInput } from './inputs.ts';
import { startPrediction } from './prediction-runner.ts';
import { serializeJob, serializeModel, serializeVersion, WEBHOOK_EVENTS, type Job, type VersionRecord, type WebhookEvent } from './store.ts';
import { startTraining } from './training-runner.ts';
import { isRecord, newId } from './util.ts';

const PAGE_SIZE = 100;
const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

type Params = Record<string, string>;

function body(req: FastifyRequest): Record<string, unknown> {
  if (req.body === undefined || req.body === null) return {};
  if (!isRecord(req.body)) throw new ApiProblem(400, 'Bad request', 'The request body must be a JSON object');
  return req.body;
}

function parseWebhook(b: Record<string, unknown>, errors: InvalidField[]): { webhook?: string; filter: WebhookEvent[] } {
  const webhook = b['webhook'];
  const rawFilter = b['webhook_events_filter'];
  let filter: WebhookEvent[] = [...WEBHOOK_EVENTS];
  if (webhook !== undefined && webhook !== null) {
    let ok = typeof webhook === 'string';
    if (ok) {
      try {
        const u = new URL(webhook as string);
        ok = u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        ok = false;
      }
    }
    if (!ok) errors.push({ type: 'format', field: 'webhook', description: 'Does not match format \'uri\'' });
  }
  if (rawFilter !== undefined && rawFilter !== null) {
    if (!Array.isArray(rawFilter) || rawFilter.some((e) => !WEBHOOK_EVENTS.includes(e as WebhookEvent))) {
      errors.push({ type: 'enum', field: 'webhook_events_filter', description: 'webhook_events_filter must be a list of: "start", "output", "logs", "completed"' });
    } else {
      filter = [...new Set(rawFilter as WebhookEvent[])];
    }
  }
  return { webhook: typeof webhook === 'string' ? webhook : undefined, filter };
}

function paginate(ctx: EmulatorContext, req: FastifyRequest, items: Job[], path: string): Record<string, unknown> {
  const q = req.query as Record<string, string | undefined>;
  const offset = q['cursor'] ? Number(Buffer.from(q['cursor'], 'base64url').toString()) || 0 : 0;
  const page = items.slice(offset, offset + PAGE_SIZE);
  const link = (o: number): string => `${ctx.publicUrl}/v1/${path}?cursor=${Buffer.from(String(o)).toString('base64url')}`;
  const now = ctx.store.now();
  return {
    previous: offset > 0 ? link(Math.max(0, offset - PAGE_SIZE)) : null,
    next: offset + PAGE_SIZE < items.length ? link(offset + PAGE_SIZE) : null,
    results: page.map((j) => serializeJob(j, ctx.publicUrl, now)),
  };
}

/** `Prefer: wait` / `Prefer: wait=n` → seconds to hold the request (max 60), else 0. */
function preferWait(req: FastifyRequest): number {
  const h = req.headers['prefer'];
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return 0;
  const m = /^\s*wait(?:\s*=\s*(\d+))?\s*$/.exec(v);
  if (!m) return 0;
  return Math.min(60, Math.max(1, Number(m[1] ?? 60)));
}

export function registerRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { store, faults } = ctx;
  const job = (id: string, kind: Job['kind']): Job => {
    const j = store.jobs.get(id);
    if (!j || j.kind !== kind) throw notFound();
    return j;
  };
  const sendJob = (reply: FastifyReply, j: Job, code = 200): FastifyReply => reply.code(code).send(serializeJob(j, ctx.publicUrl, store.now()));

  app.get('/v1/account', async () => ({ type: 'user', username: 'visiona', name: 'Visiona (Replicate emulator)', github_url: null }));

  // ------------------------------------------------------------------ models
  app.post('/v1/models', async (req, reply) => {
    const b = body(req);
    const errors: InvalidField[] = [];
    for (const f of ['owner', 'name', 'hardware'] as const) {
      if (typeof b[f] !== 'string' || !b[f]) errors.push({ type: 'required', field: f, description: `${f} is required` });
    }
    if (b['visibility'] !== 'public' && b['visibility'] !== 'private') errors.push({ type: 'enum', field: 'visibility', description: 'visibility must be one of the following: "public", "private"' });
    const owner = String(b['owner'] ?? '');
    const name = String(b['name'] ?? '');
    if (name && !NAME_RE.test(name)) errors.push({ type: 'pattern', field: 'name', description: 'Model names may only contain lowercase letters, numbers, dashes, underscores and periods' });
    if (errors.length) throw validationFailed(errors);
    if (store.getModel(owner, name)) throw new ApiProblem(409, 'Conflict', 'A model with that name and owner already exists.');
    const opt = (k: string): string | null => (typeof b[k] === 'string' ? (b[k] as string) : null);
    const m = store.addModel({
      owner,
      name,
      description: opt('description'),
      visibility: b['visibility'] as 'public' | 'private',
      hardware: String(b['hardware']),
      githubUrl: opt('github_url'),
      paperUrl: opt('paper_url'),
      licenseUrl: opt('license_url'),
      coverImageUrl: opt('cover_image_url'),
      runCount: 0,
      versions: [],
    });
    return reply.code(201).send(serializeModel(m, ctx.publicUrl));
  });

  const model = (p: Params): NonNullable<ReturnType<typeof store.getModel>> => {
    const m = store.getModel(p['owner'] ?? '', p['name'] ?? '');
    if (!m) throw notFound();
    return m;
  };
  app.get('/v1/models/:owner/:name', async (req) => serializeModel(model(req.params as Params), ctx.publicUrl));
  app.get('/v1/models/:owner/:name/versions', async (req) => ({
    next: null,
    previous: null,
    results: [...model(req.params as Params).versions].reverse().map(serializeVersion),
  }));
  app.get('/v1/models/:owner/:name/versions/:version', async (req) => {
    const p = req.params as Params;
    const v = model(p).versions.find((x) => x.id === p['version']);
    if (!v) throw notFound();
    return serializeVersion(v);
  });

  // Replicate's own rules: only private models you own, versions first (models.delete and
  // versions.delete in the HTTP API; the JS client has no method for them).
  app.delete('/v1/models/:owner/:name/versions/:version', async (req, reply) => {
    const p = req.params as Params;
    const m = model(p);
    if (m.visibility !== 'private') throw new ApiProblem(403, 'Forbidden', 'You can only delete versions from private models.');
    if (!store.deleteVersion(m, p['version'] ?? '')) throw notFound();
    return reply.code(202).send();
  });
  app.delete('/v1/models/:owner/:name', async (req, reply) => {
    const p = req.params as Params;
    const m = model(p);
    if (m.visibility !== 'private') throw new ApiProblem(403, 'Forbidden', 'You can only delete private models.');
    if (m.versions.length > 0) throw new ApiProblem(409, 'Conflict', 'You can only delete models that have no versions. Delete its versions first.');
    store.deleteModel(m.owner, m.name);
    return reply.code(204).send();
  });

  // ------------------------------------------------------------------ trainings
  app.post('/v1/models/:owner/:name/versions/:version/trainings', async (req, reply) => {
    const p = req.params as Params;
    const m = model(p);
    const v = m.versions.find((x) => x.id === p['version']);
    if (!v) throw notFound('The requested model version does not exist.');
    if (v.kind !== 'trainer') throw new ApiProblem(400, 'Model not trainable', `The version ${m.owner}/${m.name}:${v.id} does not support training.`);
    const b = body(req);
    const errors: InvalidField[] = [];
    const destination = b['destination'];
    if (typeof destination !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(destination)) errors.push({ type: 'format', field: 'destination', description: 'destination must be in the form {owner}/{model_name}' });
    if (!isRecord(b['input'])) errors.push({ type: 'required', field: 'input', description: 'input is required' });
    const wh = parseWebhook(b, errors);
    if (errors.length) throw validationFailed(errors);
    const dest = destination as string;
    const [dOwner = '', dName = ''] = dest.split('/');
    if (!store.getModel(dOwner, dName)) throw notFound(`The specified training destination ${dest} does not exist`);
    const input = b['input'] as Record<string, unknown>;
    const parsed = parseTrainerInput(input);
    const j = store.newJob({ kind: 'training', id: newId(), model: `${m.owner}/${m.name}`, version: v.id, destination: dest, input, webhook: wh.webhook, webhookEventsFilter: wh.filter });
    startTraining(ctx, j, parsed, faults.trainingFailures.shift());
    return sendJob(reply, j, 201);
  });
  app.get('/v1/trainings', async (req) => paginate(ctx, req, store.listJobs('training'), 'trainings'));
  app.get('/v1/trainings/:id', async (req, reply) => sendJob(reply, job((req.params as Params)['id'] ?? '', 'training')));
  app.post('/v1/trainings/:id/cancel', async (req, reply) => {
    const j = job((req.params as Params)['id'] ?? '', 'training');
    cancelJob(ctx, j);
    return sendJob(reply, j);
  });

  // ------------------------------------------------------------------ predictions
  const createPrediction = async (req: FastifyRequest, reply: FastifyReply, v: VersionRecord | undefined): Promise<FastifyReply> => {
    const b = body(req);
    const errors: InvalidField[] = [];
    if (!isRecord(b['input'])) errors.push({ type: 'required', field: 'input', description: 'input is required' });
    const wh = parseWebhook(b, errors);
    if (errors.length) throw validationFailed(errors);
    if (!v || v.kind !== 'lora') {
      throw new ApiProblem(422, 'Invalid version or not permitted', 'The specified version does not exist (or perhaps you don\'t have permission to use it?)');
    }
    const input = b['input'] as Record<string, unknown>;
    const parsed = parseLoraInput(input);
    const j = store.newJob({ kind: 'prediction', id: newId(), model: v.model, version: v.id, input, webhook: wh.webhook, webhookEventsFilter: wh.filter });
    startPrediction(ctx, j, parsed, faults.predictionFailures.shift());
    const wait = preferWait(req);
    if (wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([j.finished, new Promise<void>((r) => (timer = setTimeout(r, wait * 1000)))]);
      clearTimeout(timer);
    }
    return sendJob(reply, j, 201);
  };
  app.post('/v1/predictions', async (req, reply) => {
    const b = body(req);
    if (typeof b['version'] !== 'string' || !b['version']) throw validationFailed([{ type: 'required', field: 'version', description: 'version is required' }]);
    return createPrediction(req, reply, store.resolveVersion(b['version']));
  });
  app.post('/v1/models/:owner/:name/predictions', async (req, reply) => createPrediction(req, reply, model(req.params as Params).versions.at(-1)));
  app.get('/v1/predictions', async (req) => paginate(ctx, req, store.listJobs('prediction'), 'predictions'));
  app.get('/v1/predictions/:id', async (req, reply) => sendJob(reply, job((req.params as Params)['id'] ?? '', 'prediction')));
  app.post('/v1/predictions/:id/cancel', async (req, reply) => {
    const j = job((req.params as Params)['id'] ?? '', 'prediction');
    cancelJob(ctx, j);
    return sendJob(reply, j);
  });
}
