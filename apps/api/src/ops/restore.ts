import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, loadBackupConfig, type BackupConfig } from '../config.ts';
import { EMBEDDED_DUMP_ENTRY, lockEmbedded, type EmbeddedManifest } from './backup.ts';
import {
  backupName,
  consoleOutput,
  embeddedPaths,
  EXIT,
  listBackups,
  OpsError,
  parseBackupName,
  redactUrl,
  type BackupKind,
  type Output,
} from './common.ts';
import { findTool, requireToolVersion, runTool, serverMajor, toolConnection, withServer, type RunResult } from './postgres-tools.ts';
import { readTar } from './tar.ts';

/** Which kind of dump a file holds, from its first bytes: pg_dump's custom format or our tar. */
async function detectKind(file: string): Promise<BackupKind | null> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    // pg_dump's custom format: "PGDMP", then its archive version, whose major has been 1 since 2002.
    if (bytesRead >= 6 && head.toString('latin1', 0, 5) === 'PGDMP' && head[5] === 1) return 'postgres';
    if (bytesRead === 512 && head.toString('latin1', 257, 262) === 'ustar') return 'embedded';
    return null;
  } finally {
    await handle.close();
  }
}

/** The file to restore: the one named, or the newest of this kind in BACKUP_DIR. */
async function resolveBackup(config: BackupConfig, kind: BackupKind, given: string | undefined, cwd: string): Promise<string> {
  if (given) {
    const file = path.resolve(cwd, given);
    if (!existsSync(file)) throw new OpsError(EXIT.noInput, `${file} does not exist.`);
    const found = await detectKind(file);
    if (found === null) throw new OpsError(EXIT.noInput, `${file} is not a Visiona backup (neither a pg_dump custom-format dump nor an embedded backup).`);
    if (found !== kind) {
      throw new OpsError(
        EXIT.noInput,
        found === 'embedded'
          ? `${file} is a backup of the embedded database; DATABASE_URL is set, so this would restore into a Postgres server. Unset DATABASE_URL to restore it into DATA_DIR.`
          : `${file} is a pg_dump of a Postgres server; with DATABASE_URL unset this would restore into the embedded database. Set DATABASE_URL to the server to restore it into.`,
      );
    }
    return file;
  }
  const latest = (await listBackups(config.backupDir)).filter((b) => b.kind === kind).at(-1);
  if (!latest) {
    throw new OpsError(
      EXIT.noInput,
      `No ${kind === 'postgres' ? 'Postgres' : 'embedded'} backup in ${config.backupDir} (files named like ${backupName(kind, new Date(0)).replace('19700101T000000Z', '<UTC time>')}). Name the file to restore: pnpm restore <file> --yes`,
    );
  }
  return latest.file;
}

async function confirm(question: string, interactive: boolean, out: Output): Promise<boolean> {
  if (!interactive) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Type "restore" to go on: `);
    return answer.trim() === 'restore';
  } finally {
    rl.close();
    out.info('');
  }
}

/**
 * What the dump of `public` relies on but does not carry: the app role, and auth.jwt()
 * where Supabase does not provide it. The same statements as the start of
 * migrations/0001_init.sql, for a restore into a brand-new database.
 */
const PREREQUISITES_SQL = `
do $$
begin
  create role authenticated nologin;
exception when duplicate_object or unique_violation then null;
end $$;
create schema if not exists auth;
do $$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    create function auth.jwt() returns jsonb
      language sql stable
      as $f$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $f$;
  end if;
end $$;
grant usage on schema auth to authenticated;
grant execute on function auth.jwt() to authenticated;
`;

/** pg_restore's script piped into psql, whose one transaction makes the restore all or nothing. */
function restoreThroughPsql(pgRestore: string, psql: string, dump: string, prelude: string, conn: { dbname: string; env: NodeJS.ProcessEnv }): Promise<{ restore: RunResult; psql: RunResult }> {
  const script = spawn(pgRestore, ['--no-owner', '--file=-', dump], { env: conn.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let restoreErr = '';
  script.stderr.on('data', (d: Buffer) => {
    if (restoreErr.length < 20_000) restoreErr += d.toString('utf8');
  });
  const restoreDone = new Promise<RunResult>((resolve, reject) => {
    script.on('error', reject);
    script.on('close', (code) => resolve({ code, stderr: restoreErr }));
  });
  const psqlDone = runTool(
    psql,
    ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--single-transaction', `--command=${prelude}`, '--file=-', `--dbname=${conn.dbname}`],
    conn.env,
    { stdin: script.stdout },
  );
  return Promise.all([restoreDone, psqlDone]).then(([restore, psqlResult]) => ({ restore, psql: psqlResult }));
}

async function restorePostgres(config: BackupConfig, env: NodeJS.ProcessEnv, dump: string, opts: { yes: boolean; interactive: boolean }, out: Output): Promise<void> {
  const databaseUrl = config.databaseUrl!;
  const pgRestore = findTool('pg_restore', config.pgBinDir, env.PATH ?? '');
  const psql = findTool('psql', config.pgBinDir, env.PATH ?? '');
  const conn = toolConnection(databaseUrl, env);

  // Reading the dump's table of contents checks it before anything is touched.
  const list = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(pgRestore, ['--list', dump], { env: conn.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  if (list.code !== 0) {
    const tooOld = /unsupported version/i.test(list.stderr);
    throw new OpsError(
      tooOld ? EXIT.config : EXIT.noInput,
      tooOld
        ? `This dump was made by a newer pg_dump than ${pgRestore}: ${list.stderr.trim()} Install newer PostgreSQL client tools, or set PG_BIN_DIR.`
        : `${dump} cannot be read as a pg_dump archive: ${list.stderr.trim()}`,
    );
  }
  const dumpCreatesPublic = /^\d+; \d+ \d+ SCHEMA - public\b/m.test(list.stdout);

  const others = await withServer(databaseUrl, async (client) => {
    requireToolVersion('pg_restore', pgRestore, await serverMajor(client));
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = 'visiona-api'",
    );
    return Number(rows[0]!.n);
  });
  if (others > 0) {
    throw new OpsError(
      EXIT.inUse,
      `The Visiona API has ${others} connection(s) open to ${redactUrl(databaseUrl)}. Stop every API replica first (e.g. docker compose stop api), then restore, then start them again.`,
    );
  }

  const question = `This replaces everything in the public schema of ${redactUrl(databaseUrl)} with ${dump}.`;
  if (!opts.yes && !(await confirm(question, opts.interactive, out))) {
    throw new OpsError(EXIT.usage, `${question} Nothing was changed: run again with --yes to go ahead.`);
  }

  // The schema is replaced, not merged: tables a later migration added would otherwise
  // survive while schema_migrations (from the dump) says they were never created.
  const prelude = `${PREREQUISITES_SQL}\ndrop schema if exists public cascade;\n${dumpCreatesPublic ? '' : 'create schema public;\n'}`;
  out.info(`Restoring ${path.basename(dump)} into ${redactUrl(databaseUrl)}…`);
  const result = await restoreThroughPsql(pgRestore, psql, dump, prelude, conn);
  if (result.restore.code !== 0 || result.psql.code !== 0) {
    const details = [result.restore.stderr.trim(), result.psql.stderr.trim()].filter(Boolean).join('\n');
    const missingRole = /role "([^"]+)" does not exist/.exec(details);
    throw new OpsError(
      EXIT.failed,
      `The restore failed and was rolled back: the database is as it was.\n${details}` +
        (missingRole ? `\nThe dump grants rights to the role "${missingRole[1]}", which this server lacks: create it (create role ${missingRole[1]} nologin;) and restore again.` : ''),
    );
  }
}

/** Data kept aside by a restore: `<name>.before-restore-<UTC time>`. */
function asideName(target: string, at: Date): string {
  return `${target}.before-restore-${at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')}`;
}

async function restoreEmbedded(config: BackupConfig, file: string, opts: { yes: boolean; interactive: boolean }, out: Output, now: Date): Promise<string[]> {
  let files: Map<string, Buffer>;
  try {
    files = readTar(await readFile(file));
  } catch (err) {
    throw new OpsError(EXIT.noInput, `${file} cannot be read as an embedded backup: ${(err as Error).message}`);
  }
  const manifestBytes = files.get('manifest.json');
  const dump = files.get(EMBEDDED_DUMP_ENTRY);
  const manifest = manifestBytes ? (JSON.parse(manifestBytes.toString('utf8')) as EmbeddedManifest) : null;
  if (!manifest || manifest.format !== 'visiona-embedded-backup' || !dump) {
    throw new OpsError(EXIT.noInput, `${file} is not an embedded Visiona backup (no manifest.json or ${EMBEDDED_DUMP_ENTRY}).`);
  }
  if (manifest.version !== 1) throw new OpsError(EXIT.noInput, `${file} is a backup of format version ${manifest.version}, which this Visiona does not know.`);

  const { pgdata } = embeddedPaths(config.dataDir);
  const question = `This replaces the embedded database in ${pgdata} (and its keys) with ${file}, made ${manifest.createdAt}.`;
  if (!opts.yes && !(await confirm(question, opts.interactive, out))) {
    throw new OpsError(EXIT.usage, `${question} Nothing was changed: run again with --yes to go ahead.`);
  }

  const release = lockEmbedded(pgdata, 'pnpm restore');
  const kept: string[] = [];
  try {
    // Unpacked and opened beside the live folder first: a damaged dump fails here, with nothing replaced.
    const staging = `${pgdata}.restoring`;
    await rm(staging, { recursive: true, force: true });
    out.info(`Unpacking ${path.basename(file)}…`);
    try {
      const pg = await PGlite.create(staging, { loadDataDir: new Blob([new Uint8Array(dump)]) });
      try {
        await pg.query('select count(*) from schema_migrations');
      } finally {
        await pg.close();
      }
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw new OpsError(EXIT.failed, `The dump in ${file} did not open as a database (${(err as Error).message}); nothing was replaced.`);
    }

    if (existsSync(pgdata)) {
      const aside = asideName(pgdata, now);
      await rename(pgdata, aside);
      kept.push(aside);
    }
    try {
      await rename(staging, pgdata);
    } catch (err) {
      if (kept[0]) await rename(kept[0], pgdata);
      throw err;
    }

    // The keys the restored data was encrypted with. A different key already here is kept aside, not lost.
    const secretsAside = asideName(embeddedPaths(config.dataDir).secrets, now);
    for (const name of manifest.secrets) {
      const data = files.get(name);
      if (!data || !/^secrets\/[^/]+$/.test(name)) continue;
      const target = path.join(config.dataDir, name);
      const current = existsSync(target) ? await readFile(target) : null;
      if (current?.equals(data)) continue;
      if (current) {
        await mkdir(secretsAside, { recursive: true, mode: 0o700 });
        await rename(target, path.join(secretsAside, path.basename(name)));
        if (!kept.includes(secretsAside)) kept.push(secretsAside);
      }
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, data, { mode: 0o600 });
      await chmod(target, 0o600);
    }
    if (manifest.secrets.length === 0) {
      out.warn('This backup holds no keys (DATA_DIR/secrets/ was empty when it was made): the keys already here are kept.');
    }
  } finally {
    release();
  }
  return kept;
}

const USAGE = `Usage: pnpm restore [<file>] --yes

Replaces the database with a backup made by pnpm backup: <file>, or the newest
one in BACKUP_DIR (default DATA_DIR/backups). With DATABASE_URL, a pg_dump into
that server's public schema (stop the API first); otherwise an embedded backup
into DATA_DIR (stop Visiona first), keys included. --yes confirms; without it a
terminal is asked, and anything else changes nothing.`;

/** `pnpm restore`: returns the exit code (see EXIT in common.ts). */
export async function restoreCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  out: Output = consoleOutput,
  interactive = Boolean(process.stdin.isTTY),
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.info(USAGE);
    return EXIT.ok;
  }
  const yes = argv.includes('--yes') || argv.includes('-y');
  const positional = argv.filter((a) => a !== '--yes' && a !== '-y');
  const unknown = positional.find((a) => a.startsWith('-'));
  if (unknown || positional.length > 1) {
    out.warn(`pnpm restore: unexpected argument ${unknown ?? positional[1]}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const config = loadBackupConfig(env, cwd);
    const kind: BackupKind = config.databaseUrl ? 'postgres' : 'embedded';
    const file = await resolveBackup(config, kind, positional[0], cwd);
    const made = parseBackupName(path.basename(file));
    out.info(`Backup: ${file}${made ? ` (made ${made.createdAt.toISOString()})` : ''}`);
    if (kind === 'postgres') {
      await restorePostgres(config, env, file, { yes, interactive }, out);
      out.info('Restored. Start the API: it applies any migration newer than the backup.');
      out.info(
        config.encryptionKeysConfigured
          ? 'The encrypted columns need the ENCRYPTION_KEYS that were in use when the backup was made.'
          : `The encrypted columns need the key that was in use when the backup was made (${path.join(embeddedPaths(config.dataDir).secrets, 'encryption.key')}, or ENCRYPTION_KEYS).`,
      );
    } else {
      const kept = await restoreEmbedded(config, file, { yes, interactive }, out, new Date());
      out.info(`Restored into ${embeddedPaths(config.dataDir).pgdata}. Start Visiona: it applies any migration newer than the backup.`);
      for (const k of kept) out.info(`What was there before is kept in ${k}: delete it once the restored data looks right.`);
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) {
      out.warn(`pnpm restore: ${err.message}`);
      return EXIT.config;
    }
    if (err instanceof OpsError) {
      out.warn(`pnpm restore: ${err.message}`);
      return err.exitCode;
    }
    out.warn(`pnpm restore failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.failed;
  }
}
