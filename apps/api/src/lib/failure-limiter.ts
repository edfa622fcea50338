/**
 * Failed attempts per key (a client address) in a fixed window, held in this process.
 * Used for credentials that did not authenticate: each such request costs a token lookup,
 * and the request limiter, which runs after authentication, never sees them.
 */
export interface FailureLimiter {
  /** Seconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string): number;
  /** Counts one failure of `key`. */
  fail(key: string): void;
}

export function createFailureLimiter(opts: { max: number; windowMs: number; maxKeys?: number; now?: () => number }): FailureLimiter {
  const { max, windowMs } = opts;
  const maxKeys = opts.maxKeys ?? 100_000;
  const now = opts.now ?? Date.now;
  // Insertion order is window start order: the oldest windows come first.
  const windows = new Map<string, { count: number; resetAt: number }>();

  function makeRoom(t: number) {
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
    // Still full (a flood from many addresses): forget the oldest windows first.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    blockedFor(key) {
      const w = windows.get(key);
      if (!w) return 0;
      const t = now();
      if (w.resetAt <= t) {
        windows.delete(key);
        return 0;
      }
      return w.count >= max ? Math.max(1, Math.ceil((w.resetAt - t) / 1000)) : 0;
    },
    fail(key) {
      const t = now();
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        windows.delete(key);
        if (windows.size >= maxKeys) makeRoom(t);
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
    },
  };
}
