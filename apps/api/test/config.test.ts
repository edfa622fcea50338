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
