import Replicate from 'replicate';
import type { Config } from '../config.ts';

export type ReplicateStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

/** What Visiona needs to know about a training, from a webhook body or a GET. */
export interface TrainingSnapshot {
  id: string;
  status: ReplicateStatus;
  logs: string;
  error: string | null;
  /** `owner/model:version` once succeeded. */
  version: string | null;
  weights: string | null;
}

/** What Visiona needs to know about a prediction (a generation). */
export interface PredictionSnapshot {
  id: string;
  status: ReplicateStatus;
  logs: string;
  error: string | null;
  /** Output file URLs once succeeded. */
  output: string[];
}

export interface PredictionRequest {
  /** The trained version's id (the hash after `owner/model:`). */
  version: string;
  input: Record<string, unknown>;
  webhook: string;
}

export interface TrainingRequest {
  destination: `${string}/${string}`;
  input: Record<string, unknown>;
  webhook: string;
}

/** The part of Replicate that training uses. The only module that imports the SDK. */
export interface ReplicateGateway {
  /** Creates `owner/name` as a private model unless it exists. */
  ensureModel(owner: string, name: string, description: string): Promise<void>;
  createTraining(request: TrainingRequest): Promise<TrainingSnapshot>;
  getTraining(id: string): Promise<TrainingSnapshot>;
  cancelTraining(id: string): Promise<TrainingSnapshot>;
  /**
   * Deletes a destination model and every version of it (Replicate deletes a model only
   * once it has no versions). Already gone counts as done: account deletion reruns it.
   */
  deleteModel(owner: string, name: string): Promise<void>;
  /**
   * The most recent training whose `input_images` URL contains `marker`, if any: how a
   * retried submission finds the training an interrupted attempt already created.
   */
  findRecentTraining(marker: string): Promise<TrainingSnapshot | null>;
  /**
   * Recent predictions of `request.version` with exactly `request.input`, created at or
   * after `since`, newest first: how a retried submission finds the prediction an
   * interrupted attempt already created (predictions carry nothing else to match on).
   */
  findRecentPredictions(request: Omit<PredictionRequest, 'webhook'>, since: Date): Promise<PredictionSnapshot[]>;
  createPrediction(request: PredictionRequest): Promise<PredictionSnapshot>;
  getPrediction(id: string): Promise<PredictionSnapshot>;
  /** The account's Standard Webhooks signing secret (`whsec_…`). */
  webhookSecret(): Promise<string>;
}

const STATUSES: readonly ReplicateStatus[] = ['starting', 'processing', 'succeeded', 'failed', 'canceled'];

/** Replicate's statuses only move forward: starting < processing < any terminal one. */
export const STATUS_RANK: Record<ReplicateStatus, number> = { starting: 0, processing: 1, succeeded: 2, failed: 2, canceled: 2 };
export const isTerminalStatus = (s: ReplicateStatus) => STATUS_RANK[s] === 2;

/** Reads a training object (from the SDK or a webhook body) defensively. */
export function toTrainingSnapshot(raw: unknown): TrainingSnapshot | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const t = raw as Record<string, unknown>;
  if (typeof t['id'] !== 'string' || !STATUSES.includes(t['status'] as ReplicateStatus)) return null;
  const output = typeof t['output'] === 'object' && t['output'] !== null ? (t['output'] as Record<string, unknown>) : {};
  const err = t['error'];
  return {
    id: t['id'],
    status: t['status'] as ReplicateStatus,
    logs: typeof t['logs'] === 'string' ? t['logs'] : '',
    error: err === null || err === undefined || err === '' ? null : typeof err === 'string' ? err : JSON.stringify(err),
    version: typeof output['version'] === 'string' ? output['version'] : null,
    weights: typeof output['weights'] === 'string' ? output['weights'] : null,
  };
}

/** Reads a prediction object (from the SDK or a webhook body) defensively. */
export function toPredictionSnapshot(raw: unknown): PredictionSnapshot | null {
  const base = toTrainingSnapshot(raw);
  if (!base) return null;
  const out = (raw as Record<string, unknown>)['output'];
  const output = Array.isArray(out) ? out.filter((u): u is string => typeof u === 'string') : typeof out === 'string' ? [out] : [];
  return { id: base.id, status: base.status, logs: base.logs, error: base.error, output };
}

function snapshot(raw: unknown): TrainingSnapshot {
  const s = toTrainingSnapshot(raw);
  if (!s) throw new Error('Replicate answered with something that is not a training');
  return s;
}

/** A client error from Replicate (bad input, forbidden): retrying will not help. */
export function isPermanentReplicateError(err: unknown): boolean {
  const status = replicateErrorStatus(err);
  return status !== null && status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429;
}

/** The HTTP status of a failed Replicate call, if it got an answer. */
export function replicateErrorStatus(err: unknown): number | null {
  // The SDK's ApiError carries the Response; it is not exported as a value.
  const response = (err as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === 'number' ? response.status : null;
}

/** JSON with object keys sorted, so that two equal inputs compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/**
 * Every request has a deadline. The SDK (1.4) sends a request again at once, up to six
 * times and even a POST, whenever fetch throws: a hanging Replicate would take six
 * timeouts, and a create whose answer was slow would be sent again while the first may
 * still run. So a timeout or a dropped connection comes back as a 408 answer, which the
 * SDK does not repeat; the caller (a job) retries it with backoff, adopting what an
 * interrupted attempt created.
 */
async function fetchWithDeadline(input: string | URL | Request, init: RequestInit | undefined, timeoutMs: number): Promise<Response> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    return await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  } catch (err) {
    if (init?.signal?.aborted) throw err;
    const detail = deadline.aborted ? `Replicate did not answer within ${timeoutMs} ms.` : `Replicate could not be reached (${(err as Error).message}).`;
    return new Response(JSON.stringify({ title: 'Request Timeout', detail, status: 408 }), { status: 408, headers: { 'content-type': 'application/problem+json' } });
  }
}

export function createReplicateGateway(config: Config['replicate']): ReplicateGateway {
  const client = new Replicate({
    auth: config.apiToken,
    baseUrl: config.baseUrl,
    userAgent: 'visiona-api',
    fetch: (input, init) => fetchWithDeadline(input, init, config.timeoutMs),
  });

  return {
    async ensureModel(owner, name, description) {
      try {
        await client.models.get(owner, name);
        return;
      } catch (err) {
        if (replicateErrorStatus(err) !== 404) throw err;
      }
      try {
        await client.models.create(owner, name, { visibility: 'private', hardware: 'cpu', description });
      } catch (err) {
        // Created by a concurrent attempt: fine.
        if (replicateErrorStatus(err) !== 409) throw err;
      }
    },

    async createTraining(request) {
      const { owner, name, version } = config.trainer;
      return snapshot(
        await client.trainings.create(owner, name, version, {
          destination: request.destination,
          input: request.input,
          webhook: request.webhook,
          webhook_events_filter: ['start', 'logs', 'output', 'completed'],
        }),
      );
    },

    async getTraining(id) {
      return snapshot(await client.trainings.get(id));
    },

    async cancelTraining(id) {
      return snapshot(await client.trainings.cancel(id));
    },

    async deleteModel(owner, name) {
      const path = `/models/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
      const gone = (err: unknown) => {
        if (replicateErrorStatus(err) !== 404) throw err;
      };
      try {
        for await (const page of client.paginate(() => client.models.versions.list(owner, name))) {
          for (const v of page) await client.request(`${path}/versions/${encodeURIComponent(v.id)}`, { method: 'DELETE' }).catch(gone);
        }
      } catch (err) {
        gone(err);
        return;
      }
      await client.request(path, { method: 'DELETE' }).catch(gone);
    },

    async createPrediction(request) {
      const p = await client.predictions.create({
        version: request.version,
        input: request.input,
        webhook: request.webhook,
        webhook_events_filter: ['start', 'logs', 'completed'],
      });
      const snap = toPredictionSnapshot(p);
      if (!snap) throw new Error('Replicate answered with something that is not a prediction');
      return snap;
    },

    async getPrediction(id) {
      const snap = toPredictionSnapshot(await client.predictions.get(id));
      if (!snap) throw new Error('Replicate answered with something that is not a prediction');
      return snap;
    },

    async findRecentTraining(marker) {
      const page = await client.trainings.list();
      const found = page.results.find((t) => {
        const input = (t as { input?: Record<string, unknown> }).input;
        return typeof input?.['input_images'] === 'string' && input['input_images'].includes(marker);
      });
      return found ? snapshot(found) : null;
    },

    async findRecentPredictions(request, since) {
      const page = await client.predictions.list();
      const wanted = canonicalJson(request.input);
      return page.results
        .filter((p) => p.version === request.version && Date.parse(p.created_at) >= since.getTime() && canonicalJson(p.input) === wanted)
        .map((p) => toPredictionSnapshot(p))
        .filter((p): p is PredictionSnapshot => p !== null);
    },

    async webhookSecret() {
      const { key } = await client.webhooks.default.secret.get();
      return key;
    },
  };
}
