/**
 * Gzipped JavaScript the SPA's first route loads: the module entry script in
 * index.html, its modulepreloads, and everything those chunks import
 * statically. Route chunks loaded with import() are not counted: they are
 * fetched after the first render starts.
 *
 * Builds apps/web with Vite's JS API into a temporary folder (the app's own
 * vite.config.ts applies), so apps/web/dist is left alone.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { type BenchResult, type Check, importFrom, kb, REPO_ROOT } from './lib/common.ts';

/** QUALITY.md: at most 150 kB of gzipped JavaScript on the first route. */
export const SPA_BUDGET_BYTES = 150_000;

interface OutputChunk {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: string[];
}
interface ViteModule {
  build(config: Record<string, unknown>): Promise<unknown>;
  resolveConfig(config: Record<string, unknown>, command: 'build', mode: string): Promise<{ base: string }>;
}

const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : null;
};

export interface HtmlEntries {
  /** URLs of <script type="module" src> and <link rel="modulepreload" href>, in document order. */
  urls: string[];
  /** Bodies of inline <script type="module"> elements. */
  inline: string[];
}

/** The JavaScript index.html loads up front. */
export function parseHtmlEntries(html: string): HtmlEntries {
  const urls: string[] = [];
  const inline: string[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of withoutComments.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>|<link\b([^>]*)>/gi)) {
    if (m[1] !== undefined) {
      const tag = ` ${m[1]}`;
      if (attr(tag, 'type')?.toLowerCase() !== 'module') continue;
      const src = attr(tag, 'src');
      if (src) urls.push(src);
      else if (m[2]!.trim()) inline.push(m[2]!);
    } else {
      const tag = ` ${m[3]}`;
      const rel = (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/);
      const href = attr(tag, 'href');
      if (rel.includes('modulepreload') && href) urls.push(href);
    }
  }
  return { urls, inline };
}

/**
 * Specifiers of static `import ... from "x"`, `import "x"` and `export ... from "x"`
 * in (minified) ES module code. `import("x")` and `import.meta` are not matched.
 */
export function staticImports(code: string): string[] {
  const found: string[] = [];
  const re = /(?<![\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?(["'`])([^"'`\n]+)\1/g;
  for (const m of code.matchAll(re)) found.push(m[2]!);
  return found;
}

/** Maps a URL from index.html (e.g. /assets/index-abc.js) to a file in the build folder. */
function urlToFile(outDir: string, url: string, base: string): string {
  let p = url.split(/[?#]/)[0]!;
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//')) throw new Error(`index.html loads external script ${url}`);
  if (base !== '/' && p.startsWith(base)) p = p.slice(base.length);
  return path.join(outDir, p.replace(/^\.?\//, ''));
}

export interface FirstRouteJs {
  files: { file: string; bytes: number; gzipBytes: number }[];
  inline: { bytes: number; gzipBytes: number }[];
  totalBytes: number;
  totalGzipBytes: number;
}

/** Follows index.html's module scripts and preloads through their static imports. */
export async function measureFirstRouteJs(outDir: string, base = '/'): Promise<FirstRouteJs> {
  const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
  const entries = parseHtmlEntries(html);
  if (entries.urls.length === 0 && entries.inline.length === 0) throw new Error('index.html loads no module script');
  const seen = new Set<string>();
  const files: FirstRouteJs['files'] = [];
  const queue = entries.urls.map((u) => urlToFile(outDir, u, base));
  const follow = (code: string, from: string) => {
    for (const spec of staticImports(code)) {
      if (spec.startsWith('./') || spec.startsWith('../')) queue.push(path.resolve(path.dirname(from), spec));
      else if (spec.startsWith('/')) queue.push(urlToFile(outDir, spec, base));
      // Bare specifiers cannot be loaded by a browser without an import map; a build has none.
    }
  };
  for (const code of entries.inline) follow(code, path.join(outDir, 'index.html'));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const buf = await readFile(file).catch(() => {
      throw new Error(`first-route script ${path.relative(outDir, file)} is not in the build`);
    });
    files.push({ file: path.relative(outDir, file), bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length });
    follow(buf.toString('utf8'), file);
  }
  const inline = entries.inline.map((code) => {
    const buf = Buffer.from(code);
    return { bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length };
  });
  const all = [...files, ...inline];
  return {
    files,
    inline,
    totalBytes: all.reduce((s, f) => s + f.bytes, 0),
    totalGzipBytes: all.reduce((s, f) => s + f.gzipBytes, 0),
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** The bundler's own view of the same graph: entry chunks and their static imports. */
function bundlerFirstRoute(output: unknown): Set<string> | null {
  const outputs = (Array.isArray(output) ? output : [output]) as { output?: OutputChunk[] }[];
  const chunks = outputs.flatMap((o) => o?.output ?? []).filter((c) => c.type === 'chunk');
  if (chunks.length === 0) return null;
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const queue = chunks.filter((c) => c.isEntry).map((c) => c.fileName);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...(byName.get(name)?.imports ?? []));
  }
  return seen;
}

export async function runSpaSize(root = path.join(REPO_ROOT, 'apps/web')): Promise<BenchResult> {
  const started = performance.now();
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-bench-spa-'));
  const result = (partial: Omit<BenchResult, 'name' | 'title' | 'durationMs'>): BenchResult => ({
    name: 'spa',
    title: 'SPA first-route JavaScript (gzip -9)',
    ...partial,
    durationMs: performance.now() - started,
  });
  try {
    let output: unknown;
    let base = '/';
    try {
      const vite = await importFrom<ViteModule>('web', 'vite');
      output = await vite.build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      // index.html's URLs start with the configured base ('/' unless vite.config.ts sets one).
      base = (await vite.resolveConfig({ root, logLevel: 'silent' }, 'build', 'production')).base || '/';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return result({
        completed: false,
        error: `vite build of apps/web failed: ${message}`,
        table: { columns: [], rows: [] },
        checks: [{ name: 'first-route JS (gzip)', target: `<= ${kb(SPA_BUDGET_BYTES)}`, actual: 'build failed', pass: false }],
        notes: [],
        data: { budgetBytes: SPA_BUDGET_BYTES },
      });
    }

    const first = await measureFirstRouteJs(outDir, base);
    const allFiles = await listFiles(outDir);
    const gz = async (f: string) => gzipSync(await readFile(f), { level: 9 }).length;
    const allJs = allFiles.filter((f) => f.endsWith('.js'));
    const allJsGzip = (await Promise.all(allJs.map(gz))).reduce((a, b) => a + b, 0);
    const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
    const cssFiles = [...html.matchAll(/<link\b[^>]*>/gi)]
      .map((m) => ` ${m[0]}`)
      .filter((tag) => (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/).includes('stylesheet'))
      .map((tag) => urlToFile(outDir, attr(tag, 'href') ?? '', base));
    const cssGzip = (await Promise.all(cssFiles.map(gz))).reduce((a, b) => a + b, 0);

    const checks: Check[] = [
      {
        name: 'first-route JS (gzip)',
        target: `<= ${kb(SPA_BUDGET_BYTES)}`,
        actual: kb(first.totalGzipBytes),
        pass: first.totalGzipBytes <= SPA_BUDGET_BYTES,
      },
    ];
    // Cross-check the HTML-and-regex walk against the bundler's own chunk graph.
    const fromBundler = bundlerFirstRoute(output);
    const fromHtml = new Set(first.files.map((f) => f.file.split(path.sep).join('/')));
    if (fromBundler) {
      const missing = [...fromBundler].filter((f) => !fromHtml.has(f));
      const extra = [...fromHtml].filter((f) => !fromBundler.has(f));
      checks.push({
        name: 'walk agrees with the bundler\'s static graph',
        target: 'same chunks',
        actual: missing.length + extra.length === 0 ? 'same chunks' : `missing ${missing.join(', ') || '-'}; extra ${extra.join(', ') || '-'}`,
        pass: missing.length + extra.length === 0,
      });
    }

    const rows = [...first.files]
      .sort((a, b) => b.gzipBytes - a.gzipBytes)
      .map((f) => [f.file, kb(f.bytes), kb(f.gzipBytes)]);
    first.inline.forEach((f, i) => rows.push([`(inline module script ${i + 1})`, kb(f.bytes), kb(f.gzipBytes)]));
    rows.push(['total, first route', kb(first.totalBytes), kb(first.totalGzipBytes)]);
    rows.push(['budget', '', kb(SPA_BUDGET_BYTES)]);
    return result({
      completed: true,
      table: { columns: ['file', 'raw', 'gzip -9'], rows },
      checks,
      notes: [
        `All JS in the build, lazy routes included: ${allJs.length} files, ${kb(allJsGzip)} gzipped.`,
        `First-route CSS (not budgeted): ${kb(cssGzip)} gzipped.`,
      ],
      data: {
        budgetBytes: SPA_BUDGET_BYTES,
        base,
        firstRoute: first,
        allJs: { files: allJs.length, gzipBytes: allJsGzip },
        cssGzipBytes: cssGzip,
      },
    });
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
