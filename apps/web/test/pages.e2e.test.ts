/**
 * End-to-end: every page of the SPA at phone width (390 px) and desktop width (1280 px), in light and
 * dark mode (the app follows prefers-color-scheme). On each: axe (no serious or critical violation),
 * no horizontal scrolling on the phone, and a full-page screenshot in test-results/ for a person to
 * look at. The signed-in pages show a realistic account: photos, a Ready model, images in the gallery,
 * an API token. The data is made once through the API; each width uses one browser context.
 */
import { AxeBuilder } from '@axe-core/playwright';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import type { Generation, Model, ModelList, SessionResponse } from '@visiona/shared';
import { apiSignUp, callApi, e2e, newPage, seedSession, setupE2E, shot, uncaughtErrors, uniqueEmail } from './support/e2e';
import { testPhoto } from './support/images';

setupE2E({ replicateSpeed: 80 });

interface PageCheck {
  name: string;
  path: string;
  /** The page's h1: proof that this page, not a redirect or an error, is on screen. */
  heading: string | RegExp;
  signedIn: boolean;
  /** What else shows that the page has its data, when no placeholder stands in for it meanwhile. */
  loaded?: string;
  /** Opens a dialog on the page, which is then checked in the page's place (its own focus trap, colours and layout). */
  open?: (page: Page) => Promise<void>;
}

/** Clicks `button` and waits for the dialog it opens and for its entrance (an animation that ends) to end. */
const openDialog = (button: string, dialog: string) => async (page: Page) => {
  await page.getByRole('button', { name: button }).click();
  await page.getByRole('dialog', { name: dialog }).waitFor();
  await page.evaluate(async () => {
    const ending = document.getAnimations().filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(ending.map((animation) => animation.finished.catch(() => undefined)));
  });
};

let session: SessionResponse;
let email: string;

const pages = (): PageCheck[] => [
  { name: 'sign-in', path: '/sign-in', heading: 'Sign in to Visiona', signedIn: false },
  { name: 'sign-up', path: '/sign-up', heading: 'Create your account', signedIn: false },
  { name: 'not-found', path: '/no-such-page', heading: 'Page not found', signedIn: false },
  // The three steps say where the person stands once their photos and models are in: a model is ready.
  { name: 'dashboard', path: '/', heading: `Welcome, ${email}`, signedIn: true, loaded: '[data-testid="step-generate"][data-state="current"]' },
  { name: 'photos', path: '/photos', heading: 'Photos', signedIn: true },
  { name: 'models', path: '/models', heading: 'Models', signedIn: true },
  { name: 'train-model', path: '/models/new', heading: 'Train a model', signedIn: true },
  { name: 'generate', path: '/generate', heading: 'Generate', signedIn: true },
  { name: 'gallery', path: '/gallery', heading: 'Gallery', signedIn: true },
  { name: 'billing', path: '/billing', heading: 'Billing', signedIn: true },
  { name: 'settings', path: '/settings', heading: 'Settings', signedIn: true },
  // The dialogs that use the red button, whose colours differ in dark mode.
  { name: 'revoke-token-dialog', path: '/settings', heading: 'Settings', signedIn: true, open: openDialog('Revoke Photo backup script', 'Revoke “Photo backup script”?') },
  { name: 'delete-account-dialog', path: '/settings', heading: 'Settings', signedIn: true, open: openDialog('Delete account…', 'Delete your account?') },
];

/** Polls `read` until it returns `want` (expect.poll only works inside a test, and this runs before them). */
async function until<T>(what: string, read: () => Promise<T>, want: T, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last === want) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: still ${String(last)} after ${timeoutMs} ms, expected ${String(want)}`);
}

async function uploadPhotos(token: string, count: number, seedBase: number) {
  const body = new FormData();
  for (let i = 0; i < count; i++) {
    body.append('files', new Blob([new Uint8Array(testPhoto(seedBase + i, 512))], { type: 'image/png' }), `photo-${seedBase + i}.png`);
  }
  const res = await callApi(token, '/api/v1/photos', { method: 'POST', body });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function generate(token: string, modelId: string, prompt: string, numOutputs: number, aspectRatio: string) {
  const res = await callApi(token, '/api/v1/generations', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ modelId, prompt, options: { numOutputs, aspectRatio } }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as Generation;
}

/**
 * A person a few days in: a Ready model, two generations (three images), a new set of photos uploaded
 * for a second model (training deletes the first set), and an API token.
 */
async function seedAccount(token: string): Promise<void> {
  await uploadPhotos(token, e2e.config.training.minPhotos, 700);
  const created = await callApi(token, '/api/v1/models', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Summer me', triggerWord: 'ZXQ_PAGES' }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const { id } = (await created.json()) as Model;
  await until(
    'the model',
    async () => ((await (await callApi(token, '/api/v1/models')).json()) as ModelList).items.find((m) => m.id === id)?.status,
    'Ready',
    60_000,
  );
  const generations = await Promise.all([
    generate(token, id, 'a portrait of ZXQ_PAGES hiking at sunrise in the Alps, golden light', 2, '4:5'),
    generate(token, id, 'ZXQ_PAGES in a cosy café reading a book, film photo', 1, '16:9'),
  ]);
  const tokenCreated = await callApi(token, '/api/v1/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Photo backup script', scopes: ['read', 'generate'], expiresInDays: 30 }),
  });
  expect(tokenCreated.status, await tokenCreated.clone().text()).toBe(201);
  await uploadPhotos(token, 4, 800);
  for (const generation of generations) {
    const read = async () => ((await (await callApi(token, `/api/v1/generations/${generation.id}`)).json()) as Generation).status;
    await until(`generation ${generation.id}`, read, 'Succeeded', 30_000);
  }
}

/** The account's data, made while the signed-out pages are checked; the signed-in pages wait for it. */
let seeded: Promise<void>;

beforeAll(async () => {
  email = uniqueEmail('pages');
  session = await apiSignUp(email);
  seeded = seedAccount(session.token);
  // Awaited, and so reported, by each test before its first signed-in page.
  seeded.catch(() => undefined);
});

/** The page has finished loading: its h1, no placeholders left, every visible image decoded, no colour still fading. */
async function waitUntilSettled(page: Page, check: PageCheck, expect: ExpectStatic) {
  await page.getByRole('heading', { level: 1, name: check.heading }).waitFor();
  if (check.loaded) await page.locator(check.loaded).waitFor();
  await expect
    .poll(() =>
      page.evaluate(() => {
        const busy = document.querySelectorAll('[aria-busy="true"], .skeleton').length;
        const images = Array.from(document.images).filter((img) => img.loading !== 'lazy' || img.getBoundingClientRect().top < innerHeight);
        const pending = images.filter((img) => !img.complete).length;
        return busy + pending;
      }),
    )
    .toBe(0);
  // Colours that changed with the data (a step becoming the next one) fade over 150 ms.
  await transitionsFinished(page);
}

/**
 * Colours change with a short transition (buttons, cards): after the data arrives or the colour scheme
 * switches, axe would otherwise measure text half-way between two colours.
 */
async function transitionsFinished(page: Page) {
  await page.evaluate(async () => {
    // getAnimations() applies pending style changes first, so the switch's transitions are in the list.
    const transitions = document.getAnimations().filter((animation) => animation instanceof CSSTransition);
    await Promise.all(transitions.map((transition) => transition.finished.catch(() => undefined)));
  });
}

/**
 * axe-core is put in every document of the context as it loads (addInitScript), so AxeBuilder is
 * given this check instead of its default: sending and compiling axe's 550 kB source twice per run.
 */
const AXE_PRELOADED = `if (typeof window.axe?.run !== 'function') throw new Error('axe-core was not preloaded into this page');`;

/** axe's serious and critical findings, one readable line per rule. */
async function axeProblems(page: Page, label: string, rules?: string[]): Promise<string[]> {
  // Legacy mode runs axe in the page itself: the SPA has no iframes, and the default mode opens a
  // second page per run to combine frame results.
  let builder = new AxeBuilder({ page, axeSource: AXE_PRELOADED }).setLegacyMode(true);
  if (rules) builder = builder.withRules(rules);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${label}: [${v.impact}] ${v.id} (${v.help}) ${v.helpUrl}\n` +
        v.nodes.map((node) => `    ${node.target.join(' ')}: ${node.failureSummary?.split('\n').slice(1).join('; ') ?? ''}`).join('\n'),
    );
}

const widths = [
  { label: 'phone', viewport: { width: 390, height: 844 } },
  { label: 'desktop', viewport: { width: 1280, height: 800 } },
];

describe('every page', () => {
  // The two widths run side by side: each mostly waits on the browser, which has two cores to use.
  it.concurrent.for(widths)(
    'passes axe and fits at $label width ($viewport.width px), light and dark',
    // About 20 s each on this 2-core machine; more when other work shares it.
    { timeout: 120_000 },
    async ({ label, viewport }, { expect }) => {
      const { context, page } = await newPage(viewport);
      await context.addInitScript({ content: axe.source });
      const problems: string[] = [];
      try {
        let signedIn = false;
        for (const check of pages()) {
          if (check.signedIn && !signedIn) {
            await seeded;
            await seedSession(page, session);
            signedIn = true;
          }
          await page.emulateMedia({ colorScheme: 'light' });
          await page.goto(check.path);
          await waitUntilSettled(page, check, expect);
          if (check.open) await check.open(page);
          const where = `${check.name} @ ${viewport.width}px`;
          if (viewport.width < 500) {
            const { scrollWidth, windowWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth }));
            if (scrollWidth > windowWidth) problems.push(`${where}: the page scrolls sideways (${scrollWidth} px wide in a ${windowWidth} px window)`);
          }
          problems.push(...(await axeProblems(page, `${where} light`)));
          await shot(page, `pages-${label}-${check.name}`);
          // Dark mode changes colours only, so only the colour rule can find anything new.
          await page.emulateMedia({ colorScheme: 'dark' });
          await transitionsFinished(page);
          problems.push(...(await axeProblems(page, `${where} dark`, ['color-contrast'])));
          await shot(page, `pages-${label}-dark-${check.name}`);
        }
        expect(uncaughtErrors(page)).toEqual([]);
      } finally {
        await context.close();
      }
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );
});
