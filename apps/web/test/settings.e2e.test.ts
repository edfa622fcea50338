/**
 * End-to-end: personal API tokens, from the Settings page to a curl-style script and back.
 * Same harness as shell.e2e.test.ts (./support/e2e.ts): built SPA, real API, Chromium.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ApiToken, ApiTokenList, Me } from '@visiona/shared';
import { formatCredits } from '@/lib/format';
import {
  PASSWORD,
  apiSignUp,
  e2e,
  newPage,
  noHorizontalOverflow,
  seedSession,
  setupE2E,
  shot,
  signUpInBrowser,
  uncaughtErrors,
  uniqueEmail,
  watchPosts,
} from './support/e2e';

setupE2E();

const TOKEN_FORMAT = /^vsk_[A-Za-z0-9]{38}$/;

/** What a script would do: call the API directly with the token. */
function callApi(token: string, path: string, init: RequestInit = {}) {
  return fetch(`${e2e.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
}

/** Creates a token through the form and returns the secret shown in the reveal panel. */
async function createTokenInUi(page: Page, name: string): Promise<string> {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByRole('heading', { level: 3, name: `Token created: ${name}` }).waitFor();
  const secret = await page.getByLabel('Your new API token').inputValue();
  expect(secret).toMatch(TOKEN_FORMAT);
  return secret;
}

describe('personal API tokens', () => {
  it('creates a token that works from a script, within its scopes, until it is revoked in the UI', async () => {
    const email = uniqueEmail('tokens');
    const { context, page } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.webUrl });
    const tokenPosts = watchPosts(page, '/api/v1/tokens');
    try {
      // Sign up; the header and the dashboard show the new account's credits.
      const session = await signUpInBrowser(page, email);
      const me = (await (await callApi(session, '/api/v1/me')).json()) as Me;
      // A new account starts with the server's sign-up grant (SIGNUP_CREDITS), shown as /me says.
      expect(me.creditBalance).toBeTypeOf('number');
      const credits = formatCredits(me.creditBalance!);
      await expect.poll(() => page.locator('.topbar').getByTestId('credit-balance').textContent()).toBe(credits);
      expect(await page.getByTestId('account-credits').textContent()).toBe(credits);

      // Sign out, and back in.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: `Welcome, ${email}` }).waitFor();

      // Settings: no tokens yet, and the account summary from /me.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      await expect.poll(() => page.title()).toBe('Settings · Visiona');
      await page.getByRole('heading', { name: 'No API tokens yet' }).waitFor();
      expect(await page.locator('.settings-grid').getByText(email).isVisible()).toBe(true);

      // Validation next to the fields, without calling the API.
      const read = page.getByRole('checkbox', { name: 'read' });
      expect(await read.isChecked()).toBe(true);
      await read.uncheck();
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByText('Give the token a name, so you can tell it apart later.').waitFor();
      await page.getByText('Choose at least one scope.').waitFor();
      const nameInput = page.getByLabel('Name', { exact: true });
      expect(await nameInput.getAttribute('aria-invalid')).toBe('true');
      expect(await nameInput.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(tokenPosts).toHaveLength(0);
      // Each scope says what it allows.
      const tokensScope = page.getByRole('checkbox', { name: 'tokens' });
      expect(await tokensScope.getAttribute('aria-describedby')).toBeTruthy();
      await page.getByText('Create and revoke API tokens.').waitFor();

      // Create a read-only token: the secret is shown once, with a curl example that uses it.
      await read.check();
      await page.getByText('Choose at least one scope.').waitFor({ state: 'detached' });
      expect(await page.getByLabel('Expires after').inputValue()).toBe('30');
      const name = 'Nightly backup script';
      const secret = await createTokenInUi(page, name);
      expect(tokenPosts).toHaveLength(1);
      const curl = (await page.getByTestId('curl-example').textContent()) ?? '';
      expect(curl).toBe(`curl -H "Authorization: Bearer ${secret}" ${e2e.webUrl}/api/v1/me`);
      await page.getByText('Copy your token now: it will not be shown again').waitFor();
      // The panel's heading has focus, so screen readers start there.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('token-reveal-title');

      // Copy: to the clipboard, and said out loud.
      await page.getByRole('button', { name: 'Copy token' }).click();
      await expect.poll(() => page.getByTestId('copy-status').textContent()).toContain('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      await shot(page, 'settings-reveal');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dark-settings-reveal');
      await page.emulateMedia({ colorScheme: 'light' });

      // From the test process, the way a script would: the token reads /me...
      const meRes = await callApi(secret, '/api/v1/me');
      expect(meRes.status).toBe(200);
      expect(((await meRes.json()) as Me).email).toBe(email);
      // ...and the curl example works as pasted (through the SPA's origin), when curl is installed.
      if (existsSync('/usr/bin/curl')) {
        const { stdout } = await promisify(execFile)('/bin/sh', ['-c', `${curl} --silent --show-error --fail`]);
        expect((JSON.parse(stdout) as Me).email).toBe(email);
      }
      // ...but it may not create tokens: it lacks the `tokens` scope.
      const forbidden = await callApi(secret, '/api/v1/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'escalation', scopes: ['tokens'] }),
      });
      expect(forbidden.status).toBe(403);
      const forbiddenBody = (await forbidden.json()) as { message: string };
      expect(forbiddenBody.message).toMatch(/tokens/);

      // Done: the secret leaves the page.
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByTestId('token-reveal').waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(secret);
      await page.getByRole('heading', { level: 3, name: 'Create a token' }).waitFor();

      // The list shows the token by its prefix, never its secret; after a reload, with its last use.
      await page.reload();
      const item = page.getByTestId('token-item').filter({ hasText: name });
      await item.waitFor();
      const prefixText = (await item.locator('.token-item__prefix code').textContent()) ?? '';
      const prefix = prefixText.replace(/…$/, '');
      expect(prefix).toMatch(/^vsk_/);
      expect(secret.startsWith(prefix)).toBe(true);
      expect(await item.getByText('read', { exact: true }).isVisible()).toBe(true);
      expect(await item.locator('dd').nth(1).textContent()).not.toBe('Never'); // last used: just now
      expect(await item.locator('dd').nth(2).textContent()).not.toBe('Never'); // expires in 30 days
      expect(await page.content()).not.toContain(secret);
      await shot(page, 'settings-token');

      // Revoke, with a confirmation that Escape and Cancel back out of.
      const revokeButton = page.getByRole('button', { name: `Revoke ${name}` });
      await revokeButton.click();
      const dialog = page.getByRole('dialog', { name: `Revoke “${name}”?` });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await revokeButton.evaluate((el) => el === document.activeElement)).toBe(true);
      expect((await callApi(secret, '/api/v1/me')).status).toBe(200);

      await page.keyboard.press('Enter'); // the focused Revoke button opens the dialog again
      await dialog.waitFor();
      await shot(page, 'settings-revoke-dialog');
      await dialog.getByRole('button', { name: 'Revoke token' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await item.waitFor({ state: 'detached' });
      await page.getByRole('heading', { name: 'No API tokens yet' }).waitFor();
      await expect.poll(() => page.getByTestId('token-list-status').textContent()).toContain('revoked');

      // The next script call is refused.
      expect((await callApi(secret, '/api/v1/me')).status).toBe(401);
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists the account activity: the sign-up, and a token created on the page, without a reload', async () => {
    const session = await apiSignUp(uniqueEmail('activity'));
    const { context, page } = await newPage();
    try {
      await seedSession(page, session);
      await page.goto('/settings');
      const activity = page.getByRole('region', { name: 'Account activity' });
      await activity.getByText('Account created', { exact: true }).waitFor();
      expect(await activity.getByRole('heading', { level: 3 }).count()).toBe(1); // one day so far
      expect(await activity.getByText('Created API token', { exact: false }).count()).toBe(0);

      await createTokenInUi(page, 'Activity script');
      // Creating the token refreshes the history on the same page.
      await activity.getByText('Created API token “Activity script”', { exact: true }).waitFor();
      const actions = await activity.getByTestId('audit-item').evaluateAll((items) => items.map((li) => li.getAttribute('data-action')));
      expect(actions[0]).toBe('token.created'); // newest first
      // Sign-up writes the account and its first session in one transaction (the same instant): either order.
      expect(actions.slice(-2).sort()).toEqual(['account.created', 'session.created']);
      expect(await activity.locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      await shot(page, 'settings-activity');

      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await activity.scrollIntoViewIfNeeded();
      await noHorizontalOverflow(page, 390);
      await shot(page, 'phone-dark-settings-activity');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone: the form, the one-time panel and the list at 375px', async () => {
    const email = uniqueEmail('tokens-phone');
    const session = await apiSignUp(email);
    const { context, page } = await newPage({ width: 375, height: 812 });
    try {
      await seedSession(page, session);
      await page.goto('/settings');
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      // The credit balance stays in the header on a phone.
      await page.locator('.topbar').getByTestId('credit-balance').waitFor();
      const balance = ((await (await callApi(session.token, '/api/v1/me')).json()) as Me).creditBalance!;
      expect(await page.locator('.topbar').getByTestId('credit-balance').textContent()).toBe(formatCredits(balance));
      await page.getByRole('heading', { name: 'No API tokens yet' }).waitFor();
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-settings-empty');

      await page.getByRole('checkbox', { name: 'generate' }).check();
      await page.getByLabel('Expires after').selectOption('never');
      const secret = await createTokenInUi(page, 'Phone shortcut with a rather long name to see how it wraps');
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-settings-reveal');
      expect((await callApi(secret, '/api/v1/me')).status).toBe(200);

      await page.getByRole('button', { name: 'Done' }).click();
      const item = page.getByTestId('token-item').first();
      await item.waitFor();
      expect(await item.locator('dd').nth(2).textContent()).toBe('Never');
      expect(await item.getByText('generate', { exact: true }).isVisible()).toBe(true);
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-settings-token');

      await item.getByRole('button', { name: /^Revoke / }).click();
      await page.getByRole('dialog').waitFor();
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-settings-revoke-dialog');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows loading, error, retry, expired and failed-revoke states of the list', async () => {
    const email = uniqueEmail('tokens-states');
    const session = await apiSignUp(email);
    const { context, page } = await newPage();
    const now = Date.now();
    const day = 24 * 60 * 60 * 1000;
    const fixtures: ApiToken[] = [
      {
        id: '00000000-0000-4000-8000-0000000000a1',
        name: 'Old integration',
        prefix: 'vsk_AAAAAAAA',
        scopes: ['read', 'photos'],
        createdAt: new Date(now - 60 * day).toISOString(),
        lastUsedAt: new Date(now - 40 * day).toISOString(),
        expiresAt: new Date(now - 30 * day).toISOString(),
      },
    ];
    try {
      await seedSession(page, session);
      // First the list fails (no answer), then it answers slowly, then with a token that has expired.
      let attempt = 0;
      await page.route('**/api/v1/tokens', async (route) => {
        if (route.request().method() !== 'GET') return route.fallback();
        attempt++;
        if (attempt <= 2) return route.abort('connectionrefused'); // the query retries once
        await new Promise((r) => setTimeout(r, 600));
        return route.fulfill({ json: { items: fixtures } satisfies ApiTokenList });
      });
      await page.goto('/settings');
      await page.getByRole('heading', { name: 'Your tokens could not be loaded' }).waitFor({ timeout: 15_000 });
      await page.getByText("Can't reach the Visiona API. Check your connection and try again.").first().waitFor();
      await shot(page, 'settings-list-error');
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.getByText('Loading your tokens').waitFor({ state: 'attached' });
      const item = page.getByTestId('token-item').filter({ hasText: 'Old integration' });
      await item.waitFor();
      expect(await item.getByText('Expired', { exact: true }).first().isVisible()).toBe(true);
      expect(await item.locator('.token-item__expired').isVisible()).toBe(true);

      // A revoke the server refuses keeps the dialog open with the reason.
      await page.route('**/api/v1/tokens/*', (route) =>
        route.fulfill({
          status: 500,
          json: { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong on our side.', requestId: 'req-e2e' },
        }),
      );
      await item.getByRole('button', { name: 'Revoke Old integration' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Revoke token' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Something went wrong on our side.' }).waitFor();
      expect(await dialog.getByText('req-e2e').isVisible()).toBe(true);
      await shot(page, 'settings-revoke-error');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await item.isVisible()).toBe(true);
      await shot(page, 'settings-expired');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
