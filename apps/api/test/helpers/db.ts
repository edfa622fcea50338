import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import pg from 'pg';
import { migrate, type Database } from '../../src/db/index.ts';
import { createPgliteDatabase } from '../../src/db/pglite.ts';
import { createPostgresDatabase } from '../../src/db/postgres.ts';

export interface TestDatabase {
  db: Database;
  kind: Database['kind'];
  /** A connection string for the throwaway database (server mode only). */
  url: string | null;
  close(): Promise<void>;
}

function pgliteTemplate(name: 'pgliteTemplate' | 'pgliteEmptyTemplate'): string | null {
  try {
    return inject(name) ?? null;
  } catch {
    return null; // outside the api project's global setup
  }
}

/**
 * A fresh, migrated database for one test file: a throwaway database on the
 * server named by DATABASE_URL, or else an in-memory PGlite.
 */
export async function createTestDatabase(opts: { poolMax?: number; migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  let db: Database;
  let url: string | null = null;
  let drop = async () => {};
  if (serverUrl) {
    const name = `visiona_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    db = createPostgresDatabase(url, opts.poolMax ?? 5);
    drop = async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  } else {
    const template = pgliteTemplate(opts.migrate === false ? 'pgliteEmptyTemplate' : 'pgliteTemplate');
    db = template
      ? await createPgliteDatabase(null, { loadDataDir: new Blob([await readFile(template)]) })
      : await createPgliteDatabase(null);
  }
  // Already migrated when loaded from the template; this then checks it is up to date.
  if (opts.migrate !== false) await migrate(db);
  return {
    db,
    kind: db.kind,
    url,
    async close() {
      await db.close();
      await drop();
    },
  };
}
