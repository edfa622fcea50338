import pg from 'pg';
import { bindClaimsSql, type Database, type Queryable, type QueryResult } from './database.ts';
import { inlineParams } from './inline.ts';

// Keep int8 and numeric as strings (no precision loss); timestamps stay Date.
export function createPostgresDatabase(connectionString: string, poolMax: number): Database {
  const pool = new pg.Pool({
    connectionString,
    max: poolMax,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: 'visiona-api',
  });
  // An idle client erroring (server restart) must not crash the process.
  pool.on('error', () => {});

  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const res = await q.query(text, params as unknown[] | undefined);
      return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
  });
  const root = wrap(pool);

  return {
    kind: 'postgres',
    query: root.query,
    exec: root.exec,
    async queryAsUser<T>(claims: Parameters<Database['queryAsUser']>[0], text: string, params?: readonly unknown[]) {
      const results = (await pool.query(`${bindClaimsSql(claims)};\n${inlineParams(text, params)}`)) as unknown as pg.QueryResult[];
      const last = results[results.length - 1]!;
      return { rows: last.rows as T[], rowCount: last.rowCount ?? last.rows.length };
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query('commit');
        client.release();
        return result;
      } catch (err) {
        try {
          await client.query('rollback');
          client.release();
        } catch (rollbackErr) {
          // A connection that cannot roll back is not safe to reuse.
          client.release(rollbackErr as Error);
        }
        throw err;
      }
    },
    async close() {
      await pool.end();
    },
  };
}
