/**
 * The whole test suite: unit, integration (real Postgres: a server through
 * DATABASE_URL, else embedded PGlite) and browser tests (Debian's Chromium).
 * Arguments are passed to Vitest, e.g. `pnpm test apps/api`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Browser tests need Debian's Chromium. As root with apt, install it once; else explain.
if (!existsSync(chromium)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    process.stderr.write(
      `The browser tests need Chromium at ${chromium}. Install it (Debian: sudo apt-get install -y chromium) or set CHROMIUM_PATH.\n`,
    );
    process.exit(1);
  }
  process.stdout.write('Installing Debian chromium for the browser tests…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

const require = createRequire(path.join(ROOT, 'package.json'));
const bin = (pkg: string, file: string, from = ROOT) =>
  path.join(path.dirname(createRequire(path.join(from, 'package.json')).resolve(`${pkg}/package.json`)), file);

function step(title: string, args: string[]) {
  process.stdout.write(`\n▶ ${title}\n`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`✖ ${title} failed\n`);
    process.exit(r.status ?? 1);
  }
}

// With Vitest arguments (e.g. `pnpm test apps/api`) only those tests run; without, everything.
const filtered = process.argv.length > 2;
if (!filtered) {
  const tsc = bin('typescript', 'bin/tsc');
  for (const project of ['packages/shared', 'apps/api', 'apps/web', 'apps/emulators', 'bench']) step(`typecheck ${project}`, [tsc, '-p', project]);
  step('lint', [bin('eslint', 'bin/eslint.js'), '.']);
  step('openapi.yaml drift and lint', ['apps/api/scripts/openapi.ts', 'check']);
}

process.stdout.write(
  `\nDatabase: ${process.env.DATABASE_URL ? 'Postgres server from DATABASE_URL' : 'embedded PGlite'}\n`,
);
const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
