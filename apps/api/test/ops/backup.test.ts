import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate, type Database } from '../../src/db/index.ts';
import { createPgliteDatabase } from '../../src/db/pglite.ts';
import { createPostgresDatabase } from '../../src/db/postgres.ts';
import { loadOrCreateSecret } from '../../src/lib/secrets.ts';
import { backupName } from '../../src/ops/common.ts';
import { pruneBackups } from '../../src/ops/backup.ts';
import { signUp, uniqueEmail } from '../helpers/index.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;

/** `pnpm backup` / `pnpm restore` as a person runs them: the scripts, in a process of their own. */
function runOps(script: 'backup' | 'restore', args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', `${script}.ts`), ...args], {
      cwd: ROOT,
      // Only what the test sets: never the suite's DATABASE_URL, nor a developer's .env values.
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: '', BACKUP_DIR: '', PG_BIN_DIR: '', ENCRYPTION_KEYS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: string[] = [];
async function tempDir(prefix: string) {
  const d = await mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function appOn(db: Database, sessionKey: Buffer) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent' });
  const app = await buildApp(config, { db, sessionKey });
  await app.ready();
  return app;
}

/** What a person's account looks like from the database and through the API with their old token. */
async function accountState(db: Database, sessionKey: Buffer, token: string) {
  const app = await appOn(db, sessionKey);
  try {
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    const { rows: users } = await db.query<{ email: string }>('select email from users order by email');
    const { rows: ledger } = await db.query<{ email: string; delta: number; reason: string }>(
      'select u.email, l.delta, l.reason from credit_ledger l join users u on u.auth_subject = l.owner_subject order by u.email, l.reason',
    );
    return { meStatus: me.statusCode, meEmail: me.statusCode === 200 ? me.json<{ email: string }>().email : null, users: users.map((u) => u.email), ledger };
  } finally {
    await app.close();
  }
}

describe('pruning old backups', () => {
  it('removes only this tool’s backups older than the retention, by the time in their names', async () => {
    const dir = await tempDir('visiona-prune-');
    const now = new Date('2026-11-25T12:00:00Z');
    const old = [backupName('postgres', new Date(now.getTime() - 31 * DAY)), backupName('embedded', new Date(now.getTime() - 400 * DAY)), backupName('postgres', new Date(now.getTime() - 31 * DAY), 2)];
    const kept = [backupName('postgres', new Date(now.getTime() - 29 * DAY)), backupName('embedded', now)];
    const foreign = [
      'notes.txt',
      `${backupName('postgres', new Date(now.getTime() - 90 * DAY))}.partial`,
      `my-${backupName('postgres', new Date(now.getTime() - 90 * DAY))}`,
      'visiona-postgres-2020-01-01.dump',
      'visiona-postgres-20200101T000000Z.tar',
    ];
    for (const name of [...old, ...kept, ...foreign]) await writeFile(path.join(dir, name), 'x');
    expect((await pruneBackups(dir, 30, now)).sort()).toEqual([...old].sort());
    expect((await readdir(dir)).sort()).toEqual([...kept, ...foreign].sort());
  });
});

describe('backup and restore of the embedded database (PGlite)', () => {
  it('backs up with the keys, refuses while the database is open, restores after a wipe and finds the data', async () => {
    const tmp = await tempDir('visiona-backup-embedded-');
    const dataDir = path.join(tmp, 'data');
    const pgdata = path.join(dataDir, 'pgdata');
    const backups = path.join(dataDir, 'backups');
    const env = { DATA_DIR: dataDir, BACKUP_RETENTION_DAYS: '30' };

    // The embedded default as `pnpm start` leaves it: a database and the keys it generated.
    let template: string | null = null;
    try {
      template = inject('pgliteTemplate');
    } catch {
      // outside the api project's global setup
    }
    let db = await createPgliteDatabase(pgdata, template ? { loadDataDir: new Blob([await readFile(template)]) } : {});
    await migrate(db);
    const sessionKey = await loadOrCreateSecret(null, dataDir, 'session');
    await loadOrCreateSecret(null, dataDir, 'encryption');
    const keyFiles = { session: await readFile(path.join(dataDir, 'secrets/session.key')), encryption: await readFile(path.join(dataDir, 'secrets/encryption.key')) };
    const email = uniqueEmail('embedded');
    let app = await appOn(db, sessionKey);
    const { token } = await signUp(app, email);
    await app.close();
    const before = await accountState(db, sessionKey, token);
    expect(before).toMatchObject({ meStatus: 200, meEmail: email, users: [email] });
    expect(before.ledger).toEqual([{ email, delta: 150, reason: 'signup' }]);

    // PGlite is single-process: while Visiona has it open, a backup is refused, not taken.
    const running = await runOps('backup', [], env);
    expect(running.code).toBe(75);
    expect(running.stderr).toContain(`in use by process ${process.pid}`);
    expect(running.stderr).toMatch(/stop Visiona/i);
    await db.close();

    // Old dumps of this tool go, others' files stay.
    await mkdir(backups, { recursive: true });
    const oldDump = backupName('embedded', new Date(Date.now() - 40 * DAY));
    const recentDump = backupName('postgres', new Date(Date.now() - 10 * DAY));
    for (const name of [oldDump, recentDump, 'README.txt']) await writeFile(path.join(backups, name), 'x');

    const backup = await runOps('backup', [], env);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Removed 1 backup(s) older than 30 days: ${oldDump}`);
    expect(backup.stdout).toMatch(/holds the keys/);
    const made = (await readdir(backups)).filter((n) => /^visiona-embedded-\d{8}T\d{6}Z\.tar$/.test(n));
    expect(made).toHaveLength(1);
    expect((await readdir(backups)).sort()).toEqual([made[0]!, recentDump, 'README.txt'].sort());
    const archive = path.join(backups, made[0]!);
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    // A plain tar, which any tar can list.
    const listing = spawnSync('tar', ['-tf', archive], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    expect(listing.stdout.trim().split('\n').sort()).toEqual(['manifest.json', 'pgdata.tar.gz', 'secrets/encryption.key', 'secrets/session.key']);

    // Wipe: the database and the keys are gone.
    await rm(pgdata, { recursive: true });
    await rm(path.join(dataDir, 'secrets'), { recursive: true });

    // Without --yes (and no terminal to ask), nothing changes.
    const unconfirmed = await runOps('restore', [], env);
    expect(unconfirmed.code).toBe(64);
    expect(unconfirmed.stderr).toMatch(/Nothing was changed: run again with --yes/);
    expect(existsSync(pgdata)).toBe(false);

    const restore = await runOps('restore', ['--yes'], env);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(archive);
    expect(await readFile(path.join(dataDir, 'secrets/session.key'))).toEqual(keyFiles.session);
    expect(await readFile(path.join(dataDir, 'secrets/encryption.key'))).toEqual(keyFiles.encryption);
    expect((await stat(path.join(dataDir, 'secrets/encryption.key'))).mode & 0o777).toBe(0o600);

    // The account, its credits and its session (signed with the restored key) are back.
    db = await createPgliteDatabase(pgdata);
    const restoredKey = await loadOrCreateSecret(null, dataDir, 'session');
    expect(await accountState(db, restoredKey, token)).toEqual(before);

    // Restoring over live data: what was there is kept aside, the backup's state comes back.
    app = await appOn(db, restoredKey);
    await signUp(app, uniqueEmail('after-backup'));
    await app.close();
    await db.close();
    const over = await runOps('restore', [archive, '--yes'], env);
    expect(over.code).toBe(0);
    const aside = (await readdir(dataDir)).filter((n) => n.startsWith('pgdata.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(over.stdout).toContain(path.join(dataDir, aside[0]!));
    db = await createPgliteDatabase(pgdata);
    try {
      expect(await accountState(db, restoredKey, token)).toEqual(before);
    } finally {
      await db.close();
    }
  }, 240_000);

  it('says what is wrong when there is nothing to back up or restore, or the file is not a backup', async () => {
    const dataDir = path.join(await tempDir('visiona-backup-empty-'), 'data');
    const nothing = await runOps('backup', [], { DATA_DIR: dataDir });
    expect(nothing.code).toBe(66);
    expect(nothing.stderr).toContain(`There is no embedded database in ${path.join(dataDir, 'pgdata')}`);
    expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(false);

    const none = await runOps('restore', ['--yes'], { DATA_DIR: dataDir });
    expect(none.code).toBe(66);
    expect(none.stderr).toMatch(/No embedded backup in .*backups/);

    const bogus = path.join(dataDir, 'bogus.tar');
    await mkdir(dataDir, { recursive: true });
    await writeFile(bogus, 'hello');
    const notBackup = await runOps('restore', [bogus, '--yes'], { DATA_DIR: dataDir });
    expect(notBackup.code).toBe(66);
    expect(notBackup.stderr).toContain('is not a Visiona backup');

    const usage = await runOps('backup', ['--everything'], { DATA_DIR: dataDir });
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('unexpected argument --everything');
  }, 60_000);
});

describe('backup errors with a Postgres server', () => {
  it('names the missing tool and the unreachable server', async () => {
    const dataDir = path.join(await tempDir('visiona-backup-errors-'), 'data');
    const noTool = await runOps('backup', [], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/visiona', PG_BIN_DIR: path.join(dataDir, 'no-bin') });
    expect(noTool.code).toBe(69);
    expect(noTool.stderr).toMatch(/pg_dump was not found in PG_BIN_DIR/);

    const unreachable = await runOps('backup', [], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/visiona' });
    expect(unreachable.code).toBe(69);
    expect(unreachable.stderr).toMatch(/Cannot reach the database at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/visiona/);
    expect(unreachable.stderr).not.toContain('s3cret');

    const malformed = await runOps('backup', [], { DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' });
    expect(malformed.code).toBe(78);
    expect(malformed.stderr).toContain('DATABASE_URL must use postgres: or postgresql:');
    // No half-written file is left behind by any of them.
    expect(existsSync(path.join(dataDir, 'backups')) ? await readdir(path.join(dataDir, 'backups')) : []).toEqual([]);
  }, 60_000);
});

const serverUrl = process.env.DATABASE_URL;

describe.skipIf(!serverUrl)('backup and restore with a Postgres server (pg_dump)', () => {
  it('backs up, restores over changed data, restores into a wiped database, and finds the data', async () => {
    // A database of this test's own on the server: other tests' data is never touched.
    const name = `visiona_backup_${randomBytes(5).toString('hex')}`;
    const admin = async (sql: string) => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`create database ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    const backups = await tempDir('visiona-backup-server-');
    const env = { DATABASE_URL: databaseUrl, BACKUP_DIR: backups, DATA_DIR: path.join(backups, 'no-data-dir') };
    try {
      const sessionKey = randomBytes(32);
      let db = createPostgresDatabase(databaseUrl, 2);
      await migrate(db);
      const email = uniqueEmail('server');
      let app = await appOn(db, sessionKey);
      const { token } = await signUp(app, email);
      await app.close();
      const before = await accountState(db, sessionKey, token);
      expect(before).toMatchObject({ meStatus: 200, meEmail: email, users: [email] });
      expect(before.ledger).toEqual([{ email, delta: 150, reason: 'signup' }]);

      // pg_dump runs while the API is connected.
      await db.query('select 1');
      const backup = await runOps('backup', [], env);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      const dumps = (await readdir(backups)).filter((n) => /^visiona-postgres-\d{8}T\d{6}Z\.dump$/.test(n));
      expect(dumps).toHaveLength(1);
      const dump = path.join(backups, dumps[0]!);
      expect((await stat(dump)).mode & 0o777).toBe(0o600);
      const head = Buffer.alloc(5);
      const handle = await open(dump, 'r');
      await handle.read(head, 0, 5, 0);
      await handle.close();
      expect(head.toString('latin1')).toBe('PGDMP');

      // Changes after the backup.
      app = await appOn(db, sessionKey);
      await signUp(app, uniqueEmail('later'));
      await app.close();
      expect((await db.query('select count(*)::int as n from users')).rows[0]).toEqual({ n: 2 });

      // A restore while the API is connected would pull the tables from under it: refused.
      const busy = await runOps('restore', ['--yes'], env);
      expect(busy.code).toBe(75);
      expect(busy.stderr).toMatch(/The Visiona API has \d+ connection\(s\) open .* Stop every API replica first/);
      await db.close();

      const over = await runOps('restore', ['--yes'], env);
      expect(over.stderr).toBe('');
      expect(over.code).toBe(0);
      db = createPostgresDatabase(databaseUrl, 2);
      expect(await accountState(db, sessionKey, token)).toEqual(before);
      await db.close();

      // Wipe: the database is dropped and created again, empty. Restore the latest dump.
      await admin(`drop database ${name} with (force)`);
      await admin(`create database ${name}`);
      const wiped = await runOps('restore', ['--yes'], env);
      expect(wiped.stderr).toBe('');
      expect(wiped.code).toBe(0);
      db = createPostgresDatabase(databaseUrl, 2);
      try {
        // RLS works again (auth.jwt() is recreated), and the migrations are all recorded.
        expect(await accountState(db, sessionKey, token)).toEqual(before);
        expect(await migrate(db)).toEqual([]);
      } finally {
        await db.close();
      }

      // A dump that is not one is refused before anything is touched.
      const bogus = path.join(backups, 'bogus.dump');
      await writeFile(bogus, 'PGDMP but not really');
      const broken = await runOps('restore', [bogus, '--yes'], env);
      expect(broken.code).toBe(66);
      expect(broken.stderr).toContain('is not a Visiona backup');
      const truncated = path.join(backups, 'truncated.dump');
      await writeFile(truncated, (await readFile(dump)).subarray(0, 200));
      const cut = await runOps('restore', [truncated, '--yes'], env);
      expect(cut.code).toBe(66);
      expect(cut.stderr).toContain('cannot be read as a pg_dump archive');
    } finally {
      await admin(`drop database if exists ${name} with (force)`);
    }
  }, 240_000);

  it('refuses client tools older than the server, saying what to install', async () => {
    // An injected failure: a pg_dump that answers like an old version.
    const bin = await tempDir('visiona-old-pg-');
    await writeFile(path.join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
    const r = await runOps('backup', [], { DATABASE_URL: serverUrl!, BACKUP_DIR: path.join(bin, 'backups'), PG_BIN_DIR: bin });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/pg_dump 9 \(.*\) is older than the PostgreSQL \d+ server; it cannot dump or restore it\. Install the PostgreSQL client tools/);
    expect(await readdir(path.join(bin, 'backups'))).toEqual([]);
  }, 60_000);

  it('names a database that does not exist', async () => {
    const url = new URL(serverUrl!);
    url.pathname = `/visiona_missing_${randomBytes(4).toString('hex')}`;
    const r = await runOps('backup', [], { DATABASE_URL: url.toString(), BACKUP_DIR: await tempDir('visiona-backup-missing-') });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/database "visiona_missing_[0-9a-f]+" does not exist\. Check the database name at the end of DATABASE_URL/);
  }, 60_000);
});
