import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has working defaults for the embedded mode', () => {
    const c = loadConfig({}, '/srv/visiona');
    expect(c).toMatchObject({ port: 3000, databaseUrl: null, dataDir: '/srv/visiona/.data', env: 'development' });
    expect(c.webOrigins).toEqual(['http://localhost:5173', 'http://127.0.0.1:5173']);
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must use postgres: or postgresql:/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['WEB_ORIGIN', 'not a url', /WEB_ORIGIN must be a URL/],
    ['SESSION_SECRET', 'short', /SESSION_SECRET must be at least 32 characters/],
    ['TRUST_PROXY', 'maybe', /TRUST_PROXY must be true or false/],
    ['REPLICATE_TRAINER', 'ostris/flux-dev-lora-trainer', /REPLICATE_TRAINER must look like owner\/name:<64-hex version>/],
    ['REPLICATE_WEBHOOK_SECRET', 'secret', /REPLICATE_WEBHOOK_SECRET must look like whsec_/],
    ['UPLOAD_MAX_PHOTOS', '0', /UPLOAD_MAX_PHOTOS must be between 1 and 1000/],
    ['PUBLIC_API_URL', 'ftp://x', /PUBLIC_API_URL must use http: or https:/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(name);
    expect((err as Error).message).toMatch(message);
  });

  it('points at the local emulators by default, and requires the real services in production', () => {
    const c = loadConfig({ PORT: '4000' });
    expect(c.storage).toMatchObject({ url: 'http://127.0.0.1:54329', bucket: 'visiona-private' });
    expect(c.replicate).toMatchObject({ baseUrl: 'http://127.0.0.1:8788/v1', trainer: { owner: 'ostris', name: 'flux-dev-lora-trainer' } });
    expect(c.publicApiUrl).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ REPLICATE_API_TOKEN: 'r8_real' }).replicate.baseUrl).toBe('https://api.replicate.com/v1');
    const prod = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig(prod)).toThrow(/SUPABASE_URL is required in production/);
    expect(() => loadConfig({ SUPABASE_URL: 'https://p.supabase.co' })).toThrow(/SUPABASE_SERVICE_ROLE_KEY is required when SUPABASE_URL is set/);
    expect(() => loadConfig({ ...prod, SUPABASE_URL: 'https://p.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k' })).toThrow(/REPLICATE_API_TOKEN is required/);
    expect(() => loadConfig({ ...prod, SUPABASE_URL: 'https://p.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k', REPLICATE_API_TOKEN: 'r8', LLM_API_KEY: 'sk' })).toThrow(
      /STRIPE_SECRET_KEY is required in production/,
    );
  });

  it('billing: the Stripe emulator and default plans offline; real Stripe needs its webhook secret and your prices', () => {
    const c = loadConfig({});
    expect(c.billing.stripe).toMatchObject({ apiUrl: 'http://127.0.0.1:8790', secretKey: 'sk_test_visiona_local_emulator' });
    expect(c.billing.plans.map((p) => [p.id, p.priceId])).toEqual([
      ['free', null],
      ['premium', 'price_visiona_premium_monthly'],
      ['pro', 'price_visiona_pro_monthly'],
    ]);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET is required with Stripe/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(/STRIPE_PRICE_PREMIUM is required with Stripe/);
    const real = loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_PRICE_PREMIUM: 'price_a', STRIPE_PRICE_PRO: 'price_b' });
    expect(real.billing.stripe.apiUrl).toBe('https://api.stripe.com');
    expect(real.billing.plans.map((p) => p.priceId)).toEqual([null, 'price_a', 'price_b']);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_abc' })).toThrow(/STRIPE_SECRET_KEY must be a Stripe secret/);

    const plans = JSON.stringify([
      { id: 'starter', name: 'Starter', priceId: null, monthlyCredits: 0, limits: { maxModels: 1, maxConcurrentGenerations: 1, maxImagesPerGeneration: 1 } },
      { id: 'studio', name: 'Studio', priceId: 'price_studio', monthlyCredits: 500, limits: { maxModels: 5, maxConcurrentGenerations: 3, maxImagesPerGeneration: 4 } },
    ]);
    expect(loadConfig({ BILLING_PLANS: plans }).billing.plans.map((p) => p.id)).toEqual(['starter', 'studio']);
    const bad = (v: unknown) => () => loadConfig({ BILLING_PLANS: JSON.stringify(v) });
    expect(bad({})).toThrow(/BILLING_PLANS must be a JSON array of at least two plans/);
    expect(() => loadConfig({ BILLING_PLANS: '[' })).toThrow(/BILLING_PLANS must be a JSON array of plans/);
    const [free, paid] = JSON.parse(plans) as Record<string, unknown>[];
    expect(bad([{ ...free, priceId: 'price_x' }, paid])).toThrow(/\[0\] is the free plan and must have "priceId": null/);
    expect(bad([free, { ...paid, priceId: 'nope' }])).toThrow(/\[1\]\.priceId must be a Stripe price id/);
    expect(bad([free, { ...paid, limits: { maxModels: 1, maxConcurrentGenerations: 1, maxImagesPerGeneration: 9 } }])).toThrow(/\[1\]\.limits\.maxImagesPerGeneration must be a whole number from 1 to 4/);
    expect(bad([free, { ...paid, id: 'starter' }])).toThrow(/must not repeat a plan id/);
  });

  it('requires a shared session secret in production on a server database', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/visiona' })).toThrow(/SESSION_SECRET/);
  });

  it('the server refuses to start on a bad variable, naming it', async () => {
    const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
    const child = spawn(process.execPath, [server], { env: { ...process.env, PORT: 'eighty' }, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('Invalid configuration: PORT must be a whole number');
  });
});

describe('.env.example', () => {
  it('documents every variable the API reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../src/config.ts', import.meta.url), 'utf8');
    const example = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const read = [...source.matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(10);
    const documented = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });
});
