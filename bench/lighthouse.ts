/**
 * Lighthouse (performance and accessibility) on the built SPA in Debian's Chromium: the landing page
 * (what a visitor gets at `/`: the sign-in page) and the gallery of a signed-in person with images.
 *
 *   bench (this)  builds apps/web, starts the Storage, Replicate, LLM and Stripe emulators, serves the
 *                 build as docker/nginx.conf does (lib/static-site.ts), launches Chromium and runs
 *                 Lighthouse's Node API against it
 *   API           apps/api/src/server.ts on a fresh embedded database, as `pnpm start` runs it
 *
 * The person is made through the API (sign-up, 10 photos, a training, generations), and their session
 * goes into the browser the way the SPA keeps it: `visiona.session` in localStorage
 * (apps/web/src/lib/session.ts). Lighthouse clears the HTTP cache and the origin's caches before each
 * audit but, by default, not localStorage, so the gallery is loaded cold yet signed in; the final URL
 * proves it (a missing session would end on /sign-in).
 *
 * Both of Lighthouse's presets run, `runs` times each; the performance score is the median (Lighthouse's
 * own advice against variance), and accessibility does not vary. QUALITY.md's targets are checked on
 * the desktop preset; the mobile one (Moto G Power, slow 4G, 4× CPU slowdown) is shown beside it. The
 * mobile preset simulates the slow CPU by multiplying the main-thread time it observes by 4, and on
 * this 2-core machine, shared with other work, the observed time itself swings 2–3× between runs: one
 * build scored 66, 68 and 93 on the landing page within two minutes. A budget checked on that would
 * measure the neighbours. The desktop preset does not multiply. Each run's host index (Lighthouse's
 * CPU benchmark) is printed so that a slow run can be told from a slow SPA.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import lighthouse, { desktopConfig, generateReport, type Config, type Flags, type Result } from 'lighthouse';
import { createLlmEmulator } from '../apps/emulators/src/llm/server.ts';
import { createReplicateEmulator } from '../apps/emulators/src/replicate/server.ts';
import { createStorageEmulator } from '../apps/emulators/src/storage/server.ts';
import { DEFAULT_PRICES, createStripeEmulator } from '../apps/emulators/src/stripe/server.ts';
import { testPhoto } from '../apps/web/test/support/images.ts';
import { type BenchResult, type Check, fmt, importFrom, REPO_ROOT } from './lib/common.ts';
import { serveStaticSite } from './lib/static-site.ts';

/** QUALITY.md: Lighthouse performance ≥ 95 and accessibility ≥ 95 in Chromium. */
export const LIGHTHOUSE_BUDGET = { performance: 95, accessibility: 95 };

const TITLE = 'Lighthouse: landing page and gallery (desktop budgeted, mobile shown)';

interface Preset {
  name: 'desktop' | 'mobile';
  /** Lighthouse's own configs: desktopConfig, or the default (mobile) one. */
  config: Config | undefined;
  /** Whether QUALITY.md's targets are checked on it (see the header comment). */
  budgeted: boolean;
}

const PRESETS: Preset[] = [
  { name: 'desktop', config: desktopConfig, budgeted: true },
  { name: 'mobile', config: undefined, budgeted: false },
];

export interface LighthouseOptions {
  /** Audits per page; the performance score is their median. */
  runs: number;
}

export const LIGHTHOUSE_DEFAULTS: LighthouseOptions = { runs: 3 };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SESSION_STORAGE_KEY = 'visiona.session';
const PASSWORD = 'correct horse battery staple';
/** Images in the gallery: 8 generations of 2 (Free makes at most 2 a generation, 2 at once). */
const GENERATIONS = 8;

interface ViteModule {
  build(config: Record<string, unknown>): Promise<unknown>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForOk(url: string, timeoutMs: number, what: string, alive: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const died = alive();
    if (died) throw new Error(`${what} exited before it was ready: ${died}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

/** A child process that keeps the last few kB of its output for error messages. */
function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => log };
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Calls the API as a script would. */
async function api<T>(base: string, token: string | null, route: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(`${base}${route}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function until(what: string, read: () => Promise<unknown>, want: unknown, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await read();
    if (last === want) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} was still ${String(last)} after ${timeoutMs / 1000} s`);
}

interface Session {
  token: string;
  expiresAt: string;
}

/** A person with a Ready model and a gallery of 16 images, made through the API. */
async function seedGallery(apiUrl: string, progress: (line: string) => void): Promise<Session> {
  const email = `lighthouse-${Date.now()}@example.com`;
  const signUp = await api<Session>(apiUrl, null, '/api/v1/auth/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status}: ${JSON.stringify(signUp.body)}`);
  const { token } = signUp.body;

  const photos = new FormData();
  for (let i = 0; i < 10; i++) photos.append('files', new Blob([new Uint8Array(testPhoto(900 + i, 512))], { type: 'image/png' }), `photo-${i + 1}.png`);
  const uploaded = await api(apiUrl, token, '/api/v1/photos', { method: 'POST', body: photos });
  if (uploaded.status !== 201) throw new Error(`photo upload answered ${uploaded.status}: ${JSON.stringify(uploaded.body)}`);
  const model = await api<{ id: string }>(apiUrl, token, '/api/v1/models', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Summer me', triggerWord: 'ZXQ_LH' }),
  });
  if (model.status !== 201) throw new Error(`training answered ${model.status}: ${JSON.stringify(model.body)}`);
  const modelStatus = async () => (await api<{ items: { id: string; status: string }[] }>(apiUrl, token, '/api/v1/models')).body.items.find((m) => m.id === model.body.id)?.status;
  await until('the model', modelStatus, 'Ready', 60_000);
  progress('model ready; generating images');

  const prompts = [
    'a portrait of ZXQ_LH hiking at sunrise in the Alps, golden light',
    'ZXQ_LH in a cosy café reading a book, film photo',
    'ZXQ_LH as an astronaut, Earth behind, studio light',
    'ZXQ_LH on a sailing boat at dawn, soft pastel sky',
  ];
  const ratios = ['1:1', '4:5', '2:3', '16:9'];
  for (let i = 0; i < GENERATIONS; i += 2) {
    await Promise.all(
      [i, i + 1].map(async (n) => {
        const made = await api<{ id: string }>(apiUrl, token, '/api/v1/generations', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
          body: JSON.stringify({ modelId: model.body.id, prompt: prompts[n % prompts.length], options: { numOutputs: 2, aspectRatio: ratios[n % ratios.length] } }),
        });
        if (made.status !== 202 && made.status !== 201) throw new Error(`generation answered ${made.status}: ${JSON.stringify(made.body)}`);
        const status = async () => (await api<{ status: string }>(apiUrl, token, `/api/v1/generations/${made.body.id}`)).body.status;
        await until(`generation ${made.body.id}`, status, 'Succeeded', 60_000);
      }),
    );
  }
  return signUp.body;
}

/** Debian's Chromium with a DevTools port for Lighthouse, in a throwaway profile. */
async function launchChromium(profileDir: string): Promise<{ port: number; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const { child, output } = startProcess(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      `--remote-debugging-port=${port}`,
      `--user-data-dir=${profileDir}`,
      'about:blank',
    ],
    process.env,
  );
  const alive = () => (child.exitCode !== null ? `code ${child.exitCode}\n${output()}` : null);
  await waitForOk(`http://127.0.0.1:${port}/json/version`, 30_000, 'Chromium', alive);
  return { port, child, output };
}

/**
 * Puts the session in the site's localStorage, as the SPA does after signing in, through the DevTools
 * protocol: a new tab on the site's favicon (no app code runs or gets cached), a script once the tab
 * shows the site (until then it is about:blank, which has no storage), and the tab closed.
 */
async function storeSession(port: number, siteUrl: string, session: Session): Promise<void> {
  const target = (await (await fetch(`http://127.0.0.1:${port}/json/new?${siteUrl}/favicon.svg`, { method: 'PUT' })).json()) as {
    id: string;
    webSocketDebuggerUrl: string;
  };
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error('could not reach the tab over DevTools'));
  });
  let nextId = 1;
  const evaluate = (expression: string) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      socket.onmessage = (event) => {
        const answer = JSON.parse(String(event.data)) as { id?: number; result?: { result?: { value?: unknown } } };
        if (answer.id === id) resolve(answer.result?.result?.value);
      };
      socket.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
    });
  try {
    const deadline = Date.now() + 15_000;
    while ((await evaluate('location.origin')) !== siteUrl) {
      if (Date.now() > deadline) throw new Error(`the tab did not open ${siteUrl}/favicon.svg`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const value = JSON.stringify({ token: session.token, expiresAt: session.expiresAt });
    const stored = await evaluate(`localStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY)}, ${JSON.stringify(value)}); localStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY)})`);
    if (stored !== value) throw new Error(`the session was not stored (read back: ${JSON.stringify(stored)})`);
  } finally {
    socket.close();
    await fetch(`http://127.0.0.1:${port}/json/close/${target.id}`);
  }
}

interface Audit {
  page: string;
  url: string;
  finalUrl: string;
  performance: number;
  accessibility: number;
  metrics: { fcp: number; lcp: number; tbt: number; cls: number; si: number };
  transferBytes: number;
  /** Lighthouse's measure of the host's CPU speed during the run (it expects 1,000 or more). */
  benchmarkIndex: number;
  /** Origins of every request the page made. */
  origins: string[];
  failing: { accessibility: string[]; performance: string[] };
  lhr: Result;
}

const score = (lhr: Result, category: string) => Math.round((lhr.categories[category]?.score ?? 0) * 100);
const numeric = (lhr: Result, audit: string) => lhr.audits[audit]?.numericValue ?? Number.NaN;

function summarise(page: string, url: string, lhr: Result): Audit {
  const requests = (lhr.audits['network-requests']?.details as { items?: { url: string; transferSize?: number }[] } | undefined)?.items ?? [];
  const failingIn = (category: string) =>
    (lhr.categories[category]?.auditRefs ?? [])
      .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
      .map((ref) => `${ref.id} (${Math.round((lhr.audits[ref.id]?.score ?? 0) * 100)})`);
  return {
    page,
    url,
    finalUrl: lhr.finalDisplayedUrl,
    performance: score(lhr, 'performance'),
    accessibility: score(lhr, 'accessibility'),
    metrics: {
      fcp: numeric(lhr, 'first-contentful-paint'),
      lcp: numeric(lhr, 'largest-contentful-paint'),
      tbt: numeric(lhr, 'total-blocking-time'),
      cls: numeric(lhr, 'cumulative-layout-shift'),
      si: numeric(lhr, 'speed-index'),
    },
    transferBytes: requests.reduce((sum, r) => sum + (r.transferSize ?? 0), 0),
    benchmarkIndex: Math.round(lhr.environment.benchmarkIndex),
    origins: [...new Set(requests.map((r) => new URL(r.url).origin))],
    failing: { accessibility: failingIn('accessibility'), performance: failingIn('performance') },
    lhr,
  };
}

function median(audits: Audit[]): Audit {
  const sorted = [...audits].sort((a, b) => a.performance - b.performance);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function runLighthouse(options: LighthouseOptions, progress: (line: string) => void): Promise<BenchResult> {
  const started = performance.now();
  const temp = await mkdtemp(path.join(os.tmpdir(), 'visiona-bench-lighthouse-'));
  const outDir = path.join(temp, 'dist');
  const cleanup: (() => Promise<unknown>)[] = [];
  let apiProcess: { child: ChildProcess; output: () => string } | undefined;
  try {
    // 1. The production build.
    const vite = await importFrom<ViteModule>('web', 'vite');
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await vite.build({ root: path.join(REPO_ROOT, 'apps/web'), logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    progress('SPA built');

    // 2. The emulators and the API, as `pnpm start` runs them, on free ports and a fresh database.
    const [apiPort, storagePort, replicatePort, llmPort, stripePort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const serviceKey = `bench-service-key-${Math.random().toString(36).slice(2)}`;
    const storage = await createStorageEmulator({ dataDir: path.join(temp, 'storage'), serviceKey });
    await storage.listen({ host: '127.0.0.1', port: storagePort });
    cleanup.push(() => storage.close());
    const replicateToken = `r8_bench${Math.random().toString(36).slice(2)}`;
    const replicate = await createReplicateEmulator({ apiToken: replicateToken, publicUrl: `http://127.0.0.1:${replicatePort}`, speed: 100 });
    await replicate.app.listen({ host: '127.0.0.1', port: replicatePort });
    cleanup.push(() => replicate.close());
    const llmKey = `sk-bench-${Math.random().toString(36).slice(2)}`;
    const llm = await createLlmEmulator({ apiKey: llmKey });
    await llm.app.listen({ host: '127.0.0.1', port: llmPort });
    cleanup.push(() => llm.close());
    const stripeSecret = 'sk_test_visiona_bench';
    const stripeWebhookSecret = `whsec_bench${Math.random().toString(36).slice(2)}`;
    const stripe = await createStripeEmulator({
      secretKey: stripeSecret,
      publicUrl: `http://127.0.0.1:${stripePort}`,
      prices: [...DEFAULT_PRICES],
      webhookEndpoints: [{ url: `${apiUrl}/api/v1/webhooks/stripe`, secret: stripeWebhookSecret }],
    });
    await stripe.app.listen({ host: '127.0.0.1', port: stripePort });
    cleanup.push(() => stripe.close());

    const site = await serveStaticSite(outDir, apiUrl);
    cleanup.push(() => site.close());
    apiProcess = startProcess(process.execPath, ['apps/api/src/server.ts'], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      MALLOC_ARENA_MAX: '2',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(temp, 'data'),
      WEB_ORIGIN: site.url,
      LOG_LEVEL: 'warn',
      SUPABASE_URL: `http://127.0.0.1:${storagePort}`,
      SUPABASE_SERVICE_ROLE_KEY: serviceKey,
      REPLICATE_API_TOKEN: replicateToken,
      REPLICATE_BASE_URL: `http://127.0.0.1:${replicatePort}/v1`,
      PUBLIC_API_URL: apiUrl,
      LLM_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
      LLM_API_KEY: llmKey,
      STRIPE_SECRET_KEY: stripeSecret,
      STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
    });
    const apiChild = apiProcess.child;
    const apiOutput = apiProcess.output;
    await waitForOk(`${apiUrl}/readyz`, 60_000, 'The API', () => (apiChild.exitCode !== null ? `code ${apiChild.exitCode}\n${apiOutput()}` : null));
    progress(`API ready; site at ${site.url}`);

    // 3. A signed-in person with a gallery.
    const session = await seedGallery(apiUrl, progress);
    progress(`${GENERATIONS * 2} images in the gallery`);

    // 4. Chromium and Lighthouse: each page under each preset, `runs` times.
    const chromium = await launchChromium(path.join(temp, 'chromium'));
    cleanup.unshift(() => stopProcess(chromium.child));
    const pages = [
      { page: 'landing', url: `${site.url}/`, expectedPath: '/sign-in', signedIn: false },
      { page: 'gallery', url: `${site.url}/gallery`, expectedPath: '/gallery', signedIn: true },
    ];
    const audits = new Map<string, Audit[]>();
    const key = (preset: Preset, page: string) => `${preset.name}:${page}`;
    for (const target of pages) {
      if (target.signedIn) await storeSession(chromium.port, site.url, session);
      for (const preset of PRESETS) {
        const runs: Audit[] = [];
        for (let run = 1; run <= options.runs; run++) {
          const flags: Flags = { port: chromium.port, output: 'html', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] };
          const result = await lighthouse(target.url, flags, preset.config);
          if (!result) throw new Error(`Lighthouse returned nothing for ${target.url}`);
          if (result.lhr.runtimeError) throw new Error(`Lighthouse could not audit ${target.url}: ${result.lhr.runtimeError.code} ${result.lhr.runtimeError.message}`);
          const audit = summarise(target.page, target.url, result.lhr);
          runs.push(audit);
          progress(`${target.page}, ${preset.name}, run ${run}/${options.runs}: performance ${audit.performance}, accessibility ${audit.accessibility}, final URL ${new URL(audit.finalUrl).pathname}`);
        }
        audits.set(key(preset, target.page), runs);
      }
    }

    // 5. The median runs' reports, for a person to read.
    const reportDir = path.join(REPO_ROOT, 'bench/results/lighthouse');
    await mkdir(reportDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const reports: string[] = [];
    for (const [name, runs] of audits) {
      const report = path.join(reportDir, `${stamp}-${name.replace(':', '-')}.html`);
      await writeFile(report, generateReport(median(runs).lhr, 'html'));
      reports.push(path.relative(process.cwd(), report));
    }

    const checks: Check[] = [];
    const rows: string[][] = [];
    const notes: string[] = [];
    for (const preset of PRESETS) {
      for (const target of pages) {
        const runs = audits.get(key(preset, target.page))!;
        const mid = median(runs);
        const finalPath = new URL(mid.finalUrl).pathname;
        checks.push({
          name: `${target.page}, ${preset.name}: audited page`,
          target: target.expectedPath,
          actual: runs.map((r) => new URL(r.finalUrl).pathname).find((p) => p !== target.expectedPath) ?? target.expectedPath,
          pass: runs.every((r) => new URL(r.finalUrl).pathname === target.expectedPath),
        });
        if (preset.budgeted) {
          checks.push(
            { name: `${target.page}, ${preset.name}: performance (median of ${runs.length})`, target: `>= ${LIGHTHOUSE_BUDGET.performance}`, actual: String(mid.performance), pass: mid.performance >= LIGHTHOUSE_BUDGET.performance },
            { name: `${target.page}, ${preset.name}: accessibility`, target: `>= ${LIGHTHOUSE_BUDGET.accessibility}`, actual: String(mid.accessibility), pass: mid.accessibility >= LIGHTHOUSE_BUDGET.accessibility },
          );
        } else {
          notes.push(`${target.page}, ${preset.name} (shown, not budgeted): performance ${mid.performance}, accessibility ${mid.accessibility}`);
        }
        const m = mid.metrics;
        rows.push([
          `${target.page} (${finalPath})`,
          preset.name,
          runs.map((r) => r.performance).join(' / '),
          String(mid.performance),
          String(mid.accessibility),
          `${fmt(m.fcp)} ms`,
          `${fmt(m.lcp)} ms`,
          `${fmt(m.tbt)} ms`,
          m.cls.toFixed(3),
          `${fmt(m.si)} ms`,
          `${(mid.transferBytes / 1000).toFixed(1)} kB`,
          runs.map((r) => fmt(r.benchmarkIndex)).join(' / '),
        ]);
        if (mid.failing.performance.length > 0) notes.push(`${target.page}, ${preset.name}: performance audits below 100: ${mid.failing.performance.join(', ')}`);
        if (mid.failing.accessibility.length > 0) notes.push(`${target.page}, ${preset.name}: accessibility audits failing: ${mid.failing.accessibility.join(', ')}`);
      }
    }
    // Everything the pages loaded came from this machine: the site and the Storage emulator's signed URLs.
    const allowed = new Set([site.url, `http://127.0.0.1:${storagePort}`]);
    const foreign = [...new Set([...audits.values()].flat().flatMap((a) => a.origins.filter((origin) => !allowed.has(origin))))];
    checks.push({ name: 'requests stay on this machine', target: 'site and Storage only', actual: foreign.length === 0 ? 'site and Storage only' : foreign.join(', '), pass: foreign.length === 0 });
    const sample = [...audits.values()][0]![0]!.lhr;
    notes.push(
      `Lighthouse ${sample.lighthouseVersion}, ${/Chrome\/[\d.]+/.exec(sample.environment.hostUserAgent)?.[0] ?? 'Chromium'}. ` +
        'Desktop: 40 ms RTT, 10 Mbps, no CPU slowdown. Mobile: Moto G Power, 150 ms RTT, 1.6 Mbps, 4× CPU slowdown (simulated).',
    );
    const slow = [...audits.values()].flat().filter((a) => a.benchmarkIndex < 1000).length;
    if (slow > 0) {
      notes.push(
        `${slow} of ${[...audits.values()].flat().length} runs had a host index under 1,000, where Lighthouse warns that the CPU is slower than it expects: other work was sharing the machine, and the scores of those runs are lower than the SPA's.`,
      );
    }
    notes.push(`Reports (median runs): ${reports.join(', ')}`);

    return {
      name: 'lighthouse',
      title: TITLE,
      completed: true,
      table: { columns: ['page', 'preset', 'performance runs', 'perf (median)', 'a11y', 'FCP', 'LCP', 'TBT', 'CLS', 'Speed Index', 'transfer', 'host index'], rows },
      checks,
      notes,
      data: {
        budget: LIGHTHOUSE_BUDGET,
        runs: options.runs,
        audits: Object.fromEntries([...audits].map(([name, runs]) => [name, runs.map(({ lhr: _lhr, ...rest }) => rest)])),
      },
      durationMs: performance.now() - started,
    };
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return {
      name: 'lighthouse',
      title: TITLE,
      completed: false,
      error: apiProcess ? `${message}\nAPI output:\n${apiProcess.output().slice(-2000)}` : message,
      table: { columns: [], rows: [] },
      checks: [],
      notes: [],
      data: {},
      durationMs: performance.now() - started,
    };
  } finally {
    await stopProcess(apiProcess?.child);
    for (const close of cleanup) await close().catch(() => undefined);
    await rm(temp, { recursive: true, force: true });
  }
}
