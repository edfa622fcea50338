/**
 * The browser-test harness: builds the SPA, starts the Storage, Replicate, LLM and Stripe emulators in
 * this process, starts the API on a fresh embedded database pointed at them, serves the build with
 * `vite preview` proxying to it, and launches Debian's Chromium. Each test file calls
 * `setupE2E()` once and gets its own API, database, emulators, server and browser; the build
 * and, on the embedded database, a migrated data folder are made once per run and copied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createLlmEmulator, type LlmEmulator } from '@visiona/emulators/llm';
import { createReplicateEmulator, type ReplicateEmulator } from '@visiona/emulators/replicate';
import { createStorageEmulator } from '@visiona/emulators/storage';
import { DEFAULT_PRICES, createStripeEmulator, type StripeEmulator } from '@visiona/emulators/stripe';
import type { Me, PublicConfig, SessionResponse } from '@visiona/shared';

export const webRoot = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = path.resolve(webRoot, '../..');
const apiEntry = path.join(repoRoot, 'apps/api/src/server.ts');
export const resultsDir = path.join(webRoot, 'test-results');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery staple';

/** Filled in by setupE2E's beforeAll. */
export const e2e = {
  /** The API itself, as scripts and curl reach it. */
  apiUrl: '',
  /** The SPA (vite preview), which also proxies /api to the API. */
  webUrl: '',
  /** GET /api/v1/config, as the API answered it. */
  config: undefined as unknown as PublicConfig,
  /** The folder with the production build the preview server serves. */
  outDir: '',
  /** The Replicate emulator the API trains on: tests change its speed or inject faults. */
  replicate: undefined as unknown as ReplicateEmulator,
  /** The OpenAI-compatible emulator that enhances prompts: tests inject latency and errors. */
  llm: undefined as unknown as LlmEmulator,
  /** The Stripe emulator (checkout, portal, signed webhooks to the API): tests hold webhooks or pay through it. */
  stripe: undefined as unknown as StripeEmulator,
  /** Where the Stripe emulator's hosted checkout and portal pages are. */
  stripeUrl: '',
};

/** The Stripe secret key the API is given; the emulator accepts only it. */
export const STRIPE_SECRET_KEY = 'sk_test_visiona_e2e';

export interface E2EOptions {
  /** Replicate emulator time multiplier (default 20: a training takes about a second). */
  replicateSpeed?: number;
  /** Extra environment for the API (e.g. `GENERATION_CREDITS_PER_IMAGE`). */
  apiEnv?: Record<string, string>;
}

let tempRoot: string | undefined;
let api: ChildProcess | undefined;
let apiLog = '';
let server: PreviewServer | undefined;
let browser: Browser | undefined;
let storage: Awaited<ReturnType<typeof createStorageEmulator>> | undefined;
let replicate: ReplicateEmulator | undefined;
let llm: LlmEmulator | undefined;
let stripe: StripeEmulator | undefined;
let stopping = false;

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

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (api?.exitCode !== null && api?.exitCode !== undefined) {
      throw new Error(`The API exited with code ${api.exitCode} before it was ready.\n${apiLog.slice(-4000)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The API was not ready at ${url} within ${timeoutMs} ms (last: ${last}).\n${apiLog.slice(-4000)}`);
}

/** The API's output so far, for failure messages. */
export function apiOutput(): string {
  return apiLog.slice(-4000);
}

async function buildInto(outDir: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: webRoot, logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * Something every browser-test file needs and no file changes, made once per test run in the
 * run's shared folder (support/global-setup.ts): the first file to take `<name>.lock` (an
 * atomic mkdir, across worker processes) makes it, the others wait for its `done` marker.
 * Without the shared folder (a file run on its own outside Vitest's setup), one of its own.
 */
async function once(name: string, ownRoot: string, make: (dir: string) => Promise<void>): Promise<string> {
  let shared: string | undefined;
  try {
    shared = inject('e2eBuildDir');
  } catch {
    shared = undefined;
  }
  if (!shared) {
    const dir = path.join(ownRoot, name);
    await make(dir);
    return dir;
  }
  const dir = path.join(shared, name);
  const done = path.join(shared, `${name}.done`);
  const failed = path.join(shared, `${name}.failed`);
  try {
    mkdirSync(path.join(shared, `${name}.lock`));
  } catch {
    const until = Date.now() + 5 * 60_000;
    while (Date.now() < until) {
      if (existsSync(done)) return dir;
      if (existsSync(failed)) throw new Error(`The shared ${name} failed: ${readFileSync(failed, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`Timed out waiting for another test file to make the shared ${name}.`);
  }
  try {
    await make(dir);
    writeFileSync(done, 'ok');
  } catch (err) {
    writeFileSync(failed, String((err as Error).message));
    throw err;
  }
  return dir;
}

/**
 * A migrated embedded database: the API's own migrate command run once into a data folder.
 * Each file's API starts on a copy of its `pgdata`, instead of spending about 7 s of CI
 * on PGlite's initdb and the migrations (first starts are covered by the API's tests).
 */
async function migrateInto(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'apps/api/src/migrate.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`migrate.ts exited with ${code}:\n${output}`);
}

/** Registers the beforeAll/afterAll that start and stop everything. Call once per test file. */
export function setupE2E(options: E2EOptions = {}): void {
  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium is not installed at ${chromiumPath}. Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.`,
      );
    }
    if (!existsSync(apiEntry)) throw new Error(`The API entry point ${apiEntry} does not exist.`);
    mkdirSync(resultsDir, { recursive: true });
    tempRoot = mkdtempSync(path.join(tmpdir(), 'visiona-web-e2e-'));
    // 1. Build the SPA exactly as production would: once per test run, shared by every file.
    e2e.outDir = await once('dist', tempRoot, buildInto);
    // On the embedded database, a migrated data folder to start the API from (also once per run).
    const dataDir = path.join(tempRoot, 'data');
    if (!process.env.DATABASE_URL) {
      const template = await once('pglite', tempRoot, migrateInto);
      cpSync(path.join(template, 'pgdata'), path.join(dataDir, 'pgdata'), { recursive: true });
    }

    // 2. The emulators the API stores photos in, trains and generates on, and enhances prompts with, in this process.
    const [apiPort, webPort, storagePort, replicatePort, llmPort, stripePort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    e2e.apiUrl = `http://127.0.0.1:${apiPort}`;
    e2e.webUrl = `http://127.0.0.1:${webPort}`;
    const serviceKey = `e2e-service-key-${Math.random().toString(36).slice(2)}`;
    const replicateToken = `r8_e2e${Math.random().toString(36).slice(2)}`;
    storage = await createStorageEmulator({ dataDir: path.join(tempRoot, 'storage'), serviceKey });
    await storage.listen({ host: '127.0.0.1', port: storagePort });
    replicate = await createReplicateEmulator({
      apiToken: replicateToken,
      publicUrl: `http://127.0.0.1:${replicatePort}`,
      speed: options.replicateSpeed ?? 20,
    });
    await replicate.app.listen({ host: '127.0.0.1', port: replicatePort });
    e2e.replicate = replicate;
    const llmKey = `sk-e2e-${Math.random().toString(36).slice(2)}`;
    llm = await createLlmEmulator({ apiKey: llmKey });
    await llm.app.listen({ host: '127.0.0.1', port: llmPort });
    e2e.llm = llm;
    // Stripe: its webhooks go straight to the API (signed with the secret the API is given).
    const stripeWebhookSecret = `whsec_e2e${Math.random().toString(36).slice(2)}`;
    e2e.stripeUrl = `http://127.0.0.1:${stripePort}`;
    stripe = await createStripeEmulator({
      secretKey: STRIPE_SECRET_KEY,
      publicUrl: e2e.stripeUrl,
      prices: [...DEFAULT_PRICES],
      webhookEndpoints: [{ url: `${e2e.apiUrl}/api/v1/webhooks/stripe`, secret: stripeWebhookSecret }],
      retryBaseMs: 200,
    });
    await stripe.app.listen({ host: '127.0.0.1', port: stripePort });
    e2e.stripe = stripe;

    // 3. Start the API on a fresh database.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      LANG: process.env.LANG,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WEB_ORIGIN: e2e.webUrl,
      // Stop at once when the file ends: no load balancer here to drain from.
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: 'warn',
      SUPABASE_URL: `http://127.0.0.1:${storagePort}`,
      SUPABASE_SERVICE_ROLE_KEY: serviceKey,
      REPLICATE_API_TOKEN: replicateToken,
      REPLICATE_BASE_URL: `http://127.0.0.1:${replicatePort}/v1`,
      // Where the Replicate emulator sends its webhooks.
      PUBLIC_API_URL: e2e.apiUrl,
      LLM_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
      LLM_API_KEY: llmKey,
      STRIPE_SECRET_KEY,
      STRIPE_API_URL: e2e.stripeUrl,
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      ...options.apiEnv,
    };
    if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
    api = spawn(process.execPath, [apiEntry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    api.stdout?.on('data', (chunk: Buffer) => (apiLog += chunk.toString()));
    api.stderr?.on('data', (chunk: Buffer) => (apiLog += chunk.toString()));
    api.once('exit', (code, signal) => {
      // Every later request fails with ECONNREFUSED; say why, once.
      if (!stopping) console.error(`The API exited during the tests (code ${code}, signal ${signal}).\n${apiOutput()}`);
    });
    await waitForReady(`${e2e.apiUrl}/readyz`, 30_000);
    e2e.config = (await (await fetch(`${e2e.apiUrl}/api/v1/config`)).json()) as PublicConfig;

    // 4. Serve the build with the proxy pointing at that API.
    const proxy = Object.fromEntries(['/api', '/livez', '/readyz'].map((prefix) => [prefix, { target: e2e.apiUrl }]));
    server = await preview({
      root: webRoot,
      logLevel: 'warn',
      build: { outDir: e2e.outDir },
      preview: { host: '127.0.0.1', port: webPort, strictPort: true, proxy },
    });

    // 5. The browser.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    stopping = true;
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    // Before the API: no webhook retries against a server that is going away.
    await stripe?.close().catch(() => undefined);
    if (api && api.exitCode === null) {
      const exited = new Promise((resolve) => api?.once('exit', resolve));
      api.kill('SIGTERM');
      const timer = setTimeout(() => api?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await replicate?.close().catch(() => undefined);
    await llm?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  }, 30_000);
}

export function uniqueEmail(tag: string): string {
  return `e2e-${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export async function apiSignUp(email: string): Promise<SessionResponse> {
  const res = await fetch(`${e2e.apiUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as SessionResponse;
}

/** Calls the API with a bearer token, as a script would. */
export function callApi(token: string, path: string, init: RequestInit = {}) {
  return fetch(`${e2e.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
}

export async function fetchMe(token: string): Promise<Me> {
  return (await (await callApi(token, '/api/v1/me')).json()) as Me;
}

/** Uncaught exceptions in each page: a working app throws none. */
const uncaught = new WeakMap<Page, string[]>();

export function uncaughtErrors(page: Page): string[] | undefined {
  return uncaught.get(page);
}

export async function newPage(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  if (!browser) throw new Error('Chromium did not start; see the beforeAll error.');
  const context = await browser.newContext({ viewport, baseURL: e2e.webUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  uncaught.set(page, errors);
  return { context, page };
}

export async function shot(page: Page, name: string) {
  // A full-page capture taken while scrolled draws the sticky header mid-page: start from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  // Finite animations (a dialog fading in) are captured finished, not halfway.
  await page.screenshot({ path: path.join(resultsDir, `e2e-${name}.png`), fullPage: true, animations: 'disabled' });
}

export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

export async function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = localStorage.getItem('visiona.session');
    return raw ? (JSON.parse(raw) as { token: string }).token : null;
  });
}

/** Signs up through the sign-up form, waits for the dashboard, and returns the session token the app stored. */
export async function signUpInBrowser(page: Page, email: string): Promise<string> {
  await page.goto('/sign-up');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: `Welcome, ${email}` }).waitFor();
  const token = await storedToken(page);
  expect(token).toBeTruthy();
  return token!;
}

/** The POST requests the page sends to `pathname` from now on: proof that a form did, or did not, call the API. */
export function watchPosts(page: Page, pathname: string): Request[] {
  const posts: Request[] = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === pathname) posts.push(req);
  });
  return posts;
}

export async function noHorizontalOverflow(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

/** Puts a session in localStorage as if the person had signed in earlier. */
export async function seedSession(page: Page, session: Pick<SessionResponse, 'token' | 'expiresAt'>) {
  await page.goto('/sign-in');
  await page.evaluate(
    (value) => localStorage.setItem('visiona.session', value),
    JSON.stringify({ token: session.token, expiresAt: session.expiresAt }),
  );
}

export const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
