import { isRecord } from './util.ts';

export interface HttpFault {
  status: 429 | 500 | 502 | 503;
  retryAfter: number; // seconds, only for 429
}

export interface FaultControls {
  /** The next `count` /v1 requests answer `status` (429 carries `Retry-After: retryAfter`). */
  failNextRequests(count: number, status?: HttpFault['status'], retryAfter?: number): void;
  /** The next `count` /v1 requests are held for `ms` (default: until the emulator closes). */
  hangNextRequests(count: number, ms?: number): void;
  /** The next training fails with `message` once it is running. */
  failNextTraining(message?: string): void;
  /** The next prediction fails with `message` once it is running. */
  failNextPrediction(message?: string): void;
  /** Drop the next `count` webhook deliveries (default: all until reset). */
  dropWebhooks(count?: number): void;
  /** Deliver each of the next `count` webhooks twice with the same webhook-id (default: all until reset). */
  duplicateWebhooks(count?: number): void;
  setSpeed(speed: number): void;
  reset(): void;
  readonly speed: number;
  snapshot(): Record<string, unknown>;
}

export const DEFAULT_TRAINING_FAILURE = 'CUDA out of memory. Tried to allocate 2.00 GiB (simulated failure injected by the emulator)';
export const DEFAULT_PREDICTION_FAILURE = 'Prediction failed: CUDA error: an illegal memory access was encountered (simulated failure injected by the emulator)';

export class Faults implements FaultControls {
  httpErrors: HttpFault[] = [];
  hangs: number[] = [];
  trainingFailures: string[] = [];
  predictionFailures: string[] = [];
  dropCount = 0;
  duplicateCount = 0;
  private currentSpeed: number;
  private readonly initialSpeed: number;

  constructor(speed: number) {
    this.currentSpeed = speed;
    this.initialSpeed = speed;
  }

  get speed(): number {
    return this.currentSpeed;
  }

  failNextRequests(count: number, status: HttpFault['status'] = 429, retryAfter = 1): void {
    for (let i = 0; i < count; i++) this.httpErrors.push({ status, retryAfter });
  }
  hangNextRequests(count: number, ms = Number.POSITIVE_INFINITY): void {
    for (let i = 0; i < count; i++) this.hangs.push(ms);
  }
  failNextTraining(message = DEFAULT_TRAINING_FAILURE): void {
    this.trainingFailures.push(message);
  }
  failNextPrediction(message = DEFAULT_PREDICTION_FAILURE): void {
    this.predictionFailures.push(message);
  }
  dropWebhooks(count = Number.POSITIVE_INFINITY): void {
    this.dropCount = count;
  }
  duplicateWebhooks(count = Number.POSITIVE_INFINITY): void {
    this.duplicateCount = count;
  }
  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error('speed must be a positive number');
    this.currentSpeed = speed;
  }
  reset(): void {
    this.httpErrors = [];
    this.hangs = [];
    this.trainingFailures = [];
    this.predictionFailures = [];
    this.dropCount = 0;
    this.duplicateCount = 0;
    this.currentSpeed = this.initialSpeed;
  }
  /** Consumes one "drop" token if any. */
  takeDrop(): boolean {
    if (this.dropCount <= 0) return false;
    this.dropCount -= 1;
    return true;
  }
  takeDuplicate(): boolean {
    if (this.duplicateCount <= 0) return false;
    this.duplicateCount -= 1;
    return true;
  }
  snapshot(): Record<string, unknown> {
    const n = (x: number): number | 'all' => (x === Number.POSITIVE_INFINITY ? 'all' : x);
    return {
      speed: this.currentSpeed,
      pending_http_errors: this.httpErrors.length,
      pending_hangs: this.hangs.length,
      pending_training_failures: this.trainingFailures.length,
      pending_prediction_failures: this.predictionFailures.length,
      drop_webhooks: n(this.dropCount),
      duplicate_webhooks: n(this.duplicateCount),
    };
  }

  /**
   * Applies a JSON body from `POST /_emulator/faults`, e.g.
   * `{"http_error":{"count":3,"status":429,"retry_after":1},"hang":{"count":1,"ms":5000},
   *   "fail_next_training":"msg"|true,"fail_next_prediction":true,"drop_webhooks":2,
   *   "duplicate_webhooks":"all","speed":50,"reset":true}`
   */
  apply(body: unknown): void {
    if (!isRecord(body)) throw new Error('body must be a JSON object');
    const count = (v: unknown, dflt: number): number => (v === 'all' || v === true ? Number.POSITIVE_INFINITY : typeof v === 'number' ? v : dflt);
    if (body['reset'] === true) this.reset();
    const he = body['http_error'];
    if (isRecord(he)) {
      const status = he['status'] ?? 429;
      if (status !== 429 && status !== 500 && status !== 502 && status !== 503) throw new Error('http_error.status must be 429, 500, 502 or 503');
      this.failNextRequests(count(he['count'], 1), status, typeof he['retry_after'] === 'number' ? he['retry_after'] : 1);
    }
    const hang = body['hang'];
    if (isRecord(hang)) this.hangNextRequests(count(hang['count'], 1), typeof hang['ms'] === 'number' ? hang['ms'] : undefined);
    const ft = body['fail_next_training'];
    if (ft !== undefined && ft !== false) this.failNextTraining(typeof ft === 'string' ? ft : undefined);
    const fp = body['fail_next_prediction'];
    if (fp !== undefined && fp !== false) this.failNextPrediction(typeof fp === 'string' ? fp : undefined);
    if (body['drop_webhooks'] !== undefined) this.dropWebhooks(count(body['drop_webhooks'], 0));
    if (body['duplicate_webhooks'] !== undefined) this.duplicateWebhooks(count(body['duplicate_webhooks'], 0));
    if (typeof body['speed'] === 'number') this.setSpeed(body['speed']);
  }
}
