/**
 * The real Visiona API (buildApp) inside a bench server process (bench/servers/*.ts):
 * the database the parent migrated, what src/server.ts would configure in
 * production bar the settings each benchmark notes, and the session key.
 *
 * Env: BENCH_DATABASE_URL (a migrated database) or BENCH_PGLITE_DIR (a migrated
 * PGlite folder, which only one process may open), BENCH_SESSION_SECRET.
 */
import { buildApp, loadConfig, type Config, type Deps, type VisionaApp } from '../../apps/api/src/app.ts';
import type { Database } from '../../apps/api/src/db/index.ts';
import { createPgliteDatabase } from '../../apps/api/src/db/pglite.ts';
import { createPostgresDatabase } from '../../apps/api/src/db/postgres.ts';
import { loadOrCreateSecret } from '../../apps/api/src/lib/secrets.ts';
import { required } from './common.ts';

/** The database the parent migrated: BENCH_DATABASE_URL, else PGlite in BENCH_PGLITE_DIR. */
export interface BenchDatabase {
  db: Database;
  databaseUrl: string | null;
  pgliteDir: string | null;
  /** The Postgres pool's size; null: the API's default for its configuration (PGlite has one connection). */
  poolMax: number | null;
}

export async function openBenchDatabase(poolMax: number | null): Promise<BenchDatabase> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || null;
  const pgliteDir = databaseUrl ? null : required('BENCH_PGLITE_DIR');
  const db = databaseUrl ? createPostgresDatabase(databaseUrl, poolMax ?? 10) : await createPgliteDatabase(pgliteDir!);
  return { db, databaseUrl, pgliteDir, poolMax };
}

/**
 * The API's configuration as src/server.ts loads it in production, on this
 * database, with `settings` (the benchmark's own, each with its reason) on top.
 */
export function benchApiConfig(database: BenchDatabase, settings: Record<string, string>): Config {
  return loadConfig({
    NODE_ENV: 'production',
    // Per-request info logs would measure the stdout pipe, not the API; warnings and errors still show.
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.databaseUrl ?? undefined,
    DATABASE_POOL_MAX: database.poolMax === null ? undefined : String(database.poolMax),
    DATA_DIR: database.pgliteDir ?? '/nonexistent',
    SESSION_SECRET: required('BENCH_SESSION_SECRET'),
    // Required in production; no benchmark calls Replicate or the LLM.
    REPLICATE_API_TOKEN: 'r8_bench_unused',
    LLM_API_KEY: 'sk-bench-unused',
    REPLICATE_BASE_URL: 'http://127.0.0.1:9/v1',
    REPLICATE_WEBHOOK_SECRET: 'whsec_YmVuY2hiZW5jaGJlbmNoYmVuY2g=',
    ...settings,
  });
}

/** buildApp with the session key src/server.ts would load; the job queue is not started. */
export async function buildBenchApi(config: Config, deps: Omit<Deps, 'sessionKey'>): Promise<VisionaApp> {
  const sessionKey = await loadOrCreateSecret(config.sessionSecret, config.dataDir, 'session');
  return buildApp(config, { ...deps, sessionKey });
}
