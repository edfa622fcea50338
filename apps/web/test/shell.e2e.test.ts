/**
 * End-to-end: the built SPA, served by Vite's preview server, talking through its proxy to a real
 * Visiona API on a fresh database, driven in Debian's Chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Me, PublicConfig, SessionResponse } from '@visiona/shared';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(webRoot, '../..');
const apiEntry = path.join(repoRoot, 'apps/api/src/server.ts');
const resultsDir = path.join(webRoot, 'test-results');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';

const navPages = [
  { label: 'Dashboard', path: '/' },
  { label: 'Photos', path: '/photos' },
  { label: 'Models', path: '/models' },
  { label: 'Generate', path: '/generate' },
  { label: 'Gallery', path: '/gallery' },
  { label: 'Billing', path: '/billing' },
  { label: 'Settings', path: '/settings' },
] as const;

let tempRoot: string;
let api: ChildProcess | undefined;
let apiLog = '';
let apiUrl: string;
let server: PreviewServer | undefined;
let webUrl: string;
let browser: Browser | undefined;
let config: PublicConfig;

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

function uniqueEmail(tag: string): string {
  return `e2e-${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

async function apiSignUp(email: string): Promise<SessionResponse> {
  const res = await fetch(`${apiUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as SessionResponse;
}

/** Uncaught exceptions in each page: a working shell throws none. */
const uncaught = new WeakMap<Page, string[]>();

async function newPage(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  if (!browser) throw new Error('Chromium did not start; see the beforeAll error.');
  const context = await browser.newContext({ viewport, baseURL: webUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  uncaught.set(page, errors);
  return { context, page };
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(resultsDir, `e2e-${name}.png`), fullPage: true });
}

function pathOf(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

async function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = localStorage.getItem('visiona.session');
    return raw ? (JSON.parse(raw) as { token: string }).token : null;
  });
}

/** Puts a session in localStorage as if the person had signed in earlier. */
async function seedSession(page: Page, session: SessionResponse) {
  await page.goto('/sign-in');
  await page.evaluate((value) => localStorage.setItem('visiona.session', value), JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
}

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}. Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  if (!existsSync(apiEntry)) throw new Error(`The API entry point ${apiEntry} does not exist.`);
  mkdirSync(resultsDir, { recursive: true });
  tempRoot = mkdtempSync(path.join(tmpdir(), 'visiona-web-e2e-'));
  const outDir = path.join(tempRoot, 'dist');

  // 1. Build the SPA exactly as production would.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: webRoot, logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }

  // 2. Start the API on a fresh database.
  const [apiPort, webPort] = [await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  webUrl = `http://127.0.0.1:${webPort}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LANG: process.env.LANG,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATA_DIR: path.join(tempRoot, 'data'),
    WEB_ORIGIN: webUrl,
    LOG_LEVEL: 'warn',
  };
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  api = spawn(process.execPath, [apiEntry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  api.stdout?.on('data', (chunk: Buffer) => (apiLog += chunk.toString()));
  api.stderr?.on('data', (chunk: Buffer) => (apiLog += chunk.toString()));
  await waitForReady(`${apiUrl}/readyz`, 30_000);
  config = (await (await fetch(`${apiUrl}/api/v1/config`)).json()) as PublicConfig;

  // 3. Serve the build with the proxy pointing at that API.
  const proxy = Object.fromEntries(['/api', '/livez', '/readyz'].map((prefix) => [prefix, { target: apiUrl }]));
  server = await preview({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: webPort, strictPort: true, proxy },
  });

  // 4. The browser.
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
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api?.once('exit', resolve));
    api.kill('SIGTERM');
    const timer = setTimeout(() => api?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
}, 30_000);

describe('the Visiona shell', () => {
  it('sends a visitor to sign-in and shows what the API said about itself', async () => {
    expect(config.authMode).toBe('local');
    const { context, page } = await newPage();
    try {
      await page.goto('/');
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await expect.poll(() => page.title()).toBe('Sign in · Visiona');
      await page.getByRole('heading', { level: 1, name: 'Sign in to Visiona' }).waitFor();
      expect(await page.getByLabel('Email', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByLabel('Password', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
      // From GET /api/v1/config, through the proxy.
      expect(await page.getByTestId('server-version').textContent()).toBe(`Visiona ${config.version}`);
      expect(await page.getByTestId('embedded-badge').isVisible()).toBe(config.embedded);
      if (config.embedded) {
        expect(await page.getByTestId('embedded-badge').textContent()).toContain('Local mode · simulated services');
      }
      await shot(page, 'sign-in');
      expect(uncaught.get(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('signs up, shows the account, navigates every page, and signs out', async () => {
    const { context, page } = await newPage();
    const email = uniqueEmail('signup');
    try {
      await page.goto('/sign-up');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();

      await page.waitForURL((url) => url.pathname === '/');
      await page.getByRole('heading', { level: 1, name: `Welcome, ${email}` }).waitFor();
      const token = await storedToken(page);
      expect(token).toBeTruthy();
      const me = (await (await fetch(`${apiUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as Me;
      expect(me.email).toBe(email);
      expect(normalise((await page.getByTestId('plan').textContent()) ?? '')).toBe(normalise(me.plan));
      expect(await page.locator('.topbar').getByText(email).isVisible()).toBe(true);
      await shot(page, 'dashboard');

      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const target of [...navPages.slice(1), navPages[0]]) {
        await nav.getByRole('link', { name: target.label, exact: true }).click();
        await page.waitForURL((url) => url.pathname === target.path);
        const heading = target.label === 'Dashboard' ? `Welcome, ${email}` : target.label;
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await expect.poll(() => page.title()).toBe(`${target.label} · Visiona`);
        for (const other of navPages) {
          const current = await nav.getByRole('link', { name: other.label, exact: true }).getAttribute('aria-current');
          expect(current, `aria-current of ${other.label} on ${target.path}`).toBe(other === target ? 'page' : null);
        }
        if (target.label !== 'Dashboard') {
          await page.getByRole('heading', { name: 'This page is not available yet' }).waitFor();
        }
        if (target.label === 'Generate') await shot(page, 'generate');
      }

      // The session survives a reload.
      await page.goto('/settings');
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await page.getByText('You have signed out.').waitFor();
      expect(await storedToken(page)).toBeNull();
      // Signing out revoked the token on the server, not just in the browser.
      const after = await fetch(`${apiUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(after.status).toBe(401);

      // A protected page now asks to sign in, and returns there afterwards.
      await page.goto('/gallery');
      await page.waitForURL((url) => url.pathname === '/sign-in');
      expect(pathOf(page)).toBe('/sign-in?redirectTo=%2Fgallery');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/gallery');
      await page.getByRole('heading', { level: 1, name: 'Gallery' }).waitFor();
      expect(uncaught.get(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows validation messages next to the fields without calling the API', async () => {
    const { context, page } = await newPage();
    const authRequests: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/v1/auth/')) authRequests.push(req.url());
    });
    try {
      await page.goto('/sign-up');
      const emailInput = page.getByLabel('Email', { exact: true });
      const passwordInput = page.getByLabel('Password', { exact: true });
      await emailInput.fill('someone@example.com');
      await passwordInput.fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();

      const message = 'Use at least 10 characters for your password.';
      await page.getByText(message).waitFor();
      expect(await passwordInput.getAttribute('aria-invalid')).toBe('true');
      // The message is tied to the field, so screen readers read it with the field.
      const describedBy = (await passwordInput.getAttribute('aria-describedby')) ?? '';
      const described = await Promise.all(
        describedBy.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()),
      );
      expect(described.join(' ')).toContain(message);
      expect(await passwordInput.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await emailInput.getAttribute('aria-invalid')).toBeNull();

      // A malformed email gets its own message.
      await emailInput.fill('not-an-email');
      await passwordInput.fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Enter a valid email address, like name@example.com.').waitFor();
      expect(await emailInput.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await passwordInput.getAttribute('aria-invalid')).toBeNull();
      await shot(page, 'validation');
      expect(authRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('puts the API’s own answers next to the right field or above the form', async () => {
    const email = uniqueEmail('taken');
    await apiSignUp(email);
    const { context, page } = await newPage();
    try {
      await page.goto('/sign-up');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('An account with this email already exists').waitFor();
      expect(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');

      await page.goto('/sign-in');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(`${PASSWORD} but wrong`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Email or password is incorrect.' });
      await alert.waitFor();
      expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
      expect(pathOf(page)).toBe('/sign-in');
    } finally {
      await context.close();
    }
  });

  it('ends a revoked session on the next API call and returns there after signing in', async () => {
    const email = uniqueEmail('revoked');
    const session = await apiSignUp(email);
    const { context, page } = await newPage();
    try {
      await seedSession(page, session);
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: `Welcome, ${email}` }).waitFor();

      const revoked = await fetch(`${apiUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}` },
      });
      expect(revoked.status).toBe(204);

      await page.goto('/models');
      await page.waitForURL((url) => url.pathname === '/sign-in');
      expect(pathOf(page)).toBe('/sign-in?redirectTo=%2Fmodels');
      await page.getByText('Your session has ended.').waitFor();
      expect(await storedToken(page)).toBeNull();

      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/models');
      await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('says plainly when the API cannot be reached, and recovers on retry', async () => {
    const { context, page } = await newPage();
    try {
      await page.route('**/api/v1/config', (route) => route.abort('connectionrefused'));
      await page.goto('/sign-in');
      await page.getByRole('heading', { level: 2, name: "Can't reach Visiona" }).waitFor({ timeout: 15_000 });
      await page.getByText("Can't reach the Visiona API. Check your connection and try again.").waitFor();
      await shot(page, 'api-unreachable');

      await page.unroute('**/api/v1/config');
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in to Visiona' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('says plainly that Clerk sign-in is not built yet when the server uses Clerk', async () => {
    const { context, page } = await newPage();
    try {
      await page.route('**/api/v1/config', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as PublicConfig;
        await route.fulfill({ response, json: { ...body, authMode: 'clerk', clerkPublishableKey: 'pk_test_x' } });
      });
      await page.goto('/sign-in');
      await page.getByRole('heading', { level: 1, name: 'Sign in to Visiona' }).waitFor();
      await page.getByText('Sign-in with Clerk is not built yet').waitFor();
      expect(await page.getByLabel('Email', { exact: true }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Create an account' }).count()).toBe(0);
      await shot(page, 'clerk-mode');
    } finally {
      await context.close();
    }
  });

  it('shows a 404 page for unknown addresses', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto('/no/such/page');
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(await page.getByText('/no/such/page').isVisible()).toBe(true);
      await expect.poll(() => page.title()).toBe('Page not found · Visiona');
      await page.getByRole('link', { name: 'Go to sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await shot(page, 'after-404');
    } finally {
      await context.close();
    }
  });

  it('fits a phone: the navigation moves behind a Menu button', async () => {
    const email = uniqueEmail('phone');
    const session = await apiSignUp(email);
    const { context, page } = await newPage({ width: 375, height: 812 });
    try {
      await seedSession(page, session);
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: `Welcome, ${email}` }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      const gallery = nav.getByRole('link', { name: 'Gallery', exact: true });
      expect(await gallery.isVisible()).toBe(false);
      // Nothing overflows sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shot(page, 'phone-dashboard');

      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await gallery.waitFor({ state: 'visible' });
      await page.waitForTimeout(300); // let the sheet finish sliding in for the screenshot
      await shot(page, 'phone-menu');
      await gallery.click();
      await page.waitForURL((url) => url.pathname === '/gallery');
      await page.getByRole('heading', { level: 1, name: 'Gallery' }).waitFor();
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await gallery.getAttribute('aria-current')).toBe('page');
      // The sheet slides away once a link in it was followed.
      await gallery.waitFor({ state: 'hidden' });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shot(page, 'phone-gallery');
    } finally {
      await context.close();
    }
  });
});
