import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../src/db/pglite.ts';
import { DataDirInUse, lockDataDir, lockFileOf } from '../../src/db/pglite-lock.ts';

const dirs: string[] = [];
async function dataDir() {
  const d = await mkdtemp(path.join(os.tmpdir(), 'visiona-lock-'));
  dirs.push(d);
  return path.join(d, 'pgdata');
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the embedded data folder lock', () => {
  it('is held until released, and a second open in the same process is refused', async () => {
    const dir = await dataDir();
    const release = lockDataDir(dir, 'test');
    expect(JSON.parse(await readFile(lockFileOf(dir), 'utf8'))).toMatchObject({ pid: process.pid, command: 'test' });
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    // The API's opener takes the same lock, before PGlite touches the folder.
    await expect(createPgliteDatabase(dir)).rejects.toThrow(/is in use by process/);
    expect(existsSync(dir)).toBe(true);
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(false);
    release();
    expect(existsSync(lockFileOf(dir))).toBe(false);
    lockDataDir(dir)();
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const dir = await dataDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockFileOf(dir), JSON.stringify({ pid: other.pid, host: os.hostname(), since: '2026-11-25T10:00:00.000Z', command: 'server.ts' }));
      expect(() => lockDataDir(dir)).toThrow(`in use by process ${other.pid} (server.ts), since 2026-11-25T10:00:00.000Z`);
      expect(JSON.parse(await readFile(lockFileOf(dir), 'utf8')).pid).toBe(other.pid);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that is gone (a crash, kill -9) or a garbled one', async () => {
    const dir = await dataDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(lockFileOf(dir), JSON.stringify({ pid: Number(gone.stdout), since: 'yesterday' }));
    const release = lockDataDir(dir);
    expect(JSON.parse(await readFile(lockFileOf(dir), 'utf8')).pid).toBe(process.pid);
    release();
    await writeFile(lockFileOf(dir), '{"pid":');
    lockDataDir(dir)();
  });
});
