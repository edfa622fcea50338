import type { AuthMode, Me } from '@visiona/shared';
import { withClaims, type Database } from '../../db/index.ts';
import { NotFound } from '../../lib/errors.ts';
import type { AuthUser } from '../auth/service.ts';

interface UserRecord {
  id: string;
  email: string;
  plan: string;
  created_at: Date;
}

export function toMe(row: UserRecord, authMode: AuthMode): Me {
  return { id: row.id, email: row.email, plan: row.plan, authMode, createdAt: row.created_at.toISOString() };
}

export function createMeService(deps: { db: Database; authMode: AuthMode }) {
  return {
    async getMe(user: AuthUser): Promise<Me> {
      const row = await withClaims(deps.db, { sub: user.subject }, async (tx) => {
        const { rows } = await tx.query<UserRecord>('select id, email, plan, created_at from users where id = $1', [
          user.id,
        ]);
        return rows[0];
      });
      if (!row) throw new NotFound('user');
      return toMe(row, deps.authMode);
    },
  };
}

export type MeService = ReturnType<typeof createMeService>;
