import { randomBytes } from 'node:crypto';
import { createColumnCipher } from '../../src/lib/column-cipher.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import Replicate from 'replicate';
import { createReplicateEmulator, type ReplicateEmulator } from '@visiona/emulators/replicate';
import { createStorageEmulator } from '@visiona/emulators/storage';
import { createLlmEmulator, type LlmEmulator } from '@visiona/emulators/llm';
import { createStripeEmulator, DEFAULT_PRICES, type StripeEmulator } from '@visiona/emulators/stripe';
import Stripe from 'stripe';
import { createReplicateGateway, type ReplicateGateway } from '../../src/integrations/replicate.ts';
import { createStripeGateway, type StripeGateway } from '../../src/integrations/stripe.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestApp, type TestApp } from './app.ts';

/** The default plans, with a free plan that limits nothing: for tests about something else than plan limits (see test/billing). */
export const GENEROUS_PLANS = loadConfig({}).billing.plans.map((p, i) =>
  i === 0 ? { ...p, limits: { maxModels: 100, maxConcurrentGenerations: 100, maxImagesPerGeneration: 4 } } : p,
);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServicesHarness extends TestApp {
  /** The API's own URL (it listens: Replicate's webhooks come over HTTP). */
  baseUrl: string;
  replicateEmu: ReplicateEmulator;
  llmEmu: LlmEmulator;
  stripeEmu: StripeEmulator;
  /** The stripe SDK pointed at the emulator, as a test's second pair of eyes. */
  stripeClient: Stripe;
  /** The replicate SDK pointed at the emulator, as a test's second pair of eyes. */
  replicateClient: Replicate;
  storageDir: string;
  /** Shifts the Storage emulator's clock (to make objects look old). */
  storageClock: { offsetMs: number };
}

const SERVICE_KEY = 'test-service-key';
const REPLICATE_TOKEN = 'r8_test_token';
const LLM_KEY = 'sk-test-llm-key';
const STRIPE_KEY = 'sk_test_visiona_harness';
export const STRIPE_WEBHOOK_SECRET = 'whsec_visiona_harness_secret';
/** The harness's column key (random per test process), so tests can read what is encrypted at rest. */
export const HARNESS_KEY = { id: 'harness', key: randomBytes(32) };
export const harnessCipher = () => createColumnCipher([HARNESS_KEY]);

/**
 * The API on a real database, listening on a port, with the Storage and Replicate
 * emulators running in-process and the official SDKs pointed at them.
 */
export async function createServicesHarness(
  opts: {
    env?: Record<string, string>;
    speed?: number;
    storageMaxFileSize?: number;
    wrapReplicate?: (real: ReplicateGateway) => ReplicateGateway;
    wrapStripe?: (real: StripeGateway) => StripeGateway;
  } = {},
): Promise<ServicesHarness> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-storage-'));
  const storageClock = { offsetMs: 0 };
  const storage = await createStorageEmulator({
    dataDir: storageDir,
    serviceKey: SERVICE_KEY,
    clock: { now: () => new Date(Date.now() + storageClock.offsetMs) },
    ...(opts.storageMaxFileSize ? { maxFileSize: opts.storageMaxFileSize } : {}),
  });
  await storage.listen({ host: '127.0.0.1', port: 0 });
  const storageUrl = `http://127.0.0.1:${(storage.server.address() as { port: number }).port}`;

  const replicatePort = await freePort();
  const replicateEmu = await createReplicateEmulator({ apiToken: REPLICATE_TOKEN, publicUrl: `http://127.0.0.1:${replicatePort}`, speed: opts.speed ?? 40 });
  await replicateEmu.app.listen({ host: '127.0.0.1', port: replicatePort });

  const llmEmu = await createLlmEmulator({ apiKey: LLM_KEY });
  await llmEmu.app.listen({ host: '127.0.0.1', port: 0 });
  const llmUrl = `http://127.0.0.1:${(llmEmu.app.server.address() as { port: number }).port}/v1`;

  const apiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const stripePort = await freePort();
  const stripeEmu = await createStripeEmulator({
    secretKey: STRIPE_KEY,
    publicUrl: `http://127.0.0.1:${stripePort}`,
    prices: [...DEFAULT_PRICES],
    webhookEndpoints: [{ url: `${baseUrl}/api/v1/webhooks/stripe`, secret: STRIPE_WEBHOOK_SECRET }],
    retryBaseMs: 100,
  });
  await stripeEmu.app.listen({ host: '127.0.0.1', port: stripePort });
  const testApp = await createTestApp({
    env: {
      SUPABASE_URL: storageUrl,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
      REPLICATE_API_TOKEN: REPLICATE_TOKEN,
      REPLICATE_BASE_URL: `http://127.0.0.1:${replicatePort}/v1`,
      PUBLIC_API_URL: baseUrl,
      LLM_BASE_URL: llmUrl,
      LLM_API_KEY: LLM_KEY,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
      STRIPE_WEBHOOK_SECRET,
      RATE_LIMIT_MAX: '100000',
      ENCRYPTION_KEYS: `${HARNESS_KEY.id}:${HARNESS_KEY.key.toString('base64')}`,
      JOBS_POLL_MS: '50',
      ...opts.env,
    },
    deps: (config) => ({
      ...(opts.wrapReplicate ? { replicate: opts.wrapReplicate(createReplicateGateway(config.replicate)) } : {}),
      ...(opts.wrapStripe ? { stripe: opts.wrapStripe(createStripeGateway(config.billing.stripe)) } : {}),
    }),
  });
  await testApp.app.storage.ensureBucket();
  await testApp.app.listen({ host: '127.0.0.1', port: apiPort });
  testApp.app.jobs.start();

  return {
    ...testApp,
    baseUrl,
    replicateEmu,
    llmEmu,
    stripeEmu,
    stripeClient: new Stripe(STRIPE_KEY, { host: '127.0.0.1', port: stripePort, protocol: 'http' }),
    replicateClient: new Replicate({ auth: REPLICATE_TOKEN, baseUrl: `http://127.0.0.1:${replicatePort}/v1` }),
    storageDir,
    storageClock,
    async close() {
      await testApp.app.jobs.stop(2000);
      await testApp.close();
      await replicateEmu.close();
      await llmEmu.close();
      await stripeEmu.close();
      await storage.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

/** A photo-like JPEG: smooth gradients, shapes and noise, different for every seed. */
export async function photoFixture(seed: number, width = 768, height = 1024): Promise<Buffer> {
  const rand = (n: number) => {
    const x = Math.sin(seed * 9301 + n * 49297) * 233280;
    return x - Math.floor(x);
  };
  const shapes = Array.from({ length: 6 }, (_, i) => {
    const cx = Math.round(rand(i) * width);
    const cy = Math.round(rand(i + 10) * height);
    const r = Math.round(60 + rand(i + 20) * 200);
    const c = `rgb(${Math.round(rand(i + 30) * 255)},${Math.round(rand(i + 40) * 255)},${Math.round(rand(i + 50) * 255)})`;
    return i % 2 ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${c}"/>` : `<rect x="${cx - r}" y="${cy - r / 2}" width="${r * 1.5}" height="${r}" fill="${c}" transform="rotate(${Math.round(rand(i + 60) * 90)} ${cx} ${cy})"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="rgb(${Math.round(60 + rand(70) * 150)},${Math.round(60 + rand(71) * 150)},${Math.round(60 + rand(72) * 150)})"/>
      <stop offset="1" stop-color="rgb(${Math.round(60 + rand(73) * 150)},${Math.round(60 + rand(74) * 150)},${Math.round(60 + rand(75) * 150)})"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

/** A JSON request to the API over HTTP with a bearer token; the answer parsed. */
export async function apiCall<T = Record<string, unknown>>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/** Uploads photos over HTTP as multipart/form-data (field `files`). */
export async function uploadPhotos(baseUrl: string, token: string, files: { name: string; data: Buffer; type?: string }[], headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'image/jpeg' }), f.name);
  const res = await fetch(`${baseUrl}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
