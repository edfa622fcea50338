/**
 * End-to-end: from photos to a trained model. Sign up, upload generated photos (and a zip, and a
 * PDF pretending to be a JPEG) on the Photos page, start a training on the Train page, follow its
 * progress on the Models page until it is Ready. The API runs against the Storage and Replicate
 * emulators (./support/e2e.ts); the tests slow the Replicate emulator down to watch progress.
 */
import type { Page, Request } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Model, ModelList, PhotoList, SessionResponse } from '@visiona/shared';
import {
  apiSignUp,
  callApi,
  e2e,
  fetchMe,
  newPage,
  noHorizontalOverflow,
  pathOf,
  seedSession,
  setupE2E,
  shot,
  signUpInBrowser,
  uncaughtErrors,
  uniqueEmail,
  watchPosts,
} from './support/e2e';
import { PDF_BYTES, storedZip, testPhoto } from './support/images';

setupE2E({ replicateSpeed: 20 });

afterEach(() => e2e.replicate.faults.reset());

const TRIGGER_WORD = /^[A-Za-z][A-Za-z0-9_]{1,29}$/;

/** Uploads photos straight to the API, as a script would (for tests that start from a full set). */
async function uploadThroughApi(token: string, count: number, seedBase: number): Promise<void> {
  const body = new FormData();
  for (let i = 0; i < count; i++) body.append('files', new Blob([new Uint8Array(testPhoto(seedBase + i))], { type: 'image/png' }), `api-photo-${i + 1}.png`);
  const res = await callApi(token, '/api/v1/photos', { method: 'POST', body });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Every thumbnail in the grid has loaded a real image. */
async function thumbnailsLoaded(page: Page): Promise<number> {
  return page.evaluate(() => {
    const images = Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="photo-card"] img'));
    return images.filter((img) => img.complete && img.naturalWidth > 0).length;
  });
}

/** Waits until every loaded thumbnail is decoded, so a full-page screenshot shows them all. */
async function thumbnailsDecoded(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.race([
      Promise.all(Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="photo-card"] img')).map((img) => img.decode().catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ]),
  );
}

/** Tracks the upload requests: how many, and the most at once. */
function watchUploads(page: Page) {
  const stats = { started: 0, inFlight: 0, maxInFlight: 0, contentTypes: [] as string[] };
  const isUpload = (req: Request) => req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/photos';
  page.on('request', (req) => {
    if (!isUpload(req)) return;
    stats.started++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.contentTypes.push(req.headers()['content-type'] ?? '');
  });
  const done = (req: Request) => {
    if (isUpload(req)) stats.inFlight--;
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return stats;
}

async function fillTrainForm(page: Page, name: string) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Suggest one' }).click();
  const word = await page.getByLabel('Trigger word').inputValue();
  expect(word).toMatch(TRIGGER_WORD);
  return word;
}

describe('photos to a trained model', () => {
  it('uploads photos with progress, refuses a fake JPEG, trains a model and follows it to Ready', async () => {
    const email = uniqueEmail('training');
    const { context, page } = await newPage({ width: 1280, height: 900 });
    const uploads = watchUploads(page);
    const modelPosts = watchPosts(page, '/api/v1/models');
    const photoPosts = watchPosts(page, '/api/v1/photos');
    try {
      const token = await signUpInBrowser(page, email);
      const startBalance = (await fetchMe(token)).creditBalance ?? 0;
      expect(startBalance).toBeGreaterThanOrEqual(e2e.config.training.costCredits);

      // The Photos page, empty, with the limits from the config.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Photos', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Photos' }).waitFor();
      await expect.poll(() => page.title()).toBe('Photos · Visiona');
      await page.getByRole('heading', { name: 'No photos yet' }).waitFor();
      const summary = page.getByTestId('photos-summary');
      const min = e2e.config.training.minPhotos;
      await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^0 photos · 0 B of \\d+ [KMGT]?B · at least ${min} needed to train$`));
      expect(await page.getByRole('button', { name: 'Choose files' }).isVisible()).toBe(true);
      const accept = (await page.getByTestId('photo-input').getAttribute('accept')) ?? '';
      expect(accept).toContain('image/jpeg');
      expect(accept).toContain('.heic');
      expect(accept).toContain('.zip');
      await page.getByText(`up to ${e2e.config.uploads.maxZipEntries} photos`).waitFor();
      await shot(page, 'photos-empty');

      // Choose 11 photos (one of them small) and a PDF named .jpg, on a slow connection so the progress shows.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: 60_000 });
      const files = [
        ...Array.from({ length: 10 }, (_, i) => ({ name: `portrait-${String(i + 1).padStart(2, '0')}.png`, mimeType: 'image/png', buffer: testPhoto(i + 1) })),
        { name: 'tiny-selfie.png', mimeType: 'image/png', buffer: testPhoto(99, 320) },
        { name: 'passport-scan.jpg', mimeType: 'image/jpeg', buffer: PDF_BYTES },
      ];
      const refused = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/photos' && res.status() === 415);
      await page.getByTestId('photo-input').setInputFiles(files);
      // Progress: bars with values, and the queue's count.
      const bar = page.getByRole('progressbar', { name: /^Uploading / }).first();
      await bar.waitFor();
      expect(Number(await bar.getAttribute('aria-valuemin'))).toBe(0);
      expect(Number(await bar.getAttribute('aria-valuemax'))).toBe(100);
      await expect.poll(async () => Number(await page.getByRole('progressbar', { name: /^Uploading / }).first().getAttribute('aria-valuenow')), { timeout: 20_000 }).toBeGreaterThan(0);
      await page.getByTestId('upload-summary').waitFor();
      await shot(page, 'photos-uploading');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

      // Every file went in a request of its own, never more than three at once.
      const items = page.getByTestId('upload-item');
      await expect.poll(() => items.and(page.locator('[data-status="done"]')).count(), { timeout: 60_000 }).toBe(11);
      await expect.poll(() => items.and(page.locator('[data-status="failed"]')).count()).toBe(1);
      expect(uploads.started).toBe(12);
      expect(uploads.maxInFlight).toBeLessThanOrEqual(3);
      expect(uploads.maxInFlight).toBeGreaterThan(1);
      expect(uploads.contentTypes.every((type) => type.startsWith('multipart/form-data'))).toBe(true);
      // Each file carries its own Idempotency-Key, so a retried upload is stored once.
      const keys = photoPosts.map((req) => req.headers()['idempotency-key']);
      expect(keys.every((key) => /^[0-9a-f-]{36}$/.test(key ?? ''))).toBe(true);
      expect(new Set(keys).size).toBe(12);

      // The fake JPEG shows the API's own 415 message, with no Retry (the same bytes would fail again).
      const apiMessage = ((await (await refused).json()) as { message: string }).message;
      expect(apiMessage.length).toBeGreaterThan(0);
      const pdfItem = items.filter({ hasText: 'passport-scan.jpg' });
      await pdfItem.getByText(apiMessage).waitFor();
      expect(await pdfItem.getByRole('button', { name: /Retry/ }).count()).toBe(0);
      await expect.poll(() => page.getByTestId('upload-status').textContent()).toContain('1 upload failed');

      // Thumbnails for the 11 photos; the small one says why it is a problem.
      const cards = page.getByTestId('photo-card');
      await expect.poll(() => cards.count()).toBe(11);
      await expect.poll(() => thumbnailsLoaded(page), { timeout: 15_000 }).toBe(11);
      const tiny = cards.filter({ hasText: 'tiny-selfie.png' });
      const tinyWarning = tiny.locator('[data-testid="photo-warning"][data-code="too_small"]');
      await tinyWarning.waitFor();
      expect(await tinyWarning.getByText('Too small', { exact: true }).isVisible()).toBe(true);
      expect(((await tinyWarning.locator('.photo-warning__message').textContent()) ?? '').length).toBeGreaterThan(10);
      await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^11 photos · [\\d.]+ [KM]B of \\d+ [KMGT]?B · at least ${min} needed to train$`));
      await page.getByText('Ready to train').waitFor();

      // A zip is one request, and adds each photo inside it.
      await page.getByTestId('photo-input').setInputFiles({
        name: 'holiday.zip',
        mimeType: 'application/zip',
        buffer: storedZip([
          { name: 'holiday/beach.png', data: testPhoto(201) },
          { name: 'holiday/mountains.png', data: testPhoto(202) },
        ]),
      });
      await items.filter({ hasText: 'holiday.zip' }).getByText('2 photos added').waitFor({ timeout: 30_000 });
      expect(uploads.started).toBe(13);
      await expect.poll(() => cards.count()).toBe(13);

      // Delete the small photo: Escape backs out, then the dialog's Delete removes it.
      const deleteTiny = tiny.getByRole('button', { name: 'Delete tiny-selfie.png' });
      await deleteTiny.click();
      const dialog = page.getByRole('dialog', { name: 'Delete this photo?' });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await cards.count()).toBe(13);
      await deleteTiny.click();
      await dialog.waitFor();
      await shot(page, 'photos-delete-dialog');
      await dialog.getByRole('button', { name: 'Delete photo' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => cards.count()).toBe(12);
      const listed = (await (await callApi(token, '/api/v1/photos')).json()) as PhotoList;
      expect(listed.count).toBe(12);
      expect(listed.items.some((photo) => photo.originalName === 'tiny-selfie.png')).toBe(false);
      await page.getByRole('button', { name: 'Clear finished' }).click();
      await items.first().waitFor({ state: 'detached' });
      await shot(page, 'photos');

      // The Train page, from the Photos page's call to action.
      await page.getByRole('link', { name: 'Train your model' }).click();
      await page.waitForURL((url) => url.pathname === '/models/new');
      await page.getByRole('heading', { level: 1, name: 'Train a model' }).waitFor();
      await expect.poll(() => page.title()).toBe('Train a model · Visiona');
      const cost = page.getByTestId('training-cost');
      await expect.poll(() => cost.textContent()).toContain('12 photos');
      await expect.poll(() => page.getByTestId('training-balance').textContent()).toBe(`${startBalance} credits`);
      expect(await cost.textContent()).toContain(`${e2e.config.training.costCredits} credits`);
      await page.getByText('Your photos are deleted after training').waitFor();
      expect(await page.getByText('Not enough credits').count()).toBe(0);

      // Checks before sending: nothing goes to the API.
      await page.getByRole('button', { name: /^Start training/ }).click();
      await page.getByText('Give the model a name, so you can tell it apart later.').waitFor();
      await page.getByText('Choose a trigger word.').waitFor();
      expect(await page.getByLabel('Name', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
      await page.getByLabel('Trigger word').fill('my face');
      await page.getByText('A trigger word is one word: no spaces.').waitFor();
      const name = 'Me, summer 2026';
      const triggerWord = await fillTrainForm(page, name);
      // An advanced setting out of range opens the folded section and focuses the field.
      await page.getByText('Advanced settings').click();
      await page.getByLabel('LoRA rank').fill('500');
      await page.getByText('Advanced settings').click();
      expect(await page.getByLabel('LoRA rank').isVisible()).toBe(false);
      await page.getByRole('button', { name: /^Start training/ }).click();
      await page.getByText('LoRA rank must be a whole number from 1 to 128.').waitFor();
      await expect.poll(() => page.getByLabel('LoRA rank').evaluate((el) => el === document.activeElement)).toBe(true);
      expect(modelPosts).toHaveLength(0);
      await page.getByLabel('LoRA rank').fill('16');
      await page.getByLabel('Training steps').fill('1000');
      await shot(page, 'train');

      // Start it, slowly enough to watch.
      e2e.replicate.faults.setSpeed(1.5);
      await page.getByRole('button', { name: /^Start training/ }).click();
      await page.waitForURL((url) => url.pathname === '/models');
      expect(modelPosts).toHaveLength(1);
      expect(modelPosts[0]?.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
      await page.getByText('Training started').waitFor();
      const card = page.getByTestId('model-card').filter({ hasText: name });
      await card.waitFor();
      expect(await card.getByText(triggerWord, { exact: true }).isVisible()).toBe(true);
      expect(await card.getByTestId('model-status').textContent()).toMatch(/Training|Ready/);

      // Live progress: percent, "step N of 1,000" and time left, from polling.
      const progress = card.getByRole('progressbar');
      await expect.poll(() => card.getByTestId('training-step').textContent(), { timeout: 40_000 }).toMatch(/^Step [1-9][\d,]* of 1,000$/);
      const now = Number(await progress.getAttribute('aria-valuenow'));
      expect(now).toBeGreaterThan(0);
      expect(now).toBeLessThan(100);
      expect(await progress.getAttribute('aria-valuetext')).toMatch(/^\d+%, step [\d,]+ of 1,000/);
      await card.getByTestId('training-eta').waitFor();
      await shot(page, 'models-training');
      // The header's balance has paid for it.
      await expect.poll(() => page.locator('.topbar').getByTestId('credit-balance').textContent()).toBe(
        `${startBalance - e2e.config.training.costCredits} credits`,
      );

      // Faster now, to the end: Ready, and the polling stops.
      e2e.replicate.faults.setSpeed(60);
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('Ready');
      expect(await card.getByTestId('model-status').textContent()).toBe('Ready');
      expect(await card.getByRole('progressbar').count()).toBe(0);
      await card.getByRole('link', { name: 'Generate images' }).waitFor();
      await expect.poll(() => page.getByTestId('models-status').textContent()).toContain(`${name} is ready`);
      const listRequests: string[] = [];
      page.on('request', (req) => {
        if (req.method() === 'GET' && new URL(req.url()).pathname === '/api/v1/models') listRequests.push(req.url());
      });
      await page.waitForTimeout(4500);
      expect(listRequests).toEqual([]);
      await shot(page, 'models-ready');
      const models = (await (await callApi(token, '/api/v1/models')).json()) as ModelList;
      expect(models.items.map((m) => [m.name, m.status, m.triggerWord])).toEqual([[name, 'Ready', triggerWord]]);

      // The training took the photos: the Photos page is empty again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Photos', exact: true }).click();
      await page.getByRole('heading', { name: 'No photos yet' }).waitFor();

      // The Free plan holds one model: the Models page says so, and a new training cannot start.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models', exact: true }).click();
      await expect.poll(() => page.getByTestId('model-usage').textContent()).toBe('1 of 1 models on Free');
      const modelLimit = page.getByTestId('model-limit');
      await modelLimit.waitFor();
      expect(await modelLimit.textContent()).toContain('Your Free plan allows 1 model at a time, and you have 1.');
      expect(await page.getByRole('button', { name: 'Train a new model' }).isDisabled()).toBe(true);
      await modelLimit.getByRole('link', { name: 'Upgrade on the Billing page' }).waitFor();
      await shot(page, 'models-limit');
      await page.goto('/models/new');
      await page.getByRole('heading', { level: 1, name: 'Train a model' }).waitFor();
      await page.getByTestId('model-limit').waitFor();
      await expect.poll(() => page.getByTestId('training-model-usage').textContent()).toBe('1 of 1 models on Free');
      const start = page.getByRole('button', { name: /^Start training/ });
      expect(await start.isDisabled()).toBe(true);
      // The disabled button says why.
      expect(await start.getAttribute('aria-describedby')).toBe('train-model-limit');
      expect(await page.locator('#train-model-limit').textContent()).toContain('Your Free plan allows 1 model at a time');
      await shot(page, 'train-model-limit');

      // Delete the model (the notice leads to the Models page): a training can start again, as far as the plan goes.
      await page.getByTestId('model-limit').getByRole('link', { name: 'Delete a model on the Models page' }).click();
      await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
      await card.getByRole('button', { name: `Delete ${name}` }).click();
      await page.getByRole('dialog', { name: `Delete “${name}”?` }).getByRole('button', { name: 'Delete model' }).click();
      await page.getByRole('heading', { name: 'No models yet' }).waitFor();

      // Another training: the balance no longer covers it, and the API's 402 says where to go.
      await page.goto('/models/new');
      await expect.poll(() => page.getByTestId('training-model-usage').textContent()).toBe('0 of 1 models on Free');
      expect(await page.getByTestId('model-limit').count()).toBe(0);
      await page.getByText('Not enough credits').waitFor();
      await page.getByText('Not enough photos').waitFor();
      await fillTrainForm(page, 'Second try');
      await page.getByRole('button', { name: /^Start training/ }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'credits' });
      await alert.waitFor();
      await alert.getByRole('link', { name: 'Get more credits on the Billing page' }).waitFor();
      await shot(page, 'train-not-enough-credits');
      expect(pathOf(page)).toBe('/models/new');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('cancels a running training, with confirmation, and refunds it', async () => {
    const session = await apiSignUp(uniqueEmail('cancel'));
    await uploadThroughApi(session.token, e2e.config.training.minPhotos, 300);
    const balance = (await fetchMe(session.token)).creditBalance ?? 0;
    const { context, page } = await newPage();
    try {
      await seedSession(page, session);

      // A photo dragged onto the drop zone is uploaded like a chosen one.
      await page.goto('/photos');
      await expect.poll(() => page.getByTestId('photo-card').count()).toBe(e2e.config.training.minPhotos);
      const dataTransfer = await page.evaluateHandle((base64) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        return transfer;
      }, testPhoto(777).toString('base64'));
      const zone = page.getByTestId('dropzone');
      await zone.dispatchEvent('dragenter', { dataTransfer });
      await page.getByText('Drop to upload').waitFor();
      expect(await zone.getAttribute('class')).toContain('dropzone--active');
      await zone.dispatchEvent('drop', { dataTransfer });
      await page.getByTestId('upload-item').filter({ hasText: 'dropped.png' }).and(page.locator('[data-status="done"]')).waitFor();
      await expect.poll(() => page.getByTestId('photo-card').count()).toBe(e2e.config.training.minPhotos + 1);
      expect(await zone.getAttribute('class')).not.toContain('dropzone--active');

      e2e.replicate.faults.setSpeed(0.5);
      await page.goto('/models');
      await page.getByRole('heading', { name: 'No models yet' }).waitFor();
      await shot(page, 'models-empty');
      await page.getByRole('link', { name: 'Train a model' }).click();
      await page.getByRole('heading', { level: 1, name: 'Train a model' }).waitFor();
      await fillTrainForm(page, 'Short-lived');
      await page.getByRole('button', { name: /^Start training/ }).click();
      const card = page.getByTestId('model-card').filter({ hasText: 'Short-lived' });
      await card.waitFor();

      const cancel = card.getByRole('button', { name: 'Cancel training of Short-lived' });
      await cancel.click();
      const dialog = page.getByRole('dialog', { name: 'Cancel the training of “Short-lived”?' });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep training');
      await shot(page, 'models-cancel-dialog');
      await dialog.getByRole('button', { name: 'Cancel training' }).click();
      await dialog.waitFor({ state: 'hidden' });
      e2e.replicate.faults.setSpeed(20);
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('Canceled');
      await card.getByText('were refunded').waitFor();
      await expect.poll(async () => (await fetchMe(session.token)).creditBalance).toBe(balance);
      await expect.poll(() => page.locator('.topbar').getByTestId('credit-balance').textContent()).toBe(`${balance} credits`);

      // A finished model can be deleted.
      await card.getByRole('button', { name: 'Delete Short-lived' }).click();
      const remove = page.getByRole('dialog', { name: 'Delete “Short-lived”?' });
      await remove.waitFor();
      await remove.getByRole('button', { name: 'Delete model' }).click();
      await expect
        .poll(async () => {
          // The photos of a canceled training may still be being deleted (409, try again).
          if (await remove.getByRole('alert').isVisible()) await remove.getByRole('button', { name: 'Delete model' }).click();
          return card.count();
        }, { timeout: 30_000, interval: 1000 })
        .toBe(0);
      await page.getByRole('heading', { name: 'No models yet' }).waitFor();
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows a failed training with the trainer's reason, refunded", async () => {
    const session = await apiSignUp(uniqueEmail('failed'));
    await uploadThroughApi(session.token, e2e.config.training.minPhotos, 400);
    const balance = (await fetchMe(session.token)).creditBalance ?? 0;
    e2e.replicate.faults.failNextTraining('CUDA out of memory (simulated)');
    const created = await callApi(session.token, '/api/v1/models', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Unlucky', triggerWord: 'ZXQ_UNLUCKY' }),
    });
    expect(created.status).toBe(201);
    const { context, page } = await newPage();
    try {
      await seedSession(page, session);
      await page.goto('/models');
      const card = page.getByTestId('model-card').filter({ hasText: 'Unlucky' });
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('Failed');
      await card.getByRole('paragraph').filter({ hasText: /CUDA out of memory \(simulated\)/ }).waitFor();
      await card.getByText('were refunded').waitFor();
      expect(await card.getByTestId('model-status').textContent()).toBe('Failed');
      await expect.poll(async () => (await fetchMe(session.token)).creditBalance).toBe(balance);
      await shot(page, 'models-failed');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone and dark mode: Photos, Train and Models at 375px', async () => {
    const session: SessionResponse = await apiSignUp(uniqueEmail('training-phone'));
    await uploadThroughApi(session.token, e2e.config.training.minPhotos + 1, 500);
    const { context, page } = await newPage({ width: 375, height: 812 });
    try {
      await seedSession(page, session);
      await page.goto('/photos');
      await page.getByRole('heading', { level: 1, name: 'Photos' }).waitFor();
      await expect.poll(() => page.getByTestId('photo-card').count()).toBe(e2e.config.training.minPhotos + 1);
      // Thumbnails load lazily: scroll past them all first.
      await page.getByTestId('photo-card').last().scrollIntoViewIfNeeded();
      await expect.poll(() => thumbnailsLoaded(page), { timeout: 15_000 }).toBe(e2e.config.training.minPhotos + 1);
      // The summary comes first on a phone.
      const summaryTop = await page.getByTestId('photos-summary').evaluate((el) => el.getBoundingClientRect().top);
      const dropTop = await page.getByTestId('dropzone').evaluate((el) => el.getBoundingClientRect().top);
      expect(summaryTop).toBeLessThan(dropTop);
      await noHorizontalOverflow(page, 375);
      await page.evaluate(() => window.scrollTo(0, 0));
      await thumbnailsDecoded(page);
      await shot(page, 'phone-photos');

      await page.getByRole('link', { name: 'Train your model' }).click();
      await page.getByRole('heading', { level: 1, name: 'Train a model' }).waitFor();
      await fillTrainForm(page, 'Phone model');
      await page.getByText('Advanced settings').click();
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-train');

      e2e.replicate.faults.setSpeed(1.5);
      await page.getByRole('button', { name: /^Start training/ }).click();
      const card = page.getByTestId('model-card').first();
      await expect.poll(() => card.getByTestId('training-step').count(), { timeout: 40_000 }).toBe(1);
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-models-training');

      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dark-phone-models-training');
      e2e.replicate.faults.setSpeed(60);
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('Ready');
      await noHorizontalOverflow(page, 375);
      await shot(page, 'dark-phone-models-ready');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto('/photos');
      await page.getByRole('heading', { name: 'No photos yet' }).waitFor();
      await shot(page, 'dark-photos-empty');
      const model = ((await (await callApi(session.token, '/api/v1/models')).json()) as ModelList).items[0] as Model;
      expect(model.status).toBe('Ready');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
