import { ValidationFailed } from './errors.ts';

/**
 * Keyset cursors on (created_at, id), newest first. The timestamp travels to the
 * microsecond, as Postgres keeps it: a JS Date keeps only milliseconds, and a
 * cursor cut to the millisecond would skip rows created within the same one.
 */

/** SQL for a row's `created_at` to the microsecond, in UTC (select it `as cursor_at`). */
export const cursorAt = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(cursorAt: string, id: string): string {
  return Buffer.from(`${cursorAt}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || rest.length > 0 || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/.test(createdAt) || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ValidationFailed('This cursor is not valid: pass the `nextCursor` of the previous page as it was.', [{ field: 'querystring.cursor', message: 'is invalid' }]);
  }
  return { createdAt, id };
}
