/**
 * End-to-end: the built SPA, served by Vite's preview server, talking through its proxy to a real
 * Visiona API on a fresh database, driven in Debian's Chromium (harness in ./support/e2e.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Me, PublicConfig } from '@visiona/shared';
import {
  PASSWORD,
  apiSignUp,
  e2e,
  newPage,
  normalise,
  pathOf,
  seedSession,
  setupE2E,
  shot,
  storedToken,
  uncaughtErrors,
  uniqueEmail,
} from './support/e2e';

const navPages = [
  { label: 'Dashboard', path: '/' },
  { label: 'Photos', path: '/photos' },
  { label: 'Models', path: '/models' },
  { label: 'Generate', path: '/generate' },
  { label: 'Gallery', path: '/gallery' },
  { label: 'Billing', path: '/billing' },
  { label: 'Settings', path: '/settings' },
] as const;

setupE2E();

describe('the Visiona shell', () => {
  it('sends a visitor to sign-in and shows what the API said about itself', async () => {
    expect(e2e.config.authMode).toBe('local');
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
      expect(await page.getByTestId('server-version').textContent()).toBe(`Visiona ${e2e.config.version}`);
      expect(await page.getByTestId('embedded-badge').isVisible()).toBe(e2e.config.embedded);
      if (e2e.config.embedded) {
        expect(await page.getByTestId('embedded-badge').textContent()).toContain('Local mode · simulated services');
      }
      await shot(page, 'sign-in');
      expect(uncaughtErrors(page)).toEqual([]);
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
      const me = (await (await fetch(`${e2e.apiUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as Me;
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
        if (target.label === 'Settings') {
          await page.getByRole('heading', { level: 2, name: 'API tokens' }).waitFor();
        } else if (target.label === 'Photos') {
          await page.getByRole('heading', { name: 'No photos yet' }).waitFor();
        } else if (target.label === 'Models') {
          await page.getByRole('heading', { name: 'No models yet' }).waitFor();
        } else if (target.label === 'Generate') {
          await page.getByRole('heading', { name: 'Train a model first' }).waitFor();
        } else if (target.label === 'Gallery') {
          await page.getByRole('heading', { name: 'No images yet' }).waitFor();
        } else if (target.label === 'Billing') {
          await page.getByRole('heading', { level: 2, name: 'Your plan' }).waitFor();
          await page.getByRole('heading', { level: 2, name: 'Plans' }).waitFor();
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
      const after = await fetch(`${e2e.apiUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
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
      expect(uncaughtErrors(page)).toEqual([]);
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
      // Leave the app before revoking: a dashboard query still in flight would meet the 401 first,
      // end the session on that page, and the next load would start signed out, with no notice.
      await page.goto('about:blank');

      const revoked = await fetch(`${e2e.apiUrl}/api/v1/auth/logout`, {
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

  it('loads Clerk only when the server uses it, and says so when Clerk cannot be reached', async () => {
    // A well-formed publishable key for a Clerk instance that does not exist (.invalid never resolves).
    const publishableKey = `pk_test_${Buffer.from('clerk.visiona.invalid$').toString('base64')}`;
    const { context, page } = await newPage();
    const scripts: string[] = [];
    const external: string[] = [];
    page.on('request', (req) => {
      if (req.resourceType() === 'script') scripts.push(new URL(req.url()).pathname);
    });
    try {
      // Local mode: Clerk's code is never downloaded.
      await page.goto('/sign-in');
      await page.getByRole('heading', { level: 1, name: 'Sign in to Visiona' }).waitFor();
      await page.getByLabel('Email', { exact: true }).waitFor();
      expect(scripts.filter((s) => /\/assets\/clerk-/.test(s))).toEqual([]);

      // Clerk mode: the Clerk chunk loads, then Clerk's own script, which this machine cannot reach.
      await page.route('**/api/v1/config', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as PublicConfig;
        await route.fulfill({ response, json: { ...body, authMode: 'clerk', clerkPublishableKey: publishableKey } });
      });
      await page.route(/^https:\/\//, (route) => {
        external.push(route.request().url());
        return route.abort('internetdisconnected');
      });
      await page.goto('/sign-in');
      await page.getByRole('heading', { name: "Can't reach the sign-in service" }).waitFor({ timeout: 30_000 });
      expect(scripts.some((s) => /\/assets\/clerk-/.test(s))).toBe(true);
      expect(external.some((url) => url.startsWith('https://clerk.visiona.invalid/'))).toBe(true);
      // No email-and-password form in Clerk mode.
      expect(await page.getByLabel('Email', { exact: true }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
      await shot(page, 'clerk-unreachable');

      // A Clerk server that forgot its publishable key says so instead of failing obscurely.
      await page.unroute('**/api/v1/config');
      await page.route('**/api/v1/config', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as PublicConfig;
        await route.fulfill({ response, json: { ...body, authMode: 'clerk', clerkPublishableKey: null } });
      });
      await page.goto('/sign-in');
      await page.getByRole('heading', { name: 'Sign-in is not set up on this server' }).waitFor();
      // Clerk's SDK leaves one promise rejection of its own unhandled when its script cannot load;
      // anything else would be ours.
      expect(uncaughtErrors(page)?.filter((message) => !message.includes('failed_to_load_clerk_js'))).toEqual([]);
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
