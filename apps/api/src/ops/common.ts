import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Exit codes of `pnpm backup` and `pnpm restore` (the BSD sysexits a script can test):
 *   0  done
 *   1  pg_dump, pg_restore or PGlite failed; their own message is shown
 *   64 wrong arguments, or a restore without --yes
 *   66 no backup to restore, or a file that is not one
 *   69 a program or service is missing: pg_dump/pg_restore/psql, or the database is unreachable
 *   75 in use, try again later: Visiona is running on the embedded database, or the API is
 *      connected to the database a restore would replace
 *   78 configuration: a malformed DATABASE_URL, a refused login, a missing database, client
 *      tools older than the server
 */
export const EXIT = { ok: 0, failed: 1, usage: 64, noInput: 66, unavailable: 69, inUse: 75, config: 78 } as const;

/** A failure a person can act on: the message says what happened and what to do. */
export class OpsError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'OpsError';
    this.exitCode = exitCode;
  }
}

export interface Output {
  info(line: string): void;
  warn(line: string): void;
}

export const consoleOutput: Output = {
  info: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};

/** The database URL without its password, for messages. */
export function redactUrl(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

// Backups this tool made, and only those, are listed, restored by default and pruned.
const BACKUP_NAME = /^visiona-(postgres|embedded)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d+))?\.(dump|tar)$/;

export type BackupKind = 'postgres' | 'embedded';

export interface BackupFile {
  file: string;
  name: string;
  kind: BackupKind;
  createdAt: Date;
}

export function backupExtension(kind: BackupKind): string {
  return kind === 'postgres' ? 'dump' : 'tar';
}

/** `visiona-<kind>-<UTC time>.<ext>`, with `-N` when that second is taken. */
export function backupName(kind: BackupKind, at: Date, n = 0): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `visiona-${kind}-${stamp}${n > 0 ? `-${n}` : ''}.${backupExtension(kind)}`;
}

export function parseBackupName(name: string): Omit<BackupFile, 'file'> | null {
  const m = BACKUP_NAME.exec(name);
  if (!m) return null;
  const kind = m[1] as BackupKind;
  if (m[9] !== backupExtension(kind)) return null;
  const [y, mo, d, h, mi, s] = m.slice(2, 8).map(Number) as [number, number, number, number, number, number];
  const createdAt = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(createdAt.getTime()) ? null : { name, kind, createdAt };
}

/** The names in a folder; none when the folder does not exist. */
export async function readdirOrNone(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** This tool's backups in `dir`, oldest first; an absent folder has none. */
export async function listBackups(dir: string): Promise<BackupFile[]> {
  const names = await readdirOrNone(dir);
  return names
    .map((name) => {
      const parsed = parseBackupName(name);
      return parsed ? { ...parsed, file: path.join(dir, name) } : null;
    })
    .filter((b): b is BackupFile => b !== null)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name, 'en', { numeric: true }));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Folders of the embedded default inside DATA_DIR (apps/api/src/db/index.ts, lib/secrets.ts). */
export function embeddedPaths(dataDir: string) {
  return { pgdata: path.join(dataDir, 'pgdata'), secrets: path.join(dataDir, 'secrets') };
}
