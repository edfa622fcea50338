/**
 * The environment of `pnpm backup` and `pnpm restore`: the one `pnpm start` gives the
 * API, so that they find the same database. .env is read for DATABASE_URL and the
 * backup variables; DATA_DIR comes from the environment only, with the default
 * <repo>/.data, because that is the folder scripts/start.ts hands the API.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function opsEnv(): NodeJS.ProcessEnv {
  const envFile = path.join(ROOT, '.env');
  const fileEnv = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fileEnv, ...process.env, DATA_DIR: process.env.DATA_DIR ?? path.join(ROOT, '.data') };
}
