/**
 * The measuring side of a throughput bench server (bench/servers/me-server.ts,
 * gallery-server.ts): several HTTP servers in one process on one shared
 * Database, each counting its requests and statements, with the process's CPU
 * time and event-loop utilisation since the last reset, and a way to wait for
 * the work autocannon abandoned at the end of a run.
 */
import { performance } from 'node:perf_hooks';
import type { Database, Queryable } from '../../apps/api/src/db/index.ts';

/** Per server: HTTP requests received, and statements sent (a transaction adds BEGIN and COMMIT). */
export interface Counters {
  requests: number;
  queries: number;
  transactions: number;
}

/** What 'stats' answers (bench/lib/throughput.ts reads it). */
export interface ServerStats<Target extends string> {
  counters: Record<Target, Counters>;
  cpuMs: number;
  wallMs: number;
  eventLoopUtilization: number;
}

/** What a Fastify instance offers that this needs. */
export interface Server {
  listen(opts: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
  addHook(name: 'onRequest', fn: () => Promise<void>): unknown;
  server: { address(): unknown };
}

export function createMeter<Target extends string>(raw: Database, targets: readonly Target[]) {
  const counters = Object.fromEntries(targets.map((t) => [t, { requests: 0, queries: 0, transactions: 0 }])) as Record<Target, Counters>;
  let cpuAtReset = process.cpuUsage();
  let eluAtReset = performance.eventLoopUtilization();
  let timeAtReset = performance.now();

  // Calls in flight: requests autocannon abandoned at the end of a run still finish;
  // drain() waits for them so they neither leak into the next run nor hit a closed pool.
  let pending = 0;
  function track<T>(p: Promise<T>): Promise<T> {
    pending += 1;
    return p.finally(() => {
      pending -= 1;
    });
  }
  async function drain(quietMs = 25, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let quietSince = performance.now();
    while (performance.now() < deadline) {
      if (pending > 0) quietSince = performance.now();
      else if (performance.now() - quietSince >= quietMs) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The shared database, counting the statements one server sends. */
  function countedDb(target: Target): Database {
    const c = counters[target];
    const counted = (q: Queryable): Queryable => ({
      query: (text, params) => {
        c.queries += 1;
        return track(q.query(text, params));
      },
      exec: (sql) => q.exec(sql),
    });
    return {
      kind: raw.kind,
      ...counted(raw),
      transaction: (fn) => {
        c.transactions += 1;
        return track(raw.transaction((tx) => fn(counted(tx))));
      },
      // One round trip: the claims and the statement travel as one simple query.
      queryAsUser: (claims, text, params) => {
        c.queries += 1;
        return track(raw.queryAsUser(claims, text, params));
      },
      close: async () => {},
    };
  }

  /** Starts every server on a free port, counting its requests; answers the ports. */
  async function listen(servers: Record<Target, Server>): Promise<Record<Target, number>> {
    const ports = {} as Record<Target, number>;
    for (const target of targets) {
      servers[target].addHook('onRequest', async () => {
        counters[target].requests += 1;
      });
      await servers[target].listen({ host: '127.0.0.1', port: 0 });
      ports[target] = (servers[target].server.address() as { port: number }).port;
    }
    return ports;
  }

  /** The IPC handlers (bench/lib/child.ts) every throughput server answers. */
  const handlers = {
    drain: async () => {
      await drain();
      return {};
    },
    reset: () => {
      for (const c of Object.values<Counters>(counters)) Object.assign(c, { requests: 0, queries: 0, transactions: 0 });
      cpuAtReset = process.cpuUsage();
      eluAtReset = performance.eventLoopUtilization();
      timeAtReset = performance.now();
      return {};
    },
    stats: (): ServerStats<Target> & Record<string, unknown> => {
      const cpu = process.cpuUsage(cpuAtReset);
      return {
        counters: structuredClone(counters),
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs: performance.now() - timeAtReset,
        eventLoopUtilization: performance.eventLoopUtilization(eluAtReset).utilization,
      };
    },
  };

  return { track, drain, countedDb, listen, handlers };
}
