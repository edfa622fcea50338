/**
 * Starts the embedded default: the API (embedded Postgres in .data/) and the
 * SPA, with no configuration and no network.
 *   pnpm start   built SPA served by `vite preview` (rebuilt when sources changed)
 *   pnpm dev     Vite dev server with hot reload, API restarted on change
 * Ports: PORT (API, default 3000) and WEB_PORT (SPA, default 5173); these, DATA_DIR and the
 * services' variables are read from the environment, then from .env.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, dataDir as resolveDataDir, fileEnv as readFileEnv } from './ops-env.ts';

const WEB = path.join(ROOT, 'apps/web');
const VITE = path.join(WEB, 'node_modules/vite/bin/vite.js');
const dev = process.argv.includes('--dev') || process.env.npm_lifecycle_event === 'dev';

const fileEnv = readFileEnv();
const setting = (name: string): string | undefined => process.env[name] || fileEnv[name] || undefined;
const configured = (name: string) => Boolean(setting(name));
const dataDir = resolveDataDir({ ...fileEnv, ...process.env });

const apiPort = Number(setting('PORT') ?? 3000);
const webPort = Number(setting('WEB_PORT') ?? 5173);
const apiUrl = `http://127.0.0.1:${apiPort}`;
const webUrl = `http://localhost:${webPort}`;

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, args: string[], env: Record<string, string>, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`\n${name} stopped (${signal ?? `exit code ${code}`}); stopping Visiona.\n`);
    stop(code === 0 ? 1 : (code ?? 1));
  });
  children.push(child);
  return child;
}

function stop(code: number) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  const done = () => children.every((c) => c.exitCode !== null || c.signalCode !== null);
  const timer = setInterval(() => {
    if (done()) {
      clearInterval(timer);
      process.exit(code);
    }
  }, 50);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function waitFor(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stopping) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const started = Date.now();

// Offline stand-ins for the hosted services, unless .env or the environment points at the real ones.
// Their addresses and keys are the API's defaults, so the API needs no configuration.
const emulators: string[] = [];
if (!configured('SUPABASE_URL')) {
  run('Storage emulator', ['apps/emulators/src/storage/cli.ts'], {
    STORAGE_EMULATOR_PORT: '54329',
    STORAGE_EMULATOR_DATA_DIR: path.join(dataDir, 'storage'),
    STORAGE_EMULATOR_SERVICE_KEY: 'visiona-local-service-key',
    LOG_LEVEL: 'warn',
  });
  emulators.push('Storage');
}
if (!configured('REPLICATE_API_TOKEN')) {
  run('Replicate emulator', ['apps/emulators/src/replicate/cli.ts'], {
    REPLICATE_API_TOKEN: 'r8_visiona_local_emulator',
    REPLICATE_EMULATOR_PORT: '8788',
    LOG_LEVEL: 'warn',
  });
  emulators.push('Replicate');
}

if (!configured('STRIPE_SECRET_KEY')) {
  run('Stripe emulator', ['apps/emulators/src/stripe/cli.ts'], {
    STRIPE_SECRET_KEY: 'sk_test_visiona_local_emulator',
    STRIPE_EMULATOR_PORT: '8790',
    STRIPE_EMULATOR_DATA_FILE: path.join(dataDir, 'stripe-emulator.json'),
    STRIPE_WEBHOOK_URL: `${apiUrl}/api/v1/webhooks/stripe`,
    STRIPE_WEBHOOK_SECRET: 'whsec_visiona_local_emulator',
    LOG_LEVEL: 'warn',
  });
  emulators.push('Stripe');
}

if (!configured('LLM_BASE_URL') && !configured('LLM_API_KEY')) {
  run('LLM emulator', ['apps/emulators/src/llm/cli.ts'], {
    LLM_API_KEY: 'sk-visiona-local-emulator',
    LLM_EMULATOR_PORT: '8789',
    LOG_LEVEL: 'warn',
  });
  emulators.push('LLM');
}

const apiArgs = [...(existsSync(path.join(ROOT, '.env')) ? ['--env-file=.env'] : []), ...(dev ? ['--watch-path=apps/api/src', '--watch-path=packages/shared/src'] : []), 'apps/api/src/server.ts'];
run('API', apiArgs, {
  // sharp/libvips allocate from many glibc arenas; two keep the upload's memory flat (bench/README.md).
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  PORT: String(apiPort),
  DATA_DIR: dataDir,
  WEB_ORIGIN: setting('WEB_ORIGIN') ?? `${webUrl},http://127.0.0.1:${webPort}`,
});

const webEnv = { VISIONA_API_URL: apiUrl, WEB_PORT: String(webPort) };
if (dev) {
  run('SPA', [VITE, '--port', String(webPort), '--strictPort'], webEnv, WEB);
} else {
  const dist = path.join(WEB, 'dist/index.html');
  const sources = Math.max(newestMtime(WEB), newestMtime(path.join(ROOT, 'packages/shared')));
  if (!existsSync(dist) || statSync(dist).mtimeMs < sources) {
    process.stdout.write('Building the web app…\n');
    const build = spawn(process.execPath, [VITE, 'build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'inherit', env: { ...process.env, ...webEnv } });
    const code = await new Promise<number | null>((resolve) => build.on('exit', resolve));
    if (code !== 0) {
      process.stderr.write('The web app failed to build.\n');
      stop(1);
    }
  }
  if (!stopping) run('SPA', [VITE, 'preview', '--port', String(webPort), '--strictPort'], webEnv, WEB);
}

const [apiUp, webUp] = await Promise.all([waitFor(`${apiUrl}/readyz`, 60_000), waitFor(`http://127.0.0.1:${webPort}/`, 60_000)]);
if (apiUp && webUp) {
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\n  Visiona is running (ready in ${secs} s)\n\n` +
      `  ➜ Open        ${webUrl}\n` +
      `  ➜ API         ${apiUrl}   (docs: ${apiUrl}/api/docs)\n` +
      `  ➜ Data        ${dataDir}   (embedded Postgres and stored files; delete it to start over)\n` +
      (emulators.length > 0 ? `  ➜ Emulators   ${emulators.join(', ')} (offline stand-ins; set their variables in .env to use the real services)\n` : '') +
      '\n' +
      `  Press Ctrl+C to stop.\n\n`,
  );
} else if (!stopping) {
  process.stderr.write(`Visiona did not become ready: ${apiUp ? '' : 'API '}${webUp ? '' : 'SPA'}\n`);
  stop(1);
}
