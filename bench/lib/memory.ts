import { readFileSync, writeFileSync } from 'node:fs';

/** Resident set size of a process, from /proc (Linux), without touching the process itself. */
export interface ProcMemory {
  /** VmRSS: resident now, bytes. */
  rss: number;
  /** VmHWM: the most ever resident (since start or the last `resetPeak`), bytes. */
  peak: number;
}

export function readMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * Resets the process's VmHWM to its current RSS (writing 5 to clear_refs, Linux
 * 4.0+), so that the next peak is this run's alone. False when not allowed.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface RssSampling {
  /** Stops sampling; the highest RSS seen, and the kernel's high-water mark if it was reset at the start. */
  stop(): { maxSampled: number; peak: number | null; samples: number };
}

/**
 * Samples another process's RSS every `intervalMs` from /proc, and resets its
 * high-water mark at the start so the kernel's VmHWM catches peaks between
 * samples too. The sampled process does no work for this.
 */
export function sampleRss(pid: number, intervalMs = 20): RssSampling {
  const hwmReset = resetPeak(pid);
  let maxSampled = readMemory(pid).rss;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      maxSampled = Math.max(maxSampled, readMemory(pid).rss);
      samples++;
    } catch {
      // the process exited: the last sample stands
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      let peak: number | null = null;
      try {
        const now = readMemory(pid);
        maxSampled = Math.max(maxSampled, now.rss);
        samples++;
        if (hwmReset) peak = now.peak;
      } catch {
        // exited
      }
      return { maxSampled, peak, samples };
    },
  };
}

/** Megabytes as budgets mean them: 1 MB = 1,000,000 bytes (the stricter reading). */
export const MB = 1_000_000;

export function mb(bytes: number, digits = 1): string {
  return `${(bytes / MB).toFixed(digits)} MB`;
}
