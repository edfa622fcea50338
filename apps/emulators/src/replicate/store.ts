import { createHash } from 'node:crypto';
import type { Clock } from './util.ts';

export type JobStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
export type WebhookEvent = 'start' | 'output' | 'logs' | 'completed';
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['start', 'output', 'logs', 'completed'];

export interface VersionRecord {
  id: string;
  model: string; // owner/name
  createdAt: Date;
  cogVersion: string;
  kind: 'trainer' | 'lora';
  weightsUrl?: string;
}

export interface ModelRecord {
  owner: string;
  name: string;
  description: string | null;
  visibility: 'public' | 'private';
  hardware: string;
  githubUrl: string | null;
  paperUrl: string | null;
  licenseUrl: string | null;
  coverImageUrl: string | null;
  runCount: number;
  versions: VersionRecord[]; // oldest first
}

export interface Job {
  kind: 'training' | 'prediction';
  id: string;
  model: string;
  version: string;
  destination?: string;
  input: Record<string, unknown>;
  status: JobStatus;
  logs: string;
  output: unknown;
  error: string | null;
  createdAt: Date;
  startedAt?: Date;
  completedAt?: Date;
  metrics: Record<string, unknown>;
  webhook?: string;
  webhookEventsFilter: WebhookEvent[];
  abort: AbortController;
  finished: Promise<void>;
  markFinished: () => void;
}

export interface StoredFile {
  body: Buffer;
  contentType: string;
  expiresAt: Date | null;
}

export const TRAINER_OWNER = 'ostris';
export const TRAINER_NAME = 'flux-dev-lora-trainer';
export const TRAINER_VERSION = 'b6af14222e6bd9be257cbc1ea4afda3cd0503e1133083b9d1de0364d8568e6ef';
export const OUTPUT_TTL_MS = 60 * 60 * 1000;

export class Store {
  readonly models = new Map<string, ModelRecord>();
  readonly versions = new Map<string, VersionRecord>();
  readonly jobs = new Map<string, Job>();
  readonly files = new Map<string, StoredFile>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
    const trainer = this.addModel({
      owner: TRAINER_OWNER,
      name: TRAINER_NAME,
      description: 'Fast, affordable LoRA training for FLUX.1-dev (simulated by the Visiona emulator)',
      visibility: 'public',
      hardware: 'gpu-h100',
      githubUrl: 'https://github.com/replicate/flux-fine-tuner',
      paperUrl: null,
      licenseUrl: 'https://github.com/black-forest-labs/flux/blob/main/model_licenses/LICENSE-FLUX1-dev',
      coverImageUrl: null,
      runCount: 0,
      versions: [],
    });
    this.addVersion(trainer, { id: TRAINER_VERSION, model: `${TRAINER_OWNER}/${TRAINER_NAME}`, createdAt: new Date('2024-09-20T19:37:53.000Z'), cogVersion: '0.9.13', kind: 'trainer' });
  }

  now(): Date {
    return this.clock.now();
  }

  addModel(m: ModelRecord): ModelRecord {
    this.models.set(`${m.owner}/${m.name}`, m);
    return m;
  }

  getModel(owner: string, name: string): ModelRecord | undefined {
    return this.models.get(`${owner}/${name}`);
  }

  /** Replicate deletes a version only from a private model, and never the trainer's. */
  deleteVersion(model: ModelRecord, id: string): boolean {
    const i = model.versions.findIndex((v) => v.id === id);
    if (i < 0) return false;
    model.versions.splice(i, 1);
    this.versions.delete(id);
    return true;
  }

  deleteModel(owner: string, name: string): boolean {
    return this.models.delete(`${owner}/${name}`);
  }

  addVersion(model: ModelRecord, v: VersionRecord): void {
    model.versions.push(v);
    this.versions.set(v.id, v);
  }

  /** Accepts `hash`, `owner/name:hash` (as Replicate does for `version`). */
  resolveVersion(ref: string): VersionRecord | undefined {
    const colon = ref.lastIndexOf(':');
    const id = colon >= 0 ? ref.slice(colon + 1) : ref;
    const v = this.versions.get(id);
    if (!v) return undefined;
    if (colon >= 0 && ref.slice(0, colon) !== v.model) return undefined;
    return v;
  }

  newJob(init: Omit<Job, 'status' | 'logs' | 'output' | 'error' | 'metrics' | 'abort' | 'finished' | 'markFinished' | 'createdAt'>): Job {
    let markFinished: () => void = () => undefined;
    const finished = new Promise<void>((r) => {
      markFinished = r;
    });
    const job: Job = {
      ...init,
      status: 'starting',
      logs: '',
      output: null,
      error: null,
      metrics: {},
      createdAt: this.now(),
      abort: new AbortController(),
      finished,
      markFinished,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  listJobs(kind: Job['kind']): Job[] {
    return [...this.jobs.values()].filter((j) => j.kind === kind).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  putFile(path: string, body: Buffer, contentType: string, ttlMs: number | null): void {
    const now = this.now().getTime();
    for (const [k, f] of this.files) if (f.expiresAt && f.expiresAt.getTime() <= now) this.files.delete(k);
    this.files.set(path, { body, contentType, expiresAt: ttlMs === null ? null : new Date(this.now().getTime() + ttlMs) });
  }

  getFile(path: string): StoredFile | undefined {
    const f = this.files.get(path);
    if (!f) return undefined;
    if (f.expiresAt && f.expiresAt.getTime() <= this.now().getTime()) {
      this.files.delete(path);
      return undefined;
    }
    return f;
  }
}

export function isTerminal(s: JobStatus): boolean {
  return s === 'succeeded' || s === 'failed' || s === 'canceled';
}

export function versionHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

// ---------------------------------------------------------------- serialization

export function serializeModel(m: ModelRecord, publicUrl: string): Record<string, unknown> {
  const latest = m.versions.at(-1);
  return {
    url: `${publicUrl}/${m.owner}/${m.name}`,
    owner: m.owner,
    name: m.name,
    description: m.description,
    visibility: m.visibility,
    github_url: m.githubUrl,
    paper_url: m.paperUrl,
    license_url: m.licenseUrl,
    run_count: m.runCount,
    cover_image_url: m.coverImageUrl,
    default_example: null,
    latest_version: latest ? serializeVersion(latest) : null,
  };
}

export function serializeVersion(v: VersionRecord): Record<string, unknown> {
  return { id: v.id, created_at: v.createdAt.toISOString(), cog_version: v.cogVersion, openapi_schema: {} };
}

function dataRemoved(job: Job, now: Date): boolean {
  return job.kind === 'prediction' && !!job.completedAt && now.getTime() - job.completedAt.getTime() >= OUTPUT_TTL_MS;
}

export function serializeJob(job: Job, publicUrl: string, now: Date): Record<string, unknown> {
  const base = job.kind === 'training' ? 'trainings' : 'predictions';
  const removed = dataRemoved(job, now);
  const body: Record<string, unknown> = {
    id: job.id,
    model: job.model,
    version: job.version,
    input: removed ? {} : job.input,
    logs: removed ? '' : job.logs,
    error: job.error,
    status: job.status,
    created_at: job.createdAt.toISOString(),
    source: 'api',
    urls: {
      web: `${publicUrl}/p/${job.id}`,
      get: `${publicUrl}/v1/${base}/${job.id}`,
      cancel: `${publicUrl}/v1/${base}/${job.id}/cancel`,
    },
  };
  if (job.kind === 'prediction') {
    body['output'] = removed ? null : job.output;
    body['data_removed'] = removed;
  } else if (job.output !== null) {
    body['output'] = job.output;
  }
  if (job.startedAt) body['started_at'] = job.startedAt.toISOString();
  if (job.completedAt) body['completed_at'] = job.completedAt.toISOString();
  if (isTerminal(job.status)) body['metrics'] = job.metrics;
  if (job.webhook) {
    body['webhook'] = job.webhook;
    body['webhook_events_filter'] = job.webhookEventsFilter;
  }
  return body;
}
