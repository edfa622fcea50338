import { StripeApiError } from './errors.ts';
import type { Clock } from './util.ts';

const TTL_MS = 24 * 60 * 60 * 1000;

interface Entry {
  method: string;
  path: string;
  fingerprint: string;
  createdAt: number;
  /** Set once the first request finished with a result worth replaying. */
  result: { status: number; body: string } | null;
}

export type Begin = { kind: 'new' } | { kind: 'replay'; status: number; body: string };

/**
 * Stripe's `Idempotency-Key` for POSTs: the first answer is kept for 24 hours and replayed
 * for the same key and parameters; other parameters (or another path) get an
 * `idempotency_error`, and a second request while the first still runs gets a 409.
 * Only successful answers are kept, so a request that failed can be retried with its key.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  begin(key: string, method: string, path: string, fingerprint: string): Begin {
    if (key.length > 255) throw new StripeApiError(400, 'invalid_request_error', 'Idempotency-Key must be at most 255 characters long.');
    const now = this.clock.now().getTime();
    for (const [k, e] of this.entries) if (now - e.createdAt >= TTL_MS) this.entries.delete(k);
    const e = this.entries.get(key);
    if (!e) {
      this.entries.set(key, { method, path, fingerprint, createdAt: now, result: null });
      return { kind: 'new' };
    }
    if (e.method !== method || e.path !== path || e.fingerprint !== fingerprint) {
      throw new StripeApiError(400, 'idempotency_error', `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`);
    }
    if (!e.result) {
      throw new StripeApiError(409, 'idempotency_error', `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`);
    }
    return { kind: 'replay', status: e.result.status, body: e.result.body };
  }

  complete(key: string, status: number, body: string): void {
    const e = this.entries.get(key);
    if (!e || e.result) return;
    if (status >= 200 && status < 300) e.result = { status, body };
    else this.entries.delete(key);
  }
}
