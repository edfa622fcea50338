import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, loadBackupConfig, type BackupConfig } from '../config.ts';
import { DataDirInUse, lockDataDir } from '../db/pglite-lock.ts';
import {
  backupName,
  consoleOutput,
  embeddedPaths,
  EXIT,
  formatBytes,
  listBackups,
  OpsError,
  readdirOrNone,
  redactUrl,
  type BackupFile,
  type BackupKind,
  type Output,
} from './common.ts';
import { findTool, requireToolVersion, runTool, serverMajor, toolConnection, withServer } from './postgres-tools.ts';
import { tarParts, type TarEntry } from './tar.ts';

/** The manifest inside an embedded backup (manifest.json). */
export interface EmbeddedManifest {
  format: 'visiona-embedded-backup';
  version: 1;
  createdAt: string;
  /** Migrations applied in the dumped database. */
  migrations: string[];
  /** Key files of DATA_DIR/secrets/ in the archive, relative to DATA_DIR. */
  secrets: string[];
}

export const EMBEDDED_DUMP_ENTRY = 'pgdata.tar.gz';

export interface BackupResult extends BackupFile {
  bytes: number;
  pruned: string[];
  notes: string[];
}

/** A name in `dir` no other backup has, for this kind and second. */
async function freshName(dir: string, kind: BackupKind, at: Date): Promise<string> {
  for (let n = 0; ; n++) {
    const name = backupName(kind, at, n);
    if (!existsSync(path.join(dir, name)) && !existsSync(path.join(dir, `${name}.partial`))) return name;
  }
}

/**
 * The custom format (-Fc): compressed, and pg_restore can list it, restore it into an
 * emptied schema in one transaction, or pick single tables out of it. Plain SQL could
 * do only the first half, through psql. Only the `public` schema: that is all Visiona
 * owns (on Supabase, auth, storage and the rest are Supabase's, backed up by Supabase).
 */
async function dumpPostgres(config: BackupConfig, env: NodeJS.ProcessEnv, target: string): Promise<string[]> {
  const databaseUrl = config.databaseUrl!;
  const pgDump = findTool('pg_dump', config.pgBinDir, env.PATH ?? '');
  await withServer(databaseUrl, async (client) => requireToolVersion('pg_dump', pgDump, await serverMajor(client)));
  const conn = toolConnection(databaseUrl, env);
  // Created first, private: pg_dump writes into it and keeps its mode.
  await (await open(target, 'wx', 0o600)).close();
  const result = await runTool(
    pgDump,
    ['--format=custom', '--schema=public', '--lock-wait-timeout=60000', `--file=${target}`, `--dbname=${conn.dbname}`],
    conn.env,
  );
  if (result.code !== 0) {
    throw new OpsError(EXIT.failed, `pg_dump failed (exit code ${result.code}) on ${redactUrl(databaseUrl)}:\n${result.stderr.trim()}`);
  }
  // Never keep a "backup" that is not one (a pg_dump that exited 0 without writing its archive).
  const head = Buffer.alloc(5);
  const written = await open(target, 'r');
  try {
    await written.read(head, 0, 5, 0);
  } finally {
    await written.close();
  }
  if (head.toString('latin1') !== 'PGDMP') throw new OpsError(EXIT.failed, `${pgDump} exited without writing a custom-format archive; no backup was kept.`);
  const notes: string[] = [];
  if (!config.encryptionKeysConfigured) {
    const keyFile = path.join(embeddedPaths(config.dataDir).secrets, 'encryption.key');
    if (existsSync(keyFile)) {
      notes.push(`The encrypted columns of this dump were written with the key in ${keyFile}: it is not in the dump. Keep a copy of it (apart from the dumps).`);
    }
  } else {
    notes.push('The encrypted columns of this dump need the keys of ENCRYPTION_KEYS: they are not in the dump. Keep them apart from the dumps.');
  }
  return notes;
}

/** Every file of DATA_DIR/secrets/: the session and column-encryption keys the embedded default generated. */
async function readKeyFiles(dataDir: string): Promise<TarEntry[]> {
  const dir = embeddedPaths(dataDir).secrets;
  const names = await readdirOrNone(dir);
  const entries: TarEntry[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    if (!(await stat(file)).isFile()) continue;
    entries.push({ name: `secrets/${name}`, data: await readFile(file), mode: 0o600 });
  }
  return entries;
}

/** Opens the embedded database for this process only, or says that Visiona has it open. */
export function lockEmbedded(pgdata: string, command: string): () => void {
  try {
    return lockDataDir(pgdata, command);
  } catch (err) {
    if (err instanceof DataDirInUse) {
      throw new OpsError(
        EXIT.inUse,
        `${err.message} ${command} needs the embedded database to itself. (A Postgres server, through DATABASE_URL, is backed up while Visiona runs.)`,
      );
    }
    throw err;
  }
}

/**
 * PGlite's own dump (dumpDataDir: a gzipped tarball of its data folder), with the keys
 * of DATA_DIR/secrets/ beside it: without them the encrypted columns cannot be read and
 * sessions are lost. PGlite is single-process, so this needs Visiona stopped.
 */
async function dumpEmbedded(config: BackupConfig, target: string, now: Date): Promise<string[]> {
  const { pgdata } = embeddedPaths(config.dataDir);
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    throw new OpsError(
      EXIT.noInput,
      `There is no embedded database in ${pgdata} to back up. Start Visiona once to create it, or point DATA_DIR at the right folder (or DATABASE_URL at a server).`,
    );
  }
  const release = lockEmbedded(pgdata, 'pnpm backup');
  let dump: Blob;
  let migrations: string[];
  try {
    const pg = await PGlite.create(pgdata);
    try {
      const applied = await pg.query<{ v: string }>(
        "select version || '_' || name as v from schema_migrations order by version",
      ).catch(() => ({ rows: [] as { v: string }[] }));
      migrations = applied.rows.map((r) => r.v);
      dump = await pg.dumpDataDir('gzip');
    } finally {
      await pg.close();
    }
  } finally {
    release();
  }
  const keys = await readKeyFiles(config.dataDir);
  const manifest: EmbeddedManifest = {
    format: 'visiona-embedded-backup',
    version: 1,
    createdAt: now.toISOString(),
    migrations,
    secrets: keys.map((k) => k.name),
  };
  const entries: TarEntry[] = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: EMBEDDED_DUMP_ENTRY, data: new Uint8Array(await dump.arrayBuffer()), mode: 0o600 },
    ...keys,
  ];
  const file = await open(target, 'wx', 0o600);
  try {
    for (const part of tarParts(entries, now)) await file.write(part);
    await file.sync();
  } finally {
    await file.close();
  }
  return keys.length > 0
    ? [`It holds the keys of ${embeddedPaths(config.dataDir).secrets} too (${keys.map((k) => path.basename(k.name)).join(', ')}): keep it as private as that folder.`]
    : [];
}

/** Removes this tool's backups older than the retention; other files in the folder are never touched. */
export async function pruneBackups(dir: string, retentionDays: number, now: Date): Promise<string[]> {
  const cutoff = now.getTime() - retentionDays * 24 * 60 * 60 * 1000;
  const removed: string[] = [];
  for (const backup of await listBackups(dir)) {
    if (backup.createdAt.getTime() < cutoff) {
      await rm(backup.file, { force: true });
      removed.push(backup.name);
    }
  }
  return removed;
}

/** Dumps the database into the backup folder, then prunes what is past the retention. */
export async function createBackup(config: BackupConfig, env: NodeJS.ProcessEnv, now: Date = new Date()): Promise<BackupResult> {
  const kind: BackupKind = config.databaseUrl ? 'postgres' : 'embedded';
  await mkdir(config.backupDir, { recursive: true, mode: 0o700 });
  const name = await freshName(config.backupDir, kind, now);
  const file = path.join(config.backupDir, name);
  // Written under another name, so that a failed or interrupted dump is never taken for a backup.
  const partial = `${file}.partial`;
  let notes: string[];
  try {
    notes = kind === 'postgres' ? await dumpPostgres(config, env, partial) : await dumpEmbedded(config, partial, now);
    await chmod(partial, 0o600);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  const { size } = await stat(file);
  const pruned = await pruneBackups(config.backupDir, config.retentionDays, now);
  return { file, name, kind, createdAt: now, bytes: size, pruned, notes };
}

const USAGE = `Usage: pnpm backup

Dumps the database into BACKUP_DIR (default DATA_DIR/backups) as
visiona-<postgres|embedded>-<UTC time>.<dump|tar>, then removes this tool's
dumps older than BACKUP_RETENTION_DAYS (default 30). With DATABASE_URL it runs
pg_dump; otherwise it dumps the embedded database, which needs Visiona stopped.`;

/** `pnpm backup`: returns the exit code (see EXIT in common.ts). */
export async function backupCommand(argv: string[], env: NodeJS.ProcessEnv, cwd: string, out: Output = consoleOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.info(USAGE);
    return EXIT.ok;
  }
  if (argv.length > 0) {
    out.warn(`pnpm backup: unexpected argument ${argv[0]}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const config = loadBackupConfig(env, cwd);
    const where = config.databaseUrl ? `Postgres at ${redactUrl(config.databaseUrl)}` : `the embedded database in ${embeddedPaths(config.dataDir).pgdata}`;
    out.info(`Backing up ${where}…`);
    const result = await createBackup(config, env);
    out.info(`Backup written: ${result.file} (${formatBytes(result.bytes)})`);
    for (const note of result.notes) out.info(note);
    out.info(
      result.pruned.length > 0
        ? `Removed ${result.pruned.length} backup(s) older than ${config.retentionDays} days: ${result.pruned.join(', ')}`
        : `No backup older than ${config.retentionDays} days to remove.`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) {
      out.warn(`pnpm backup: ${err.message}`);
      return EXIT.config;
    }
    if (err instanceof OpsError) {
      out.warn(`pnpm backup: ${err.message}`);
      return err.exitCode;
    }
    out.warn(`pnpm backup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.failed;
  }
}
