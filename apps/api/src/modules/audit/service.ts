import type { AuditList, AuditListQuery } from '@visiona/shared';
import type { Database } from '../../db/index.ts';
import { cursorAt, decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import type { AuthUser } from '../auth/types.ts';

interface AuditRow {
  id: string;
  action: string;
  details: Record<string, unknown>;
  created_at: Date;
  cursor_at: string;
}

/** The signed-in person's own audit history (RLS scopes it), newest first, keyset-paginated. */
export function createAuditService(deps: { db: Database }) {
  return {
    async list(user: AuthUser, q: AuditListQuery): Promise<AuditList> {
      const limit = q.limit ?? 50;
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      const params: unknown[] = [limit + 1];
      if (after) params.push(after.createdAt, after.id);
      const { rows } = await deps.db.queryAsUser<AuditRow>(
        { sub: user.subject },
        `select id, action, details, created_at, ${cursorAt('created_at')} as cursor_at from audit_logs
          ${after ? 'where (created_at, id) < ($2::timestamptz, $3::uuid)' : ''}
          order by created_at desc, id desc limit $1`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({ id: r.id, action: r.action, details: r.details ?? {}, createdAt: r.created_at.toISOString() })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null,
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
