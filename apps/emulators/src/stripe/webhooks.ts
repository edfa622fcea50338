import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { FirstAttemptFailure, ReleaseOrder, StripeFaults } from './faults.ts';
import type { WireEvent } from './objects.ts';
import type { EndpointRecord, Store } from './store.ts';
import { base62, type Clock, unixSeconds } from './util.ts';

/** The `Stripe-Signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" keyed with the whole secret>`. */
export function signStripePayload(payload: string, secret: string, timestampSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export function generateWebhookSecret(): string {
  return `whsec_${base62(32)}`;
}

export type DeliveryStatus = number | 'network-error' | 'lost-response' | 'not-delivered';

export interface WebhookDelivery {
  eventId: string;
  type: string;
  /** The endpoint's URL. */
  endpoint: string;
  /** 1 for the first try of a delivery, counting up through its retries. */
  attempt: number;
  status: DeliveryStatus;
  /** ISO time of the attempt, by the emulator's clock. */
  at: string;
}

interface Job {
  eventId: string;
  endpointId: string;
  attempt: number;
  firstAttempt: FirstAttemptFailure | undefined;
  delayMs: number;
  concurrent: boolean;
}

export interface WebhookDispatcherOptions {
  store: Store;
  faults: () => StripeFaults;
  clock: Clock;
  logger: FastifyBaseLogger;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs?: number;
}

const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

/**
 * Delivers events to the webhook endpoints: one attempt at a time per endpoint, in emission
 * order; a failed attempt (non-2xx, network error, 10 s timeout) is retried after
 * `retryBaseMs * 2^(n-1)`, re-entering the endpoint's queue behind what was emitted since,
 * until `maxAttempts`. Every attempt is signed anew with the current time.
 */
export class WebhookDispatcher {
  private readonly opts: WebhookDispatcherOptions;
  private readonly queues = new Map<string, Job[]>();
  private readonly pumping = new Set<string>();
  private readonly held: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly delivered = new Set<string>();
  private readonly log: WebhookDelivery[] = [];
  private readonly closing = new AbortController();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: WebhookDispatcherOptions) {
    this.opts = opts;
  }

  private targets(type: string): EndpointRecord[] {
    return [...this.opts.store.endpoints.values()].filter((e) => e.endpoint.status === 'enabled' && (e.endpoint.enabled_events.includes('*') || e.endpoint.enabled_events.includes(type)));
  }

  /** Queues a freshly emitted event for every endpoint that listens to its type, applying the pending faults. */
  dispatch(event: WireEvent): void {
    const targets = this.targets(event.type);
    event.pending_webhooks = targets.length;
    const f = this.opts.faults().takeForEvent();
    if (f.drop) {
      this.opts.logger.info({ eventId: event.id, type: event.type }, 'stripe emulator: event dropped (fault injection)');
      return;
    }
    const jobs: Job[] = [];
    for (const t of targets) {
      const base = { eventId: event.id, endpointId: t.endpoint.id, attempt: 1, delayMs: f.delayMs, concurrent: false };
      jobs.push({ ...base, firstAttempt: f.firstAttempt });
      if (f.duplicate) jobs.push({ ...base, firstAttempt: undefined });
    }
    if (this.opts.faults().holding) this.held.push(...jobs);
    else for (const j of jobs) this.schedule(j);
  }

  /** Delivers an already emitted event again, to every endpoint listening to its type. */
  resend(event: WireEvent): void {
    for (const t of this.targets(event.type)) this.schedule({ eventId: event.id, endpointId: t.endpoint.id, attempt: 1, firstAttempt: undefined, delayMs: 0, concurrent: false });
  }

  release(order: ReleaseOrder): void {
    const jobs = this.held.splice(0);
    if (order === 'reverse') jobs.reverse();
    for (const j of jobs) {
      j.concurrent = order === 'concurrent';
      this.schedule(j);
    }
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  /** Resolves when nothing is queued, in flight, delayed or waiting for a retry (held events do not count). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closing.abort();
    // Every timer holds one job (a delay or a retry backoff).
    for (const t of this.timers) {
      clearTimeout(t);
      this.finish();
    }
    this.timers.clear();
    this.held.length = 0;
    for (const q of this.queues.values()) {
      for (let i = q.length; i > 0; i--) this.finish();
      q.length = 0;
    }
    await this.idle();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private schedule(job: Job): void {
    if (this.closing.signal.aborted) return;
    this.pending += 1;
    if (job.delayMs > 0) {
      const ms = job.delayMs;
      job.delayMs = 0;
      this.later(ms, () => this.start(job));
    } else {
      this.start(job);
    }
  }

  private start(job: Job): void {
    if (job.concurrent) {
      void this.run(job);
      return;
    }
    const q = this.queues.get(job.endpointId) ?? [];
    q.push(job);
    this.queues.set(job.endpointId, q);
    void this.pump(job.endpointId);
  }

  private async pump(endpointId: string): Promise<void> {
    if (this.pumping.has(endpointId)) return;
    this.pumping.add(endpointId);
    try {
      const q = this.queues.get(endpointId) ?? [];
      for (let job = q.shift(); job; job = q.shift()) await this.run(job);
    } finally {
      this.pumping.delete(endpointId);
    }
  }

  private async run(job: Job): Promise<void> {
    const ok = await this.attempt(job);
    const { maxAttempts, retryBaseMs, logger } = this.opts;
    if (ok || this.closing.signal.aborted) return this.finish();
    if (job.attempt >= maxAttempts) {
      logger.error({ eventId: job.eventId, endpoint: job.endpointId, attempts: job.attempt }, 'stripe emulator: webhook given up');
      return this.finish();
    }
    const wait = retryBaseMs * 2 ** (job.attempt - 1);
    job.attempt += 1;
    this.later(wait, () => this.start(job));
  }

  private finish(): void {
    this.pending -= 1;
    if (this.pending === 0) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  private record(job: Job, event: WireEvent, endpoint: EndpointRecord, status: DeliveryStatus): void {
    this.log.push({ eventId: event.id, type: event.type, endpoint: endpoint.endpoint.url, attempt: job.attempt, status, at: this.opts.clock.now().toISOString() });
  }

  /** One signed POST; true when the endpoint answered 2xx (and no fault says otherwise). */
  private async attempt(job: Job): Promise<boolean> {
    const { store, clock, logger } = this.opts;
    const event = store.events.get(job.eventId);
    const endpoint = store.endpoints.get(job.endpointId);
    if (!event || !endpoint) return true;
    const fault = job.attempt === 1 ? job.firstAttempt : undefined;
    if (fault === 'not-delivered') {
      this.record(job, event, endpoint, 'not-delivered');
      return false;
    }
    const body = JSON.stringify(event, null, 2);
    const timestamp = unixSeconds(clock.now());
    try {
      const res = await fetch(endpoint.endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': USER_AGENT,
          accept: '*/*; q=0.5, application/xml',
          'cache-control': 'no-cache',
          'stripe-signature': signStripePayload(body, endpoint.secret, timestamp),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs ?? 10_000), this.closing.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (fault === 'lost-response') {
        this.record(job, event, endpoint, 'lost-response');
        return false;
      }
      this.record(job, event, endpoint, res.status);
      if (res.status >= 200 && res.status < 300) {
        const key = `${event.id} ${endpoint.endpoint.id}`;
        if (!this.delivered.has(key)) {
          this.delivered.add(key);
          event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
        }
        return true;
      }
      logger.warn({ eventId: event.id, attempt: job.attempt, status: res.status }, 'stripe emulator: webhook answered non-2xx');
      return false;
    } catch (err) {
      if (this.closing.signal.aborted) return false;
      this.record(job, event, endpoint, 'network-error');
      logger.warn({ eventId: event.id, attempt: job.attempt, err: (err as Error).message }, 'stripe emulator: webhook delivery failed');
      return false;
    }
  }
}
