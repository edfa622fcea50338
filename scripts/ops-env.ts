/**
 * The local environment the scripts share: .env at the repository root, overridden by the
 * process environment (as `node --env-file` does for the API). `pnpm start`, `pnpm backup` and
 * `pnpm restore` read it, so that they all find the same data folder and database.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The variables of .env (none when there is no .env). */
export function fileEnv(): Record<string, string | undefined> {
  const envFile = path.join(ROOT, '.env');
  return existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
}

/**
 * The embedded default's data folder: DATA_DIR from the environment or .env, relative paths
 * taken from the repository root, else <repo>/.data.
 */
export function dataDir(env: Record<string, string | undefined> = { ...fileEnv(), ...process.env }): string {
  return path.resolve(ROOT, env.DATA_DIR || '.data');
}

/** The environment `pnpm backup` and `pnpm restore` run in: the one `pnpm start` gives the API. */
export function opsEnv(): NodeJS.ProcessEnv {
  const env = { ...fileEnv(), ...process.env };
  return { ...env, DATA_DIR: dataDir(env) };
}
