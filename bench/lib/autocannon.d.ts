// The parts of autocannon 9's programmatic API the benchmarks use (it ships no types).
declare module 'autocannon' {
  interface Stats {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }
  interface Result {
    url: string;
    /** Seconds. */
    duration: number;
    connections: number;
    /** Milliseconds, whole. */
    latency: Stats;
    /** Per-second samples; `total` is the count. */
    requests: Stats;
    throughput: Stats;
    errors: number;
    timeouts: number;
    resets?: number;
    non2xx: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
    statusCodeStats?: Record<string, { count: number }>;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    timeout?: number;
    pipelining?: number;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
