import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { EXIT, OpsError, redactUrl } from './common.ts';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

const INSTALL_HINT =
  'Install the PostgreSQL client tools of the same major version as the server, or newer ' +
  '(Debian/Ubuntu: apt-get install postgresql-client, or postgresql-client-<N> from apt.postgresql.org; ' +
  'macOS: brew install libpq), or set PG_BIN_DIR to the folder that holds them.';

/** The tool's path: in PG_BIN_DIR when set, else the first on PATH. */
export function findTool(tool: PgTool, binDir: string | null, envPath: string): string {
  const dirs = binDir ? [binDir] : envPath.split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new OpsError(EXIT.unavailable, `${tool} was not found${binDir ? ` in PG_BIN_DIR (${binDir})` : ' on PATH'}. ${INSTALL_HINT}`);
}

/** The major version of a client tool (`pg_dump (PostgreSQL) 16.4` → 16). */
export function toolMajor(toolPath: string): number {
  const r = spawnSync(toolPath, ['--version'], { encoding: 'utf8' });
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new OpsError(EXIT.unavailable, `${toolPath} --version did not answer like a PostgreSQL tool. ${INSTALL_HINT}`);
  return Number(m[1]);
}

/** Connection settings for the client tools: the URL without its password, which goes in PGPASSWORD (not visible in `ps`). */
export function toolConnection(databaseUrl: string, baseEnv: NodeJS.ProcessEnv): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(databaseUrl);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return {
    dbname: u.toString(),
    env: { ...baseEnv, ...(password ? { PGPASSWORD: password } : {}), PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'visiona-backup' },
  };
}

/** What a failed connection means, in words that say what to fix. */
export function explainConnectionError(err: unknown, databaseUrl: string): OpsError {
  const where = redactUrl(databaseUrl);
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case '28P01':
    case '28000':
      return new OpsError(EXIT.config, `The database refused the login (${e.message}). Check the user and password in DATABASE_URL (${where}).`);
    case '3D000':
      return new OpsError(EXIT.config, `${e.message}. Check the database name at the end of DATABASE_URL (${where}).`);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return new OpsError(EXIT.unavailable, `Cannot reach the database at ${where} (${e.code}). Is the server running, and is DATABASE_URL's host and port right?`);
    default:
      if (/timeout/i.test(e.message ?? '')) {
        return new OpsError(EXIT.unavailable, `Cannot reach the database at ${where} (${e.message}). Is the server running, and is DATABASE_URL's host and port right?`);
      }
      return new OpsError(EXIT.unavailable, `Cannot connect to the database at ${where}: ${e.message ?? String(err)}`);
  }
}

/** Runs `fn` on one connection to the server, turning connection failures into OpsErrors. */
export async function withServer<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, application_name: 'visiona-backup' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw explainConnectionError(err, databaseUrl);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function serverMajor(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
  const major = Math.floor(Number(rows[0]?.v) / 10_000);
  if (!Number.isInteger(major) || major < 10) throw new Error(`unexpected server_version_num ${String(rows[0]?.v)}`);
  return major;
}

/** Refuses client tools older than the server: pg_dump would refuse too, with a terser message. */
export function requireToolVersion(tool: PgTool, toolPath: string, server: number): void {
  const major = toolMajor(toolPath);
  if (major < server) {
    throw new OpsError(
      EXIT.config,
      `${tool} ${major} (${toolPath}) is older than the PostgreSQL ${server} server; it cannot dump or restore it. ${INSTALL_HINT}`,
    );
  }
}

export interface RunResult {
  code: number | null;
  stderr: string;
}

/** Runs a client tool, collecting its error output (bounded) for the message if it fails. */
export function runTool(toolPath: string, args: string[], env: NodeJS.ProcessEnv, stdio: { stdin?: NodeJS.ReadableStream } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath, args, { env, stdio: [stdio.stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString('utf8');
    });
    if (stdio.stdin) {
      // A tool that stops reading (psql on its first error) closes the pipe: its exit code says why.
      child.stdin!.on('error', () => {});
      stdio.stdin.pipe(child.stdin!);
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
