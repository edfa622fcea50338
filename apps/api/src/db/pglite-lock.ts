import { hostname } from 'node:os';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite takes no lock on its data folder (the postmaster.pid it writes holds -42), so
 * two processes can open the same folder and both write to it, which corrupts it: the
 * next start then dies with `RuntimeError: Aborted()`. Whoever opens an embedded data
 * folder (the API, `pnpm backup`, `pnpm restore`) takes this lock first: a file beside
 * the folder (`pgdata.lock`, not inside it, so it never ends up in a dump) holding the
 * owner's process id. A lock whose process is gone is stale and taken over.
 */
export class DataDirInUse extends Error {
  readonly pid: number;
  constructor(dataDir: string, holder: LockHolder) {
    super(
      `The embedded database in ${dataDir} is in use by process ${holder.pid}` +
        `${holder.command ? ` (${holder.command})` : ''}, since ${holder.since}. ` +
        'PGlite can be opened by one process at a time: stop Visiona (Ctrl+C in the terminal running `pnpm start`, ' +
        `or kill ${holder.pid}) and try again.`,
    );
    this.name = 'DataDirInUse';
    this.pid = holder.pid;
  }
}

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

/** Folders this process holds, so that a second open here fails too instead of taking over its own lock. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0
      ? { pid: parsed.pid, host: String(parsed.host ?? ''), since: String(parsed.since ?? 'an unknown time'), command: String(parsed.command ?? '') }
      : null;
  } catch {
    // Gone, unreadable or half-written: treated as stale, like a lock whose process is gone.
    return null;
  }
}

export function lockFileOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

/**
 * Takes the lock on an embedded data folder, or throws DataDirInUse naming the process
 * that has it. Returns the release function (also run at process exit).
 */
export function lockDataDir(dataDir: string, command = path.basename(process.argv[1] ?? 'node')): () => void {
  const dir = path.resolve(dataDir);
  const file = lockFileOf(dir);
  if (held.has(dir)) throw new DataDirInUse(dir, { pid: process.pid, host: hostname(), since: 'earlier in this process', command });
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command };
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      // Our own pid in the file is a lock left by an earlier process that had the same id
      // (a container restarted): `held` says this process does not hold it.
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new DataDirInUse(dir, holder);
      // Stale. Remove it and race for it again: `wx` lets only one taker win.
      if (attempt >= 3) throw new Error(`Could not take the lock ${file}; remove it if no Visiona process uses ${dir}.`, { cause: err });
      try {
        unlinkSync(file);
      } catch (unlinkErr) {
        if ((unlinkErr as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkErr;
      }
    }
  }
  held.add(dir);
  const release = () => {
    process.off('exit', release);
    if (!held.delete(dir)) return;
    // Only our own lock: never one another process took over after us.
    if (readHolder(file)?.pid === process.pid) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', release);
  return release;
}
