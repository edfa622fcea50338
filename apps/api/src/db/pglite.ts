import { mkdir } from 'node:fs/promises';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { bindClaimsSql, type Database, type Queryable, type QueryResult } from './database.ts';
import { inlineParams } from './inline.ts';
import { lockDataDir } from './pglite-lock.ts';

function wrapQueryable(q: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<T>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const res = await q.query<T>(text, params as unknown[] | undefined);
      // Like pg: statements that return rows count them; others count affected rows.
      return { rows: res.rows, rowCount: res.fields.length > 0 ? res.rows.length : (res.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  };
}

/** Embedded Postgres behind the Database interface. PGlite is single-connection and serialises transactions itself. */
export function wrapPglite(pg: PGlite): Database {
  const root = wrapQueryable(pg);
  return {
    kind: 'pglite',
    query: root.query,
    exec: root.exec,
    async queryAsUser<T>(claims: Parameters<Database['queryAsUser']>[0], text: string, params?: readonly unknown[]) {
      const results = await pg.exec(`${bindClaimsSql(claims)};\n${inlineParams(text, params)}`);
      const last = results[results.length - 1]!;
      return { rows: last.rows as T[], rowCount: last.fields.length > 0 ? last.rows.length : (last.affectedRows ?? 0) };
    },
    transaction(fn) {
      return pg.transaction((tx) => fn(wrapQueryable(tx)));
    },
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}

/**
 * PGlite in a data folder, or in memory when `dataDir` is null (optionally from a dump).
 * A data folder is locked for this process until `close()` (see pglite-lock.ts).
 */
export async function createPgliteDatabase(dataDir: string | null, opts: { loadDataDir?: Blob } = {}): Promise<Database> {
  if (!dataDir) return wrapPglite(await PGlite.create(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}));
  await mkdir(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  const options: PGliteOptions = opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {};
  let db: Database;
  try {
    db = wrapPglite(await PGlite.create(dataDir, options));
  } catch (err) {
    release();
    throw err;
  }
  const close = db.close;
  return {
    ...db,
    async close() {
      try {
        await close();
      } finally {
        release();
      }
    },
  };
}
