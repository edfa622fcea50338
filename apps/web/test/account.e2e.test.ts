/**
 * End-to-end: Settings → Export your data (a zip downloaded with the session's bearer token, with
 * its progress) and the danger zone (the delete-account dialog, which asks for the email address,
 * then signs out for good). Same harness as the other browser tests (./support/e2e.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ErrorResponse } from '@visiona/shared';
import {
  PASSWORD,
  apiSignUp,
  callApi,
  e2e,
  newPage,
  noHorizontalOverflow,
  pathOf,
  resultsDir,
  seedSession,
  setupE2E,
  shot,
  uncaughtErrors,
  uniqueEmail,
} from './support/e2e';
import { testPhoto } from './support/images';

setupE2E();

/** axe's serious and critical findings on the page as it is. */
async function axeProblems(page: Page, rules?: string[]): Promise<string[]> {
  let builder = new AxeBuilder({ page }).setLegacyMode(true);
  if (rules) builder = builder.withRules(rules);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `[${v.impact}] ${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`);
}

/** What a phone shows right now (a full-page capture draws a modal's backdrop over the top only). */
const viewportShot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(resultsDir, `e2e-${name}.png`), animations: 'disabled' });

/** The entries of a zip (stored or deflated, as yazl writes them), read from its central directory. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('broken central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

async function uploadPhotos(token: string, count: number, seedBase: number): Promise<void> {
  const body = new FormData();
  for (let i = 0; i < count; i++) body.append('files', new Blob([new Uint8Array(testPhoto(seedBase + i, 900))], { type: 'image/png' }), `export-${i + 1}.png`);
  const res = await callApi(token, '/api/v1/photos', { method: 'POST', body });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Slows the page's downloads (null: full speed), so progress shows while the zip streams in. One DevTools session per page: a second one would not replace the first's limit. */
async function throttler(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  return (bytesPerSecond: number | null) =>
    cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: bytesPerSecond ?? -1, uploadThroughput: -1 });
}

describe('Settings → export your data', () => {
  it('downloads a zip with data.json and the photos, showing how much has arrived', async () => {
    const email = uniqueEmail('export');
    const session = await apiSignUp(email);
    await uploadPhotos(session.token, 3, 700);
    const { context, page } = await newPage();
    try {
      await seedSession(page, session);
      await page.goto('/settings');
      const card = page.getByTestId('export-data');
      await card.getByRole('heading', { name: 'Export your data' }).waitFor();

      // Cancel stops the download: nothing is saved, no error, and the server lets the next one start.
      const throttle = await throttler(page);
      await throttle(8 * 1024);
      let saved = 0;
      page.on('download', () => saved++);
      await card.getByRole('button', { name: 'Export your data' }).click();
      await card.getByRole('button', { name: 'Cancel export' }).click();
      await card.getByRole('button', { name: 'Export your data' }).waitFor();
      expect(await card.getByRole('progressbar').count()).toBe(0);
      expect(await card.getByRole('alert').count()).toBe(0);
      await expect
        .poll(async () => {
          const res = await callApi(session.token, '/api/v1/me/export');
          await res.arrayBuffer();
          return res.status;
        })
        .toBe(200);
      expect(saved).toBe(0);

      await throttle(160 * 1024);

      const downloading = page.waitForEvent('download', { timeout: 60_000 });
      await card.getByRole('button', { name: 'Export your data' }).click();
      // While it streams: a progress bar, the bytes so far, and a way to stop.
      await card.getByRole('progressbar', { name: 'Downloading your data export' }).waitFor();
      await expect.poll(() => card.getByTestId('export-progress').textContent()).toMatch(/^\d+(\.\d)? (KB|MB) downloaded$/);
      await card.getByRole('button', { name: 'Cancel export' }).waitFor();
      await shot(page, 'settings-export-progress');

      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^visiona-export-\d{4}-\d{2}-\d{2}\.zip$/);
      const bytes = await readFile((await download.path())!);
      const entries = readZip(bytes);
      const data = JSON.parse(entries.get('visiona-export/data.json')!.toString('utf8')) as {
        profile: { email: string };
        photos: { file: string }[];
      };
      expect(data.profile.email).toBe(email);
      expect(data.photos).toHaveLength(3);
      for (const photo of data.photos) {
        const file = entries.get(`visiona-export/${photo.file}`);
        expect(file?.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff])); // a JPEG
      }
      expect(entries.has('visiona-export/README.txt')).toBe(true);

      await card.getByText('Export saved', { exact: true }).waitFor();
      expect(await card.textContent()).toContain(download.suggestedFilename());
      await card.getByRole('button', { name: 'Export again' }).waitFor();
      await throttle(null);
      await shot(page, 'settings-export-saved');
      expect(await axeProblems(page)).toEqual([]);
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says in words when an export is already downloading (429) and when the API is unreachable', async () => {
    const session = await apiSignUp(uniqueEmail('export-busy'));
    const { context, page } = await newPage({ width: 390, height: 844 });
    try {
      await seedSession(page, session);
      let answer: 'busy' | 'down' = 'busy';
      await page.route('**/api/v1/me/export', (route) =>
        answer === 'busy'
          ? route.fulfill({
              status: 429,
              headers: { 'retry-after': '60', 'x-request-id': 'req-busy' },
              json: {
                statusCode: 429,
                error: 'Too Many Requests',
                code: 'export_in_progress',
                message: 'An export of your data is already downloading. Let it finish (or cancel it), then try again.',
                requestId: 'req-busy',
              } satisfies ErrorResponse,
            })
          : route.abort('connectionrefused'),
      );
      await page.goto('/settings');
      const card = page.getByTestId('export-data');
      await card.getByRole('button', { name: 'Export your data' }).click();
      const alert = card.getByRole('alert');
      await alert.getByText('An export is already downloading').waitFor();
      expect(await alert.textContent()).toContain('Let it finish, then try again in about a minute.');
      await card.scrollIntoViewIfNeeded();
      await noHorizontalOverflow(page, 390);
      await viewportShot(page, 'phone-settings-export-busy');
      expect(await axeProblems(page)).toEqual([]);

      answer = 'down';
      await card.getByRole('button', { name: 'Try again' }).click();
      await card.getByText("Can't reach the Visiona API. Check your connection and try again.").waitFor();
      expect(await card.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('Settings → delete account', () => {
  it('keeps Delete disabled until the email matches, then deletes, signs out and says so; the password no longer works', async () => {
    const email = uniqueEmail('delete');
    const session = await apiSignUp(email);
    const { context, page } = await newPage();
    try {
      await seedSession(page, session);
      await page.goto('/settings');
      const danger = page.getByRole('region', { name: 'Danger zone' });
      const open = danger.getByRole('button', { name: 'Delete account…' });
      await open.waitFor();
      await expect.poll(() => open.isEnabled()).toBe(true); // once /me has said which email to ask for
      await shot(page, 'settings-account');

      // Escape backs out, with focus back on the button.
      await open.click();
      const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
      await dialog.waitFor();
      const input = dialog.getByLabel(/To confirm, type your email address/);
      // Focus starts in the field: type at once.
      expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
      for (const fact of ['uploaded photos', 'Replicate', 'subscription, which is cancelled', 'Payment records are kept', 'cannot be undone', 'Export your data']) {
        expect(await dialog.textContent()).toContain(fact);
      }
      const confirm = dialog.getByRole('button', { name: 'Delete account' });
      expect(await confirm.isDisabled()).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);

      // Wrong or partial addresses keep it disabled; the address in another case is accepted.
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      expect(await input.inputValue()).toBe('');
      await input.fill('someone-else@example.com');
      expect(await confirm.isDisabled()).toBe(true);
      await input.fill(email.slice(0, -1));
      expect(await confirm.isDisabled()).toBe(true);
      await page.keyboard.press('Enter'); // submitting the form does nothing either
      expect(await dialog.isVisible()).toBe(true);
      await input.fill(`  ${email.toUpperCase()} `);
      await expect.poll(() => confirm.isEnabled()).toBe(true);
      await dialog.getByText('The address matches.').waitFor();
      await shot(page, 'settings-delete-dialog');

      const deleted = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/me' && res.request().method() === 'DELETE');
      await confirm.click();
      const res = await deleted;
      expect(res.status()).toBe(202);
      expect(res.request().postDataJSON()).toEqual({ confirm: email.toUpperCase() });

      // Signed out, on the sign-in page, told what is happening.
      await page.getByTestId('account-deleted-notice').waitFor();
      expect(pathOf(page)).toBe('/sign-in');
      expect(await page.getByTestId('account-deleted-notice').textContent()).toContain('Your account is being deleted');
      expect(await page.evaluate(() => localStorage.getItem('visiona.session'))).toBeNull();
      await shot(page, 'account-deleted');

      // The old session is dead, and the password no longer signs in.
      expect((await callApi(session.token, '/api/v1/me')).status).toBe(401);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: /email or password/i }).waitFor();
      expect(pathOf(page)).toBe('/sign-in');
      const login = await fetch(`${e2e.apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(login.status).toBe(401);
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone, light and dark: the danger zone and the dialog at 390px', async () => {
    const email = uniqueEmail('delete-phone-with-a-long-address');
    const session = await apiSignUp(email);
    const { context, page } = await newPage({ width: 390, height: 844 });
    try {
      await seedSession(page, session);
      await page.goto('/settings');
      const danger = page.getByRole('region', { name: 'Danger zone' });
      const open = danger.getByRole('button', { name: 'Delete account…' });
      await expect.poll(() => open.isEnabled()).toBe(true);
      await noHorizontalOverflow(page, 390);
      await shot(page, 'phone-settings-account');

      await page.emulateMedia({ colorScheme: 'dark' });
      await open.click();
      const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
      await dialog.waitFor();
      await dialog.getByLabel(/To confirm, type your email address/).fill(email);
      await noHorizontalOverflow(page, 390);
      await viewportShot(page, 'phone-dark-delete-dialog');
      expect(await axeProblems(page, ['color-contrast'])).toEqual([]);
      await page.emulateMedia({ colorScheme: 'light' });
      await viewportShot(page, 'phone-delete-dialog');
      expect(await axeProblems(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('export-data').scrollIntoViewIfNeeded();
      await viewportShot(page, 'phone-dark-settings-export');
      await danger.scrollIntoViewIfNeeded();
      await viewportShot(page, 'phone-dark-danger-zone');
      // Nothing was deleted.
      expect((await callApi(session.token, '/api/v1/me')).status).toBe(200);
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
