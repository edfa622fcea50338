export interface HttpFault {
  status: 429 | 500 | 502 | 503;
  /** Only for 429: sent as `retry-after-ms` and, rounded up, `retry-after` (seconds). */
  retryAfterMs: number;
}

export interface FaultControls {
  /** The next `count` /v1 requests answer `status`; a 429 carries `retry-after-ms: retryAfterMs`. */
  failNextRequests(count: number, status?: HttpFault['status'], retryAfterMs?: number): void;
  /** The next `count` /v1 requests are held for `ms` before anything is sent (default: until the emulator closes). */
  hangNextRequests(count: number, ms?: number): void;
  /** Extra delay before every /v1 answer, until changed or reset. */
  setLatency(ms: number): void;
  reset(): void;
  readonly latencyMs: number;
  snapshot(): Record<string, unknown>;
}

const STATUSES = [429, 500, 502, 503] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonNegative(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0)) throw new Error(`${name} must be a number >= 0`);
  return v;
}

export class Faults implements FaultControls {
  httpErrors: HttpFault[] = [];
  hangs: number[] = [];
  private latency: number;
  private readonly initialLatency: number;

  constructor(latencyMs: number) {
    this.latency = nonNegative(latencyMs, 'latencyMs');
    this.initialLatency = this.latency;
  }

  get latencyMs(): number {
    return this.latency;
  }

  failNextRequests(count: number, status: HttpFault['status'] = 429, retryAfterMs = 1000): void {
    for (let i = 0; i < count; i++) this.httpErrors.push({ status, retryAfterMs });
  }
  hangNextRequests(count: number, ms = Number.POSITIVE_INFINITY): void {
    for (let i = 0; i < count; i++) this.hangs.push(ms);
  }
  setLatency(ms: number): void {
    this.latency = nonNegative(ms, 'latency');
  }
  reset(): void {
    this.httpErrors = [];
    this.hangs = [];
    this.latency = this.initialLatency;
  }
  snapshot(): Record<string, unknown> {
    return { latency_ms: this.latency, pending_http_errors: this.httpErrors.length, pending_hangs: this.hangs.length };
  }

  /**
   * Applies a JSON body from `POST /_emulator/faults`, e.g.
   * `{"http_error":{"count":2,"status":429,"retry_after_ms":100},"hang":{"count":1,"ms":5000},"latency_ms":200,"reset":true}`
   * (`retry_after` in seconds is accepted too). Validates everything before changing anything.
   */
  apply(body: unknown): void {
    if (!isRecord(body)) throw new Error('body must be a JSON object');
    const count = (v: unknown): number => (v === undefined ? 1 : nonNegative(v, 'count'));
    const steps: Array<() => void> = [];
    if (body['reset'] === true) steps.push(() => this.reset());
    const he = body['http_error'];
    if (he !== undefined) {
      if (!isRecord(he)) throw new Error('http_error must be an object');
      const status = he['status'] ?? 429;
      if (!STATUSES.includes(status as HttpFault['status'])) throw new Error('http_error.status must be 429, 500, 502 or 503');
      const retryAfterMs = he['retry_after_ms'] !== undefined ? nonNegative(he['retry_after_ms'], 'retry_after_ms')
        : he['retry_after'] !== undefined ? nonNegative(he['retry_after'], 'retry_after') * 1000 : 1000;
      const n = count(he['count']);
      steps.push(() => this.failNextRequests(n, status as HttpFault['status'], retryAfterMs));
    }
    const hang = body['hang'];
    if (hang !== undefined) {
      if (!isRecord(hang)) throw new Error('hang must be an object');
      const n = count(hang['count']);
      const ms = hang['ms'] === undefined ? undefined : nonNegative(hang['ms'], 'hang.ms');
      steps.push(() => this.hangNextRequests(n, ms));
    }
    if (body['latency_ms'] !== undefined) {
      const ms = nonNegative(body['latency_ms'], 'latency_ms');
      steps.push(() => this.setLatency(ms));
    }
    for (const step of steps) step();
  }
}
