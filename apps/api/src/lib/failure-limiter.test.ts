import { describe, expect, it } from 'vitest';
import { createFailureLimiter } from './failure-limiter.ts';

describe('failure limiter', () => {
  it('blocks a key after max failures until its window ends, and counts each key on its own', () => {
    let t = 1_000_000;
    const limiter = createFailureLimiter({ max: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(limiter.blockedFor('a')).toBe(0);
      limiter.fail('a');
    }
    expect(limiter.blockedFor('a')).toBe(60);
    expect(limiter.blockedFor('b')).toBe(0);
    t += 59_001;
    expect(limiter.blockedFor('a')).toBe(1);
    t += 999;
    expect(limiter.blockedFor('a')).toBe(0);
    // A new window starts from nothing.
    limiter.fail('a');
    expect(limiter.blockedFor('a')).toBe(0);
  });

  it('holds at most maxKeys windows: expired ones go first, then the oldest', () => {
    let t = 0;
    const limiter = createFailureLimiter({ max: 1, windowMs: 1000, maxKeys: 3, now: () => t });
    limiter.fail('old');
    t = 500;
    limiter.fail('x');
    limiter.fail('y');
    t = 1200; // 'old' has expired
    limiter.fail('z');
    expect(['x', 'y', 'z'].map((k) => limiter.blockedFor(k))).toEqual([1, 1, 1]);
    // Full of live windows: the oldest ('x') makes room.
    limiter.fail('w');
    expect(['x', 'y', 'z', 'w'].map((k) => limiter.blockedFor(k) > 0)).toEqual([false, true, true, true]);
  });
});
