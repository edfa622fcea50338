/**
 * The driving side of a throughput benchmark (bench/me-throughput.ts,
 * gallery-throughput.ts): autocannon against one route, the measured rounds
 * summed, and the two budgets QUALITY.md sets on a route against its bare twin.
 */
import autocannon from 'autocannon';
import { type Check, fmt, pct } from './common.ts';
import type { Counters } from './throughput-server.ts';

export type { Counters, ServerStats } from './throughput-server.ts';

/** A route's throughput as a share of its bare route's, and its p99 latency. */
export interface ThroughputBudget {
  minRatio: number;
  maxP99Ms: number;
}

/** One measured round of one server. */
export interface Round {
  rps: number;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  loadGenCpu: number;
  serverCpuMs: number;
  serverElu: number;
  counters: Counters;
}

/** Loads `url` for `duration` seconds; every response must be a 200: a benchmark of 401s, 429s or 503s measures nothing. */
export async function loadRoute(target: string, url: string, opts: { connections: number; duration: number; headers: Record<string, string> }) {
  const r = await autocannon({ url, connections: opts.connections, duration: opts.duration, headers: opts.headers, timeout: 10 });
  const bad = r.non2xx + r.errors + r.timeouts + (r.resets ?? 0);
  if (bad > 0 || r['2xx'] === 0) {
    throw new Error(
      `${target}: GET ${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total} requests ` +
        `(status codes: ${JSON.stringify(r.statusCodeStats ?? {})})`,
    );
  }
  return r;
}

/** Rounds summed: throughput over all of them, the mean p50, the worst p99; per request: statements, server CPU. */
export function aggregate<R extends Round>(rounds: R[]) {
  const sum = (f: (r: R) => number) => rounds.reduce((s, r) => s + f(r), 0);
  const requests = sum((r) => r.requests);
  const served = sum((r) => r.counters.requests);
  const seconds = sum((r) => r.seconds);
  return {
    rps: requests / seconds,
    requests,
    p50: sum((r) => r.p50) / rounds.length,
    p99: Math.max(...rounds.map((r) => r.p99)),
    max: Math.max(...rounds.map((r) => r.max)),
    statementsPerRequest: (sum((r) => r.counters.queries) + 2 * sum((r) => r.counters.transactions)) / served,
    serverCpuUsPerRequest: (sum((r) => r.serverCpuMs) * 1000) / served,
    serverElu: sum((r) => r.serverElu * r.seconds) / seconds,
    loadGenCpu: sum((r) => r.loadGenCpu * r.seconds) / seconds,
    rounds,
  };
}

/** The budget's two checks for `route` (e.g. 'GET /api/v1/me'). */
export function throughputChecks(route: string, budget: ThroughputBudget, ratio: number, p99: number): Check[] {
  return [
    {
      name: `${route} throughput vs bare route`,
      target: `>= ${pct(budget.minRatio)}`,
      actual: pct(ratio),
      pass: ratio >= budget.minRatio,
    },
    {
      name: `${route} p99 latency`,
      target: `< ${budget.maxP99Ms} ms`,
      actual: `${fmt(p99, 1)} ms`,
      pass: p99 < budget.maxP99Ms,
    },
  ];
}
