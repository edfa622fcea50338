import { escapeLiteral } from './inline.ts';

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
  /**
   * One statement as the app role with `claims` bound, in a single round trip:
   * the claims and the statement go as one simple-protocol query, which Postgres
   * runs as one implicit transaction, so the claims end with it.
   */
  queryAsUser<T = Record<string, unknown>>(claims: Claims, text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  close(): Promise<void>;
}

/** The role every user-scoped transaction runs as; RLS policies apply to it. */
export const APP_ROLE = 'authenticated';

/** The statement that binds the app role and claims for the rest of the transaction. */
export function bindClaimsSql(claims: Claims): string {
  return `select set_config('role', ${escapeLiteral(APP_ROLE)}, true), set_config('request.jwt.claims', ${escapeLiteral(JSON.stringify(claims))}, true)`;
}

/**
 * Runs `fn` in one transaction as the app role with `claims` bound with
 * `set_config(..., true)`, i.e. transaction-local: nothing leaks to the next
 * user of the pooled connection. `snapshot`: read only, every statement seeing the same
 * committed state.
 */
export function withClaims<T>(db: Database, claims: Claims, fn: (tx: Queryable) => Promise<T>, opts: { snapshot?: boolean } = {}): Promise<T> {
  return db.transaction(async (tx) => {
    // Read committed (the default) gives each statement its own snapshot: reads that must agree
    // with each other (a balance and the payments that made it) ask for one snapshot for all.
    if (opts.snapshot) await tx.query('set transaction isolation level repeatable read, read only');
    await tx.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [
      APP_ROLE,
      JSON.stringify(claims),
    ]);
    return fn(tx);
  });
}
