import { randomBytes } from 'node:crypto';
import { buildApp, type Deps, type VisionaApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestApp {
  app: VisionaApp;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

/** The real app on a real, migrated database, for `app.inject` tests. */
export async function createTestApp(
  opts: { env?: Record<string, string>; clock?: Clock; beforeReady?: (app: VisionaApp) => void; deps?: (config: Config) => Partial<Deps> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DATA_DIR: '/nonexistent', ...opts.env });
  const app = await buildApp(config, {
    db: database.db,
    sessionKey: randomBytes(32),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...opts.deps?.(config),
  });
  opts.beforeReady?.(app);
  await app.ready();
  return {
    app,
    config,
    database,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${counter}.${randomBytes(4).toString('hex')}@example.com`;
}

/** Signs up a fresh local account and returns its bearer token and profile. */
export async function signUp(app: VisionaApp, email = uniqueEmail()) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password: 'correct horse battery' },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { token: string; user: { id: string; email: string } };
  return { token: body.token, user: body.user, auth: { authorization: `Bearer ${body.token}` } };
}
