/**
 * The whole test suite: unit, integration (real Postgres: a server through
 * DATABASE_URL, else embedded PGlite) and browser tests (Debian's Chromium).
 * Arguments are passed to Vitest, e.g. `pnpm test apps/api`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
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

/** A check before the tests: its output is kept and shown whole once it ends, so checks run side by side. */
function check(title: string, args: string[]): Promise<{ title: string; ok: boolean; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ title, ok: code === 0, output, ms: Date.now() - started }));
    child.on('error', (err) => resolve({ title, ok: false, output: String(err), ms: Date.now() - started }));
  });
}

/** Runs the checks, at most `width` at a time, and prints each as it ends. False when one failed. */
async function runChecks(checks: [string, string[]][], width: number): Promise<boolean> {
  let ok = true;
  const queue = [...checks];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const r = await check(...next);
      process.stdout.write(`\n${r.ok ? '✔' : '✖'} ${r.title} (${(r.ms / 1000).toFixed(1)} s)\n${r.output}`);
      if (!r.ok) ok = false;
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return ok;
}

// With Vitest arguments (e.g. `pnpm test apps/api`) only those tests run; without, everything.
const filtered = process.argv.length > 2;
if (!filtered) {
  // Type checks and lint keep caches in node_modules/.cache, keyed by file contents: a second
  // run over unchanged files (CI's second database) takes seconds.
  const cache = path.join(ROOT, 'node_modules/.cache/visiona');
  const tsc = bin('typescript', 'bin/tsc');
  const checks: [string, string[]][] = [
    ...['apps/api', 'apps/web', 'packages/shared', 'apps/emulators', 'bench'].map((project): [string, string[]] => [
      `typecheck ${project}`,
      [tsc, '-p', project, '--incremental', '--tsBuildInfoFile', path.join(cache, 'tsc', `${project.replaceAll('/', '-')}.tsbuildinfo`)],
    ]),
    ['lint', [bin('eslint', 'bin/eslint.js'), '--cache', '--cache-strategy', 'content', '--cache-location', path.join(cache, 'eslint/'), '.']],
    ['openapi.yaml drift and lint', ['apps/api/scripts/openapi.ts', 'check']],
  ];
  if (!(await runChecks(checks, Math.max(2, availableParallelism())))) {
    process.stderr.write('✖ the checks above failed\n');
    process.exit(1);
  }
}

process.stdout.write(
  `\nDatabase: ${process.env.DATABASE_URL ? 'Postgres server from DATABASE_URL' : 'embedded PGlite'}\n`,
);
const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
