import { isRecord } from './util.ts';

export type ApiFaultStatus = 429 | 500 | 503;
export type FirstAttemptFailure = 'lost-response' | 'not-delivered';
export type ReleaseOrder = 'emitted' | 'reverse' | 'concurrent';

export interface StripeFaultControls {
  /** Each of the next `count` events is delivered twice, with the same event id. */
  duplicateNext(count: number): void;
  /**
   * The first attempt of each of the next `count` events fails. `lost-response` sends it and
   * then counts it as failed whatever the answer (the receiver processed it and will see it
   * again on the retry); `not-delivered` counts a failure without sending anything.
   */
  failFirstAttempt(count: number, mode?: FirstAttemptFailure): void;
  /** The next `count` events are delivered `ms` late (later events overtake them). */
  delayNext(count: number, ms: number): void;
  /** Queue every event from now on until `release`. */
  hold(): void;
  /** Deliver the held events in emission order, in reverse order, or all at once in parallel. */
  release(order?: ReleaseOrder): void;
  /** The next `count` events are never delivered (still listed by `GET /v1/events`). */
  dropNext(count: number): void;
  /** The next `count` /v1 requests answer `status` without running. */
  failNextRequests(count: number, status?: ApiFaultStatus): void;
  /** The next `count` /v1 requests are held for `ms` before running (default: until close). */
  hangNextRequests(count: number, ms?: number): void;
  /** Clears every pending fault and releases held events in emission order. */
  reset(): void;
  snapshot(): Record<string, unknown>;
}

export interface EventFaults {
  duplicate: boolean;
  firstAttempt: FirstAttemptFailure | undefined;
  delayMs: number;
  drop: boolean;
}

export class StripeFaults implements StripeFaultControls {
  apiErrors: ApiFaultStatus[] = [];
  hangs: number[] = [];
  private duplicates = 0;
  private firstAttempts: FirstAttemptFailure[] = [];
  private delays: number[] = [];
  private drops = 0;
  private held = false;
  private readonly onRelease: (order: ReleaseOrder) => void;

  constructor(onRelease: (order: ReleaseOrder) => void) {
    this.onRelease = onRelease;
  }

  get holding(): boolean {
    return this.held;
  }

  duplicateNext(count: number): void {
    this.duplicates += checkCount(count);
  }
  failFirstAttempt(count: number, mode: FirstAttemptFailure = 'lost-response'): void {
    if (mode !== 'lost-response' && mode !== 'not-delivered') throw new Error("mode must be 'lost-response' or 'not-delivered'");
    for (let i = 0; i < checkCount(count); i++) this.firstAttempts.push(mode);
  }
  delayNext(count: number, ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error('ms must be a finite number ≥ 0');
    for (let i = 0; i < checkCount(count); i++) this.delays.push(ms);
  }
  hold(): void {
    this.held = true;
  }
  release(order: ReleaseOrder = 'emitted'): void {
    if (order !== 'emitted' && order !== 'reverse' && order !== 'concurrent') throw new Error("order must be 'emitted', 'reverse' or 'concurrent'");
    this.held = false;
    this.onRelease(order);
  }
  dropNext(count: number): void {
    this.drops += checkCount(count);
  }
  failNextRequests(count: number, status: ApiFaultStatus = 500): void {
    if (status !== 429 && status !== 500 && status !== 503) throw new Error('status must be 429, 500 or 503');
    for (let i = 0; i < checkCount(count); i++) this.apiErrors.push(status);
  }
  hangNextRequests(count: number, ms = Number.POSITIVE_INFINITY): void {
    for (let i = 0; i < checkCount(count); i++) this.hangs.push(ms);
  }
  reset(): void {
    this.apiErrors = [];
    this.hangs = [];
    this.duplicates = 0;
    this.firstAttempts = [];
    this.delays = [];
    this.drops = 0;
    if (this.held) this.release('emitted');
  }

  /** Takes the faults that apply to the next emitted event. */
  takeForEvent(): EventFaults {
    const drop = this.drops > 0;
    if (drop) {
      this.drops -= 1;
      return { duplicate: false, firstAttempt: undefined, delayMs: 0, drop: true };
    }
    const duplicate = this.duplicates > 0;
    if (duplicate) this.duplicates -= 1;
    return { duplicate, firstAttempt: this.firstAttempts.shift(), delayMs: this.delays.shift() ?? 0, drop: false };
  }

  snapshot(): Record<string, unknown> {
    return {
      pending_api_errors: this.apiErrors.length,
      pending_hangs: this.hangs.length,
      duplicate_next: this.duplicates,
      fail_first_attempt: this.firstAttempts.length,
      delay_next: this.delays.length,
      drop_next: this.drops,
      holding: this.held,
    };
  }

  /**
   * Applies a JSON body from `POST /_emulator/faults`, e.g.
   * `{"duplicate_next":1,"fail_first_attempt":{"count":1,"mode":"not-delivered"},
   *   "delay_next":{"count":1,"ms":500},"hold":true,"release":"reverse","drop_next":2,
   *   "http_error":{"count":2,"status":503},"hang":{"count":1,"ms":5000},"reset":true}`
   * (`reset` first, `release` last).
   */
  apply(body: unknown): void {
    if (!isRecord(body)) throw new Error('body must be a JSON object');
    const num = (v: unknown, name: string): number => {
      if (typeof v !== 'number') throw new Error(`${name} must be a number`);
      return v;
    };
    if (body['reset'] === true) this.reset();
    if (body['duplicate_next'] !== undefined) this.duplicateNext(num(body['duplicate_next'], 'duplicate_next'));
    if (body['drop_next'] !== undefined) this.dropNext(num(body['drop_next'], 'drop_next'));
    const ffa = body['fail_first_attempt'];
    if (isRecord(ffa)) this.failFirstAttempt(num(ffa['count'] ?? 1, 'fail_first_attempt.count'), (ffa['mode'] ?? 'lost-response') as FirstAttemptFailure);
    const delay = body['delay_next'];
    if (isRecord(delay)) this.delayNext(num(delay['count'] ?? 1, 'delay_next.count'), num(delay['ms'], 'delay_next.ms'));
    const he = body['http_error'];
    if (isRecord(he)) this.failNextRequests(num(he['count'] ?? 1, 'http_error.count'), (he['status'] ?? 500) as ApiFaultStatus);
    const hang = body['hang'];
    if (isRecord(hang)) this.hangNextRequests(num(hang['count'] ?? 1, 'hang.count'), hang['ms'] === undefined ? undefined : num(hang['ms'], 'hang.ms'));
    if (body['hold'] === true) this.hold();
    if (body['release'] !== undefined) this.release(body['release'] === true ? 'emitted' : (body['release'] as ReleaseOrder));
  }
}

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 0) throw new Error('count must be an integer ≥ 0');
  return count;
}
