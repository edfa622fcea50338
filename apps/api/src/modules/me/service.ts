import type { AuthMode, DeleteAccountResponse, Me } from '@visiona/shared';
import type { Database } from '../../db/index.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { AppError, NotFound } from '../../lib/errors.ts';
import { closeAccount } from '../account/deletion.ts';
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

export function createMeService(deps: { db: Database; queue: JobQueue; authMode: AuthMode }) {
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

    /**
     * Closes the account now and removes its data in the background (docs/decisions/0020).
     * The caller repeats the account's email, so a stray request deletes nothing.
     */
    async deleteAccount(user: AuthUser, confirm: string): Promise<DeleteAccountResponse> {
      const { rows } = await deps.db.queryAsUser<{ email: string }>({ sub: user.subject }, 'select email from users where id = $1', [user.id]);
      const email = rows[0]?.email;
      if (!email) throw new NotFound('user');
      if (confirm.trim().toLowerCase() !== email.toLowerCase()) {
        throw new AppError(400, 'confirmation_mismatch', `To delete this account, send "confirm" with its email address, ${email}. Nothing was deleted.`);
      }
      await deps.db.transaction((tx) => closeAccount(tx, deps.queue, user.subject, 'api'));
      deps.queue.wake();
      return {
        status: 'deleting',
        message:
          'Your account is closed. Its photos, models, images, Replicate models and subscription are being deleted and will be gone within minutes; payment records are kept without your name, as the law requires.',
      };
    },
  };
}

export type MeService = ReturnType<typeof createMeService>;
