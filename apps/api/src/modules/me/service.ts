import type { AuthMode, Me } from '@visiona/shared';
import type { Database } from '../../db/index.ts';
import { NotFound } from '../../lib/errors.ts';
import type { AuthUser } from '../auth/types.ts';

interface UserRecord {
  id: string;
  email: string;
  plan: string;
  created_at: Date;
  credit_balance: number;
}

export function toMe(row: UserRecord, authMode: AuthMode): Me {
  return {
    id: row.id,
    email: row.email,
    plan: row.plan,
    creditBalance: row.credit_balance,
    authMode,
    createdAt: row.created_at.toISOString(),
  };
}

export function createMeService(deps: { db: Database; authMode: AuthMode }) {
  return {
    async getMe(user: AuthUser): Promise<Me> {
      const { rows } = await deps.db.queryAsUser<UserRecord>(
        { sub: user.subject },
        `select u.id, u.email, u.plan, u.created_at,
                coalesce((select sum(l.delta) from credit_ledger l where l.owner_subject = u.auth_subject), 0)::int
                  as credit_balance
           from users u where u.id = $1`,
        [user.id],
      );
      const row = rows[0];
      if (!row) throw new NotFound('user');
      return toMe(row, deps.authMode);
    },
  };
}

export type MeService = ReturnType<typeof createMeService>;
