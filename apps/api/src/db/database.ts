/**
 * One small interface over the two Postgres engines Visiona runs on: a server
 * (through `pg`) and embedded PGlite. The same SQL runs on both.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** Claims bound to a transaction; policies read them through `auth.jwt()`. */
export interface Claims {
  sub: string;
  [key: string]: unknown;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Privileged transaction: the connection's own role, RLS bypassed as table owner. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The role every user-scoped transaction runs as; RLS policies apply to it. */
export const APP_ROLE = 'authenticated';

/**
 * Runs `fn` in one transaction as the app role with `claims` bound with
 * `set_config(..., true)`, i.e. transaction-local: nothing leaks to the next
 * user of the pooled connection.
 */
export function withClaims<T>(db: Database, claims: Claims, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [
      APP_ROLE,
      JSON.stringify(claims),
    ]);
    return fn(tx);
  });
}
