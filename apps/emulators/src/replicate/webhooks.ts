import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Faults } from './faults.ts';
import type { Job, WebhookEvent } from './store.ts';
import { sleep } from './util.ts';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Standard Webhooks signature, as Replicate sends it: `v1,<base64 HMAC-SHA256(id.timestamp.body)>`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface WebhookSenderOptions {
  secret: string;
  faults: Faults;
  logger: FastifyBaseLogger;
  now: () => Date;
  serialize: (job: Job) => Record<string, unknown>;
  maxAttempts?: number;
}

/**
 * Delivers job webhooks in order per job, with Replicate's event filter, throttling of
 * `logs`/`output` events (at most one per 500 ms, scaled by speed) and retries with
 * exponential backoff on network errors and non-2xx answers.
 */
export class WebhookSender {
  private readonly opts: WebhookSenderOptions;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly lastThrottled = new Map<string, number>();
  private readonly closing = new AbortController();
  private readonly inflight = new Set<Promise<void>>();

  constructor(opts: WebhookSenderOptions) {
    this.opts = opts;
  }

  emit(job: Job, event: WebhookEvent): void {
    if (!job.webhook || !job.webhookEventsFilter.includes(event)) return;
    if (event === 'logs' || event === 'output') {
      const last = this.lastThrottled.get(job.id) ?? 0;
      const now = Date.now();
      if (now - last < 500 / this.opts.faults.speed) return;
      this.lastThrottled.set(job.id, now);
    }
    const url = job.webhook;
    const body = JSON.stringify(this.opts.serialize(job));
    const msgId = `msg_${randomBytes(18).toString('base64url')}`;
    const prev = this.queues.get(job.id) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(url, msgId, body, event, job.id));
    this.queues.set(job.id, next);
    this.inflight.add(next);
    void next.finally(() => this.inflight.delete(next));
  }

  private async deliver(url: string, msgId: string, body: string, event: WebhookEvent, jobId: string): Promise<void> {
    const { faults, logger } = this.opts;
    if (faults.takeDrop()) {
      logger.info({ jobId, event, msgId }, 'replicate emulator: webhook dropped (fault injection)');
      return;
    }
    const times = faults.takeDuplicate() ? 2 : 1;
    for (let i = 0; i < times; i++) await this.deliverOnce(url, msgId, body, event, jobId);
  }

  private async deliverOnce(url: string, msgId: string, body: string, event: WebhookEvent, jobId: string): Promise<void> {
    const { faults, logger, secret } = this.opts;
    const maxAttempts = this.opts.maxAttempts ?? 4;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.closing.signal.aborted) return;
      const timestamp = Math.floor(this.opts.now().getTime() / 1000);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Replicate-Webhooks/1.0 (visiona-emulator)',
            'webhook-id': msgId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(secret, msgId, timestamp, body),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(10_000), this.closing.signal]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) return;
        logger.warn({ jobId, event, attempt, status: res.status }, 'replicate emulator: webhook answered non-2xx');
      } catch (err) {
        if (this.closing.signal.aborted) return;
        logger.warn({ jobId, event, attempt, err: (err as Error).message }, 'replicate emulator: webhook delivery failed');
      }
      if (attempt < maxAttempts) await sleep((1000 * 2 ** (attempt - 1)) / faults.speed, this.closing.signal);
    }
    logger.error({ jobId, event, msgId }, 'replicate emulator: webhook given up');
  }

  /** Resolves when every queued delivery has been attempted (used by tests and close()). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.idle();
  }
}
