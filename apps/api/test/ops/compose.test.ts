import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * docker-compose.yml cannot be run here (no Docker engine): this checks the promises
 * of its design on the file itself, so that an edit cannot quietly drop one.
 */
const root = new URL('../../../../', import.meta.url);
const read = (file: string) => readFile(new URL(file, root), 'utf8');

interface Service {
  build?: { context: string; dockerfile: string; target?: string };
  image?: string;
  profiles?: string[];
  deploy?: { replicas?: number };
  ports?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  environment?: Record<string, string>;
  command?: string[];
}

async function compose() {
  const text = await read('docker-compose.yml');
  return { text, services: (parse(text) as { services: Record<string, Service> }).services };
}

/** One-shot jobs: they run to completion and others wait for that. */
function isJob(services: Record<string, Service>, name: string): boolean {
  return services[name]!.restart === 'no' && Object.values(services).some((s) => s.depends_on?.[name]?.condition === 'service_completed_successfully');
}

describe('docker-compose.yml', () => {
  it('has a health check on every long-running service, and jobs that others wait for', async () => {
    const { services } = await compose();
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'migrate', 'api', 'web', 'storage-emulator', 'replicate-emulator', 'llm-emulator', 'stripe-emulator']));
    for (const [name, service] of Object.entries(services)) {
      if (isJob(services, name)) continue;
      expect(service.restart, name).toBe('unless-stopped');
      const test = service.healthcheck?.test;
      expect(Array.isArray(test) && test.length > 1 && test[0] !== 'NONE', `${name} has a health check`).toBe(true);
    }
  });

  it('runs the API in several replicas behind the web server, after a migration step that runs once', async () => {
    const { services } = await compose();
    const api = services.api!;
    expect(api.deploy?.replicas).toBeGreaterThan(1);
    // Replicas share nothing but the database: no host port, reached only through `web`.
    expect(api.ports).toBeUndefined();
    expect(api.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(api.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(isJob(services, 'migrate')).toBe(true);
    expect(services.migrate!.command).toEqual(['node', 'apps/api/src/migrate.ts']);
    expect(services.migrate!.build).toEqual(api.build);
    expect(services.migrate!.environment?.DATABASE_URL).toBe(api.environment?.DATABASE_URL);
    expect(services.web!.depends_on?.api?.condition).toBe('service_healthy');
    // nginx asks Docker's DNS for `api` (one address per replica) and balances over them.
    const nginx = await read('docker/nginx.conf');
    expect(nginx).toMatch(/resolver 127\.0\.0\.11\b/);
    expect(nginx).toContain('set $api_upstream api:3000;');
    expect(nginx).toContain('proxy_pass http://$api_upstream;');
    // Secrets every replica must share have no default: compose refuses to start without them.
    expect(api.environment?.SESSION_SECRET).toMatch(/^\$\{SESSION_SECRET:\?/);
    expect(api.environment?.ENCRYPTION_KEYS).toMatch(/^\$\{ENCRYPTION_KEYS:\?/);
  });

  it('keeps the emulators in an optional profile, and the production services in none', async () => {
    const { services } = await compose();
    for (const [name, service] of Object.entries(services)) {
      if (name.endsWith('-emulator')) expect(service.profiles, name).toEqual(['emulators']);
      else expect(service.profiles, name).toBeUndefined();
    }
    for (const name of ['storage-emulator', 'replicate-emulator', 'llm-emulator', 'stripe-emulator']) {
      expect(services.api!.depends_on?.[name]).toEqual({ condition: 'service_healthy', required: false });
    }
  });

  it('builds every image in several stages and runs it as a non-root user', async () => {
    const { services } = await compose();
    const dockerfiles = new Set(Object.values(services).flatMap((s) => (s.build ? [s.build.dockerfile] : [])));
    expect([...dockerfiles].sort()).toEqual(['docker/api.Dockerfile', 'docker/emulators.Dockerfile', 'docker/web.Dockerfile']);
    for (const file of dockerfiles) {
      const lines = (await read(file)).split('\n').map((l) => l.trim());
      const froms = lines.map((l, i) => [l, i] as const).filter(([l]) => /^FROM\s/i.test(l));
      expect(froms.length, `${file} stages`).toBeGreaterThanOrEqual(2);
      const lastStage = lines.slice(froms.at(-1)![1]);
      const users = lastStage.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
      expect(users.length, `${file} sets USER in its final stage`).toBeGreaterThan(0);
      expect(['root', '0'], `${file} runs as ${users.at(-1)}`).not.toContain(users.at(-1));
      expect(lastStage.some((l) => /^HEALTHCHECK\s/i.test(l)), `${file} has a HEALTHCHECK`).toBe(true);
    }
  });

  it('documents every variable it reads in .env.example', async () => {
    const { text } = await compose();
    const example = await read('.env.example');
    // ${VAR}, ${VAR:-default}, ${VAR:?message}; $${VAR} is the container's own, not compose's. Comments aside.
    const code = text.replace(/^\s*#.*$/gm, '');
    const used = new Set([...code.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(20);
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect([...used].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });
});
