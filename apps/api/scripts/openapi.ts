/**
 * Generates openapi.yaml from the app's routes (booted without listening), or
 * checks that the committed file matches and passes the OpenAPI linter.
 *   node scripts/openapi.ts write | check
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createPgliteDatabase } from '../src/db/pglite.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TARGET = `${ROOT}openapi.yaml`;
const HEADER = '# Generated from the API routes by `pnpm openapi`. Do not edit by hand.\n';

export async function renderOpenApi(): Promise<string> {
  // The spec depends only on the routes, never on the environment.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const db = await createPgliteDatabase(null);
  const app = await buildApp(config, { db, sessionKey: Buffer.alloc(32) });
  await app.ready();
  const spec = app.swagger();
  await app.close();
  await db.close();
  return HEADER + stringify(spec, { lineWidth: 0, aliasDuplicateObjects: false });
}

const mode = process.argv[2];
const rendered = await renderOpenApi();
if (mode === 'write') {
  await writeFile(TARGET, rendered);
  process.stdout.write(`wrote ${TARGET}\n`);
} else if (mode === 'check') {
  const committed = await readFile(TARGET, 'utf8').catch(() => '');
  if (committed !== rendered) {
    process.stderr.write('openapi.yaml is out of date with the routes. Run `pnpm openapi` and commit the result.\n');
    process.exit(1);
  }
  const require = createRequire(import.meta.url);
  const redocly = path.join(path.dirname(require.resolve('@redocly/cli/package.json')), 'bin/cli.js');
  const lint = spawnSync(process.execPath, [redocly, 'lint', TARGET, '--config', `${ROOT}redocly.yaml`], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  if (lint.status !== 0) process.exit(lint.status ?? 1);
  process.stdout.write('openapi.yaml is up to date and passes the linter.\n');
} else {
  process.stderr.write('usage: node scripts/openapi.ts write|check\n');
  process.exit(2);
}
