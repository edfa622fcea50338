/**
 * End-to-end: from a Ready model to images in the gallery. Sign up, get a model trained through the
 * API (the Replicate emulator runs fast), then on the Generate page: the trigger word, an enhanced
 * prompt previewed and edited before sending, options, the pending card filling in, a style
 * (preset) in one click; in the Gallery: the grid, the lightbox with the keyboard, a favourite and
 * the favourites filter, deletes with confirmation. Also the enhancer being down, a failed
 * prediction refunded, 402 leading to Billing, no ready model, and 375px / dark mode.
 */
import type { Page, Request } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreateGenerationRequest, Generation, GenerationList, Model, ModelList, SessionResponse } from '@visiona/shared';
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
import { testPhoto } from './support/images';

const CREDITS_PER_IMAGE = 5;
setupE2E({ replicateSpeed: 20, apiEnv: { GENERATION_CREDITS_PER_IMAGE: String(CREDITS_PER_IMAGE) } });

afterEach(() => {
  e2e.replicate.faults.reset();
  e2e.llm.faults.reset();
});

async function listGenerations(token: string, query = ''): Promise<GenerationList> {
  return (await (await callApi(token, `/api/v1/generations${query}`)).json()) as GenerationList;
}

/** Uploads 10 photos and trains a model through the API, as a script would; waits until it is Ready. */
async function readyModel(token: string, name: string, triggerWord: string, seedBase: number): Promise<Model> {
  const body = new FormData();
  for (let i = 0; i < e2e.config.training.minPhotos; i++) {
    body.append('files', new Blob([new Uint8Array(testPhoto(seedBase + i, 512))], { type: 'image/png' }), `photo-${i + 1}.png`);
  }
  const uploaded = await callApi(token, '/api/v1/photos', { method: 'POST', body });
  expect(uploaded.status, await uploaded.clone().text()).toBe(201);
  e2e.replicate.faults.setSpeed(80);
  const created = await callApi(token, '/api/v1/models', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, triggerWord }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const { id } = (await created.json()) as Model;
  let model: Model | undefined;
  await expect
    .poll(
      async () => {
        model = ((await (await callApi(token, '/api/v1/models')).json()) as ModelList).items.find((m) => m.id === id);
        return model?.status;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe('Ready');
  e2e.replicate.faults.reset();
  return model!;
}

/** Generates through the API and waits for the images (Prefer: wait). */
async function generateThroughApi(token: string, body: CreateGenerationRequest): Promise<Generation> {
  const res = await callApi(token, '/api/v1/generations', {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'wait=60', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  expect([201, 202], await res.clone().text()).toContain(res.status);
  const generation = (await res.json()) as Generation;
  await expect
    .poll(async () => ((await (await callApi(token, `/api/v1/generations/${generation.id}`)).json()) as Generation).status, { timeout: 60_000 })
    .toBe('Succeeded');
  return generation;
}

/** How many of the matching images have loaded real pixels. */
async function loadedImages(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => Array.from(document.querySelectorAll<HTMLImageElement>(sel)).filter((img) => img.complete && img.naturalWidth > 0).length, selector);
}

function bodyOf(request: Request): CreateGenerationRequest {
  return JSON.parse(request.postData() ?? '{}') as CreateGenerationRequest;
}

const headerBalance = (page: Page) => page.locator('.topbar').getByTestId('credit-balance').textContent();

/**
 * Makes the gallery ask for one generation a page (the real API, real cursors), so a handful of images
 * spans several pages. Returns the list requests it saw.
 */
async function smallGalleryPages(page: Page): Promise<URL[]> {
  const seen: URL[] = [];
  await page.route(
    (url) => url.pathname === '/api/v1/generations',
    (route) => {
      const url = new URL(route.request().url());
      if (route.request().method() !== 'GET') return route.continue();
      url.searchParams.set('limit', '1');
      seen.push(url);
      return route.continue({ url: url.toString() });
    },
  );
  return seen;
}

describe('generate and gallery', () => {
  it('generates from an enhanced prompt and a style, then browses, favourites and deletes in the gallery', async () => {
    const { context, page } = await newPage({ width: 1280, height: 900 });
    const generationPosts = watchPosts(page, '/api/v1/generations');
    const enhancePosts = watchPosts(page, '/api/v1/prompts/enhance');
    try {
      const token = await signUpInBrowser(page, uniqueEmail('generate'));
      const model = await readyModel(token, 'Summer me', 'ZXQ_SAM', 100);
      const balance = (await fetchMe(token)).creditBalance ?? 0;
      expect(balance).toBeGreaterThanOrEqual(3 * CREDITS_PER_IMAGE);

      // The Generate page, from the navigation.
      await page.reload();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Generate' }).waitFor();
      await expect.poll(() => page.title()).toBe('Generate · Visiona');
      const modelSelect = page.getByLabel('Model', { exact: true });
      expect(await modelSelect.inputValue()).toBe(model.id);
      expect(await modelSelect.locator('option').allTextContents()).toEqual(['Summer me · ZXQ_SAM']);
      await page.getByTestId('preset-card').first().waitFor();
      expect(await page.getByTestId('preset-card').count()).toBeGreaterThanOrEqual(12);
      await page.getByText('Write a prompt or pick a style').waitFor();

      // The prompt: a live count, and the trigger word, inserted at the caret with one click.
      const prompt = page.getByLabel('Prompt', { exact: true });
      await prompt.fill('a portrait on a sailing boat at dawn');
      await expect.poll(() => page.getByTestId('prompt-count').textContent()).toContain(`36 / ${e2e.config.generation.promptMaxLength.toLocaleString('en-US')}`);
      const hint = page.getByTestId('trigger-hint');
      expect(await hint.textContent()).toContain('if you leave it out, it is added at the start');
      await prompt.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(11, 11));
      await hint.getByRole('button', { name: 'Insert ZXQ_SAM' }).click();
      expect(await prompt.inputValue()).toBe('a portrait ZXQ_SAM on a sailing boat at dawn');
      await expect.poll(() => hint.textContent()).toContain('Includes ZXQ_SAM');
      expect(await prompt.evaluate((el) => el === document.activeElement)).toBe(true);

      // Enhance with AI: the preview comes first, and nothing is sent or charged for it.
      await page.getByLabel('Enhance with AI').check();
      const mainButton = page.getByTestId('generate-button');
      await expect.poll(() => mainButton.textContent()).toBe('Preview enhanced prompt');
      await mainButton.click();
      const preview = page.getByTestId('enhance-preview');
      await preview.waitFor();
      expect(enhancePosts).toHaveLength(1);
      expect(JSON.parse(enhancePosts[0]!.postData() ?? '{}')).toEqual({ prompt: 'a portrait ZXQ_SAM on a sailing boat at dawn', modelId: model.id });
      expect(generationPosts).toHaveLength(0);
      const enhancedBox = page.getByLabel('Enhanced prompt');
      const suggested = await enhancedBox.inputValue();
      expect(suggested).toContain('ZXQ_SAM');
      expect(suggested.length).toBeGreaterThan('a portrait ZXQ_SAM on a sailing boat at dawn'.length);
      await expect.poll(() => enhancedBox.evaluate((el) => el === document.activeElement)).toBe(true);
      const edited = `${suggested}, soft pastel sky`;
      await enhancedBox.fill(edited);

      // Options: two images, the most the Free plan makes (said, with the way to Billing); the cost follows.
      await page.getByText('Options', { exact: true }).click();
      const imageCount = page.getByRole('group', { name: 'Number of images' });
      expect(await imageCount.getByRole('radio').evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).value))).toEqual(['1', '2']);
      expect(await page.getByTestId('images-limit').textContent()).toBe('Up to 2 images on Free — Upgrade');
      expect(await page.getByTestId('images-limit').getByRole('link', { name: 'Upgrade' }).getAttribute('href')).toBe('/billing');
      await page.locator('label.segmented__option', { hasText: /^2$/ }).click();
      await page.locator('label.ratio-option', { hasText: '4:5' }).locator('input').check();
      await expect.poll(() => page.getByTestId('options-summary').textContent()).toBe('2 images · Portrait 4:5 · WebP · random seed');
      await expect.poll(() => page.getByTestId('generation-cost-value').textContent()).toBe(`${2 * CREDITS_PER_IMAGE} credits`);
      expect(await page.getByTestId('generation-balance').textContent()).toBe(`${balance} credits`);
      await expect.poll(() => mainButton.textContent()).toBe(`Generate · ${2 * CREDITS_PER_IMAGE} credits`);
      await shot(page, 'generate-enhanced');

      // Generate: one request with the edited enhancement, then a pending card that fills in.
      e2e.replicate.faults.setSpeed(1.5);
      await mainButton.click();
      await expect.poll(() => generationPosts.length).toBe(1);
      const sent = bodyOf(generationPosts[0]!);
      expect(sent).toMatchObject({ modelId: model.id, prompt: 'a portrait ZXQ_SAM on a sailing boat at dawn', enhance: true, enhancedPrompt: edited });
      expect(sent.options).toMatchObject({ numOutputs: 2, aspectRatio: '4:5' });
      // A random seed is left to the API (no `seed`), so each generation differs.
      expect(sent.options && 'seed' in sent.options).toBe(false);
      expect(generationPosts[0]!.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      const card = page.getByTestId('generation-card').first();
      await card.waitFor();
      expect(await card.getAttribute('data-status')).toBe('Processing');
      expect(await card.getByTestId('generation-status').textContent()).toBe('Generating');
      await card.getByRole('progressbar').waitFor();
      await shot(page, 'generate-pending');
      // The header's balance has paid for it.
      await expect.poll(() => headerBalance(page)).toBe(`${balance - 2 * CREDITS_PER_IMAGE} credits`);
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('Succeeded');
      await expect.poll(() => loadedImages(page, '[data-testid="generation-image"]'), { timeout: 15_000 }).toBe(2);
      expect(await card.getByRole('progressbar').count()).toBe(0);
      await card.getByText('AI-enhanced').waitFor();
      await expect.poll(() => page.getByTestId('generate-status').textContent()).toBe('2 images ready.');
      const first = (await listGenerations(token)).items[0]!;
      expect(first).toMatchObject({ status: 'Succeeded', enhancement: 'enhanced', enhancedPrompt: edited, creditsCost: 2 * CREDITS_PER_IMAGE });
      expect(first.images).toHaveLength(2);
      expect(first.options.seed).toBeNull();
      expect(first.images[0]!.width / first.images[0]!.height).toBeCloseTo(4 / 5, 1);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'generate-done');

      // A style in one click: its prompt with the trigger word, its options, sent at once.
      e2e.replicate.faults.setSpeed(20);
      await page.getByLabel('Enhance with AI').uncheck();
      await page.locator('label.segmented__option', { hasText: /^1$/ }).click();
      const style = page.getByTestId('preset-card').first();
      const styleName = await style.getByRole('heading').textContent();
      await style.getByRole('button', { name: /^Generate · / }).click();
      await expect.poll(() => generationPosts.length).toBe(2);
      const styleBody = bodyOf(generationPosts[1]!);
      expect(styleBody.presetId).toBe(await style.getAttribute('data-preset-id'));
      expect(styleBody.prompt).toContain('ZXQ_SAM');
      expect(styleBody.prompt).not.toContain('{trigger}');
      expect(styleBody.enhancedPrompt).toBeUndefined();
      expect(await prompt.inputValue()).toBe(styleBody.prompt);
      expect(generationPosts[1]!.headers()['idempotency-key']).not.toBe(generationPosts[0]!.headers()['idempotency-key']);
      const styleResponse = await generationPosts[1]!.response();
      expect(styleResponse?.status(), await styleResponse?.text()).toBe(202);
      await expect.poll(() => page.getByTestId('generation-card').count()).toBe(2);
      await expect.poll(() => page.getByTestId('generation-card').first().getAttribute('data-status'), { timeout: 60_000 }).toBe('Succeeded');
      await expect.poll(() => headerBalance(page)).toBe(`${balance - 3 * CREDITS_PER_IMAGE} credits`);
      expect(styleName).toBeTruthy();

      // The gallery: newest first, three images, one generation a page: the next page loads as the end of
      // the grid comes into view.
      const listRequests = await smallGalleryPages(page);
      await page.getByRole('link', { name: 'Open gallery' }).click();
      await page.getByRole('heading', { level: 1, name: 'Gallery' }).waitFor();
      const tiles = page.getByTestId('gallery-image');
      await expect.poll(() => tiles.count()).toBe(3);
      expect(listRequests.filter((url) => url.searchParams.has('cursor')).length).toBeGreaterThanOrEqual(1);
      await expect.poll(() => page.getByTestId('load-more').count()).toBe(0);
      await expect.poll(() => loadedImages(page, '[data-testid="gallery-image"] img'), { timeout: 15_000 }).toBe(3);
      const [styleGeneration, enhancedGeneration] = (await listGenerations(token)).items;
      expect(await tiles.nth(0).getAttribute('data-generation-id')).toBe(styleGeneration!.id);
      expect(await tiles.nth(1).getAttribute('data-generation-id')).toBe(enhancedGeneration!.id);
      // Alt text from the prompt.
      expect(await tiles.nth(0).locator('img').getAttribute('alt')).toContain(styleGeneration!.prompt.slice(0, 60));
      await shot(page, 'gallery');

      // The lightbox: focus inside, the keyboard moves between images, Escape gives focus back.
      // The tile is a button named after the prompt (its image's alt text).
      await tiles.nth(0).getByRole('button', { name: new RegExp(`^${styleGeneration!.prompt.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).click();
      await page.getByRole('dialog', { name: 'Image 1 of 3' }).waitFor();
      const lightbox = page.getByTestId('lightbox');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Close');
      await expect.poll(() => loadedImages(page, '[data-testid="lightbox-image"]')).toBe(1);
      expect(await lightbox.getByTestId('lightbox-prompt').textContent()).toBe(styleGeneration!.prompt);
      expect(await lightbox.getByTestId('lightbox-download').getAttribute('href')).toBe(styleGeneration!.images[0]!.downloadUrl);
      await page.keyboard.press('ArrowRight');
      await page.getByRole('dialog', { name: 'Image 2 of 3' }).waitFor();
      expect(await lightbox.getByTestId('lightbox-enhanced-prompt').textContent()).toBe(edited);
      await page.keyboard.press('ArrowRight');
      await page.getByRole('dialog', { name: 'Image 3 of 3' }).waitFor();
      expect(await lightbox.getByRole('button', { name: 'Next image' }).isDisabled()).toBe(true);
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await page.getByRole('dialog', { name: 'Image 1 of 3' }).waitFor();
      await expect.poll(() => loadedImages(page, '[data-testid="lightbox-image"]')).toBe(1);

      // Copy prompt, and a favourite (optimistic; saved).
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await lightbox.getByRole('button', { name: 'Copy prompt' }).click();
      await expect.poll(() => lightbox.getByTestId('lightbox-status').textContent()).toBe('Copied prompt to the clipboard.');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(styleGeneration!.prompt);
      const favourite = lightbox.getByTestId('lightbox-favorite');
      expect(await favourite.getAttribute('aria-pressed')).toBe('false');
      await favourite.click();
      // Optimistic, but React renders after the click resolves: poll rather than read once.
      await expect.poll(() => favourite.getAttribute('aria-pressed')).toBe('true');
      await expect.poll(async () => (await listGenerations(token, '?favorites=true')).items.map((g) => g.images.map((i) => i.id))).toEqual([[styleGeneration!.images[0]!.id]]);
      await shot(page, 'gallery-lightbox');
      await page.keyboard.press('Escape');
      await lightbox.waitFor({ state: 'hidden' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-lightbox-trigger'))).toBe(styleGeneration!.images[0]!.id);

      // Favourites only: the one image; the filter lives in the address.
      await page.getByTestId('favorites-filter').click();
      await expect.poll(() => pathOf(page)).toBe('/gallery?favorites=1');
      await expect.poll(() => tiles.count()).toBe(1);
      expect(await tiles.first().getAttribute('data-image-id')).toBe(styleGeneration!.images[0]!.id);
      await shot(page, 'gallery-favourites');
      await page.getByTestId('favorites-filter').click();
      await expect.poll(() => tiles.count()).toBe(3);

      // Delete the two-image generation from the lightbox: the dialog says how many images go.
      await tiles.nth(1).locator('.gallery-tile__open').click();
      await page.getByRole('dialog', { name: 'Image 2 of 3' }).waitFor();
      await page.getByRole('dialog', { name: 'Image 2 of 3' }).getByRole('button', { name: 'Delete', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete these 2 images?' });
      await confirm.waitFor();
      expect(await confirm.textContent()).toContain('all 2 images are deleted');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await shot(page, 'gallery-delete-dialog');
      await confirm.getByRole('button', { name: 'Delete 2 images' }).click();
      await confirm.waitFor({ state: 'hidden' });
      await page.getByRole('dialog', { name: 'Image 1 of 1' }).waitFor();
      await expect.poll(async () => (await listGenerations(token)).items.map((g) => g.id)).toEqual([styleGeneration!.id]);
      expect((await callApi(token, `/api/v1/generations/${enhancedGeneration!.id}`)).status).toBe(404);
      // The signed URLs of deleted images stop working: the bytes are gone.
      expect((await fetch(enhancedGeneration!.images[0]!.url)).status).toBeGreaterThanOrEqual(400);

      // And the last one: the lightbox closes, the empty state leads to Generate.
      await page.getByRole('dialog', { name: 'Image 1 of 1' }).getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog', { name: 'Delete this image?' }).getByRole('button', { name: 'Delete image' }).click();
      await page.getByRole('heading', { name: 'No images yet' }).waitFor();
      expect(await tiles.count()).toBe(0);
      expect(await page.getByRole('dialog').count()).toBe(0);
      await page.getByRole('main').getByRole('link', { name: 'Generate images' }).waitFor();
      expect((await listGenerations(token)).items).toEqual([]);
      await shot(page, 'gallery-empty');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says so when the enhancer is down, refunds a failed generation, and sends a 402 to Billing', async () => {
    const session = await apiSignUp(uniqueEmail('generate-fail'));
    const model = await readyModel(session.token, 'Rainy me', 'ZXQ_RAIN', 200);
    const balance = (await fetchMe(session.token)).creditBalance ?? 0;
    const { context, page } = await newPage({ width: 1280, height: 900 });
    const generationPosts = watchPosts(page, '/api/v1/generations');
    try {
      await seedSession(page, session);
      await page.goto(`/generate?model=${model.id}`);
      await page.getByRole('heading', { level: 1, name: 'Generate' }).waitFor();

      // Checks before sending: an empty prompt never reaches the API.
      await page.getByTestId('generate-button').click();
      await page.getByText('Describe the picture you want').waitFor();
      expect(await page.getByLabel('Prompt', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
      expect(generationPosts).toHaveLength(0);

      // The enhancer is down: said gently, and the prompt can go as written.
      e2e.llm.faults.failNextRequests(1, 503);
      await page.getByLabel('Prompt', { exact: true }).fill('ZXQ_RAIN walking in the rain with an umbrella');
      await page.getByLabel('Enhance with AI').check();
      await page.getByTestId('generate-button').click();
      await page.getByText('AI enhancement is not available right now').waitFor();
      await expect.poll(() => page.getByTestId('generate-button').textContent()).toBe(`Generate with my prompt · ${CREDITS_PER_IMAGE} credits`);
      await shot(page, 'generate-enhancer-down');

      // A prediction that fails: the card says why, and that the credits came back.
      e2e.replicate.faults.failNextPrediction('CUDA error: out of memory (simulated)');
      await page.getByTestId('generate-button').click();
      await expect.poll(() => generationPosts.length).toBe(1);
      expect(bodyOf(generationPosts[0]!).enhancedPrompt).toBeUndefined();
      expect(bodyOf(generationPosts[0]!).enhance).toBeUndefined();
      const card = page.getByTestId('generation-card').first();
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('Failed');
      await card.getByText('CUDA error: out of memory (simulated)').waitFor();
      await card.getByText(`Your ${CREDITS_PER_IMAGE} credits were refunded.`).waitFor();
      expect(await card.getByText('refunded').count()).toBe(1);
      await expect.poll(async () => (await fetchMe(session.token)).creditBalance).toBe(balance);
      await expect.poll(() => headerBalance(page)).toBe(`${balance} credits`);
      await shot(page, 'generate-failed');

      // The Free plan runs two generations at once: with two running, a third is refused (429) with the plan's
      // message and the way to Billing, and nothing is charged for it.
      e2e.replicate.faults.setSpeed(0.5);
      const running = await Promise.all(
        ['ZXQ_RAIN on a pier', 'ZXQ_RAIN in a forest'].map(async (text) => {
          const res = await callApi(session.token, '/api/v1/generations', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
            body: JSON.stringify({ modelId: model.id, prompt: text, options: { numOutputs: 1 } }),
          });
          expect(res.status, await res.clone().text()).toBe(202);
          return (await res.json()) as Generation;
        }),
      );
      await page.getByLabel('Enhance with AI').uncheck();
      const busy = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/generations' && res.request().method() === 'POST');
      await page.getByTestId('generate-button').click();
      expect((await busy).status()).toBe(429);
      const tooMany = page.getByRole('alert').filter({ hasText: 'generations at once' });
      await tooMany.waitFor();
      expect(await tooMany.textContent()).toContain('Your Free plan runs 2 generations at once');
      expect(await tooMany.getByRole('link', { name: 'See plans on the Billing page' }).getAttribute('href')).toBe('/billing');
      await shot(page, 'generate-429-plan');
      e2e.replicate.faults.setSpeed(20);
      for (const generation of running) {
        await expect
          .poll(async () => ((await (await callApi(session.token, `/api/v1/generations/${generation.id}`)).json()) as Generation).status, { timeout: 60_000 })
          .toBe('Succeeded');
      }
      expect((await fetchMe(session.token)).creditBalance).toBe(balance - 2 * CREDITS_PER_IMAGE);

      // Spend the balance through the API, then ask for more than is left: 402, and the way to Billing.
      // At most 2 images a generation on Free, and one at a time (each waits for its images).
      let left = balance - 2 * CREDITS_PER_IMAGE;
      while (left >= CREDITS_PER_IMAGE) {
        const numOutputs = Math.min(2, Math.floor(left / CREDITS_PER_IMAGE));
        await generateThroughApi(session.token, { modelId: model.id, prompt: 'ZXQ_RAIN, quick test', options: { numOutputs } });
        left -= numOutputs * CREDITS_PER_IMAGE;
      }
      expect((await fetchMe(session.token)).creditBalance).toBe(left);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Generate' }).waitFor();
      await page.getByText('Not enough credits').waitFor();
      // This tab's generations survive the reload.
      await expect.poll(() => page.getByTestId('generation-card').first().getAttribute('data-status')).toBe('Failed');
      await page.getByLabel('Prompt', { exact: true }).fill('ZXQ_RAIN on a rooftop at night');
      const refused = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/generations' && res.request().method() === 'POST');
      await page.getByTestId('generate-button').click();
      expect((await refused).status()).toBe(402);
      const alert = page.getByRole('alert').filter({ hasText: 'credits' });
      await alert.waitFor();
      await expect.poll(() => alert.evaluate((el) => el === document.activeElement)).toBe(true);
      await shot(page, 'generate-402');
      await alert.getByRole('link', { name: 'Get more credits on the Billing page' }).click();
      await page.waitForURL((url) => url.pathname === '/billing');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone and dark mode, and leads to training when no model is ready', async () => {
    const fresh: SessionResponse = await apiSignUp(uniqueEmail('generate-none'));
    const { context, page } = await newPage({ width: 375, height: 812 });
    try {
      // No model yet: the way to one.
      await seedSession(page, fresh);
      await page.goto('/generate');
      await page.getByRole('heading', { name: 'Train a model first' }).waitFor();
      await page.getByRole('main').getByRole('link', { name: 'Upload photos' }).waitFor();
      await page.getByRole('main').getByRole('link', { name: 'Train a model' }).waitFor();
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-generate-no-model');
      await page.goto('/gallery');
      await page.getByRole('heading', { name: 'No images yet' }).waitFor();
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-gallery-empty');

      // With a model and a few images.
      const session = await apiSignUp(uniqueEmail('generate-phone'));
      const model = await readyModel(session.token, 'Phone me', 'ZXQ_PHONE', 300);
      await generateThroughApi(session.token, { modelId: model.id, prompt: 'ZXQ_PHONE hiking at sunrise in the Alps', options: { numOutputs: 2, aspectRatio: '2:3' } });
      await generateThroughApi(session.token, { modelId: model.id, prompt: 'ZXQ_PHONE in a cosy café, film photo', options: { numOutputs: 1, aspectRatio: '16:9', outputFormat: 'png' } });
      await seedSession(page, session);
      await page.goto('/generate');
      await page.getByRole('heading', { level: 1, name: 'Generate' }).waitFor();
      await page.getByLabel('Prompt', { exact: true }).fill('ZXQ_PHONE reading on a train, window light');
      await page.getByText('Options', { exact: true }).click();
      await page.getByTestId('preset-card').first().waitFor();
      await noHorizontalOverflow(page, 375);
      await shot(page, 'phone-generate');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dark-phone-generate');

      // Without IntersectionObserver, Load more fetches the next page.
      await page.addInitScript(() => {
        delete (window as { IntersectionObserver?: unknown }).IntersectionObserver;
      });
      const listRequests = await smallGalleryPages(page);
      await page.goto('/gallery');
      const tiles = page.getByTestId('gallery-image');
      await expect.poll(() => tiles.count()).toBe(1);
      await page.getByTestId('load-more').click();
      await expect.poll(() => tiles.count()).toBe(3);
      await expect.poll(() => page.getByTestId('load-more').count()).toBe(0);
      expect(listRequests.map((url) => url.searchParams.has('cursor'))).toEqual([false, true]);
      await expect.poll(() => loadedImages(page, '[data-testid="gallery-image"] img'), { timeout: 15_000 }).toBe(3);
      await noHorizontalOverflow(page, 375);
      await shot(page, 'dark-phone-gallery');
      await tiles.first().locator('.gallery-tile__open').click();
      await page.getByRole('dialog', { name: 'Image 1 of 3' }).waitFor();
      await expect.poll(() => loadedImages(page, '[data-testid="lightbox-image"]')).toBe(1);
      await page.getByRole('dialog').getByRole('button', { name: 'Next image' }).click();
      await page.getByRole('dialog', { name: 'Image 2 of 3' }).waitFor();
      await expect.poll(() => loadedImages(page, '[data-testid="lightbox-image"]')).toBe(1);
      await shot(page, 'dark-phone-lightbox');
      await page.keyboard.press('Escape');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.getByTestId('gallery-image').first().locator('.gallery-tile__open').click();
      await page.getByRole('dialog', { name: 'Image 1 of 3' }).waitFor();
      await expect.poll(() => loadedImages(page, '[data-testid="lightbox-image"]')).toBe(1);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dark-lightbox');
      await page.keyboard.press('Escape');
      await shot(page, 'dark-gallery');
      expect(uncaughtErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
