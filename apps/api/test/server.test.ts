import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorageEmulator } from '@visiona/emulators/storage';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitReady(base: string, timeoutMs = 45_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

const dirs: string[] = [];
let serverDb: TestDatabase | undefined;
let storage: Awaited<ReturnType<typeof createStorageEmulator>> | undefined;
afterAll(async () => {
  await storage?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await serverDb?.close();
});

async function start(dataDir: string) {
  const port = await freePort();
  // On a Postgres server, a throwaway database of its own (the server process migrates it).
  if (process.env.DATABASE_URL && !serverDb) serverDb = await createTestDatabase({ migrate: false });
  // The server makes sure its private bucket exists before it listens.
  if (!storage) {
    const storageDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-server-storage-'));
    dirs.push(storageDir);
    storage = await createStorageEmulator({ dataDir: storageDir, serviceKey: 'server-test-key' });
    await storage.listen({ host: '127.0.0.1', port: 0 });
  }
  const storageUrl = `http://127.0.0.1:${(storage.server.address() as net.AddressInfo).port}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    SUPABASE_URL: storageUrl,
    SUPABASE_SERVICE_ROLE_KEY: 'server-test-key',
  };
  if (serverDb?.url) env.DATABASE_URL = serverDb.url;
  const child = spawn(process.execPath, [SERVER], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { child, base };
}

function exited(child: ChildProcess) {
  return new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the server process', () => {
  it('keeps embedded data across restarts and shuts down cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'visiona-server-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const email = `restart.${Date.now()}@example.com`;
    const signup = await fetch(`${first.base}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery' }),
    });
    expect(signup.status).toBe(201);
    const { token } = (await signup.json()) as { token: string };

    const done = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await done).toBe(0);

    // Same data folder: the account, the session and its signing key survive.
    const second = await start(dataDir);
    try {
      const me = await fetch(`${second.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { email: string }).email).toBe(email);
    } finally {
      const end = exited(second.child);
      second.child.kill('SIGTERM');
      expect(await end).toBe(0);
    }
  }, 120_000);
});
