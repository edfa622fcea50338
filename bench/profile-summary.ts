/**
 * Where a V8 CPU profile's time went, as text: by area (package, app file, Node
 * internals, GC, idle), by function (self time), and by function including what
 * it calls (inclusive time). Several profiles are added together.
 *
 *   node bench/profile-summary.ts /tmp/prof/gallery-postgres-api-*.cpuprofile [--top=30]
 *
 * Profiles come from BENCH_PROFILE=<dir> pnpm bench gallery (one per server and
 * round) or from `node --cpu-prof`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './lib/common.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** What a frame belongs to: a package, a file of ours, a Node module, or a V8 pseudo-frame. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  // No script: V8 builtins and native bindings (writev, JSON.stringify), or code made with
  // new Function (fast-json-stringify's and ajv's generated serialisers and validators).
  if (!url) return functionName.startsWith('(') ? functionName : `native or generated: ${functionName || '(anonymous)'}`;
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const file = url.startsWith('file://') ? path.relative(REPO_ROOT, new URL(url).pathname) : url;
  return file.replace(/\/[^/]+$/, '/');
}

function frameKey(frame: CallFrame): string {
  const url = frame.url.startsWith('file://') ? path.relative(REPO_ROOT, new URL(frame.url).pathname).replace(/^.*node_modules\//, '') : frame.url;
  return `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
}

export interface ProfileSummary {
  totalMs: number;
  byArea: Map<string, number>;
  self: Map<string, number>;
  inclusive: Map<string, number>;
}

export function summarise(profiles: Profile[]): ProfileSummary {
  const byArea = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    p.samples.forEach((id, i) => {
      const us = p.timeDeltas[i] ?? 0;
      const node = byId.get(id);
      if (!node) return;
      total += us;
      add(byArea, areaOf(node.callFrame), us);
      add(self, frameKey(node.callFrame), us);
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const key = frameKey(byId.get(at)!.callFrame);
        if (!seen.has(key)) {
          seen.add(key);
          add(inclusive, key, us);
        }
      }
    });
  }
  const ms = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / 1000]));
  return { totalMs: total / 1000, byArea: ms(byArea), self: ms(self), inclusive: ms(inclusive) };
}

function table(title: string, m: Map<string, number>, total: number, top: number, skip: (k: string) => boolean = () => false): string {
  const rows = [...m].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`${title}`, ...rows.map(([k, v]) => `${v.toFixed(0).padStart(8)} ms ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('Usage: node bench/profile-summary.ts <file.cpuprofile>... [--top=30]\n');
    process.exit(2);
  }
  const profiles = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as Profile));
  const s = summarise(profiles);
  const busy = s.totalMs - (s.byArea.get('(idle)') ?? 0);
  process.stdout.write(`${files.length} profile(s): ${s.totalMs.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy (not idle); shares are of the busy time\n\n`);
  const idle = (k: string) => k.startsWith('(idle)') || k === '(root)' || k.startsWith('(program)');
  process.stdout.write(`${table('Self time by area', s.byArea, busy, top, (k) => k === '(idle)')}\n\n`);
  process.stdout.write(`${table('Self time by function', s.self, busy, top, (k) => k.startsWith('(idle)'))}\n\n`);
  process.stdout.write(`${table('Inclusive time by function (itself and what it calls)', s.inclusive, busy, top, idle)}\n`);
}
