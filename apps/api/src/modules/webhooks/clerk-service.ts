import type { Database, Queryable } from '../../db/index.ts';
import { primaryEmail, type ClerkWebhookEvent } from '../../integrations/clerk.ts';
import { insertAudit } from '../auth/repository.ts';
import { grantSignupCredits } from '../credits/ledger.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { closeAccount } from '../account/deletion.ts';
import { isDeletedSubject } from '../account/tombstone.ts';

export type WebhookOutcome = 'processed' | 'duplicate' | 'ignored';

/** Records the event id; false when it was already processed. Same transaction as the effects. */
export async function claimWebhookEvent(tx: Queryable, provider: string, id: string, type: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into webhook_events (provider, event_id, event_type) values ($1, $2, $3)
     on conflict (provider, event_id) do nothing`,
    [provider, id, type],
  );
  return rowCount === 1;
}

/**
 * Keeps `users` in step with Clerk. Each event is applied once; a deleted
 * account is never brought back by a late `user.created` or `user.updated`.
 */
export function createClerkWebhookService(deps: { db: Database; queue: JobQueue; signupCredits: number }) {
  return {
    async handle(eventId: string, event: ClerkWebhookEvent): Promise<WebhookOutcome> {
      const outcome = await deps.db.transaction(async (tx): Promise<WebhookOutcome> => {
        if (!(await claimWebhookEvent(tx, 'clerk', eventId, event.type))) return 'duplicate';
        const subject = event.data.id;
        // Longer than users.auth_subject allows: no account of ours has it.
        if (!subject || subject.length > 255) return 'ignored';
        switch (event.type) {
          case 'user.created':
          case 'user.updated': {
            const email = primaryEmail(event.data);
            if (!email || (await isDeletedSubject(tx, subject))) return 'ignored';
            const { rows } = await tx.query<{ inserted: boolean }>(
              `insert into users (auth_subject, email) values ($1, lower($2))
               on conflict (auth_subject) do update set email = excluded.email, updated_at = now()
                 where users.email is distinct from excluded.email
               returning (xmax = 0) as inserted`,
              [subject, email],
            );
            if (rows[0]?.inserted) {
              await insertAudit(tx, subject, 'account.created', { method: 'clerk' });
              await grantSignupCredits(tx, subject, deps.signupCredits);
            } else if (rows[0]) await insertAudit(tx, subject, 'account.email_changed', { source: 'clerk' });
            return 'processed';
          }
          case 'user.deleted': {
            // The same path as DELETE /api/v1/me: closed now, data removed by the deletion job.
            await closeAccount(tx, deps.queue, subject, 'clerk');
            return 'processed';
          }
          default:
            return 'ignored';
        }
      });
      // A deletion was enqueued: start it now rather than at the next poll.
      if (outcome === 'processed' && event.type === 'user.deleted') deps.queue.wake();
      return outcome;
    },
  };
}

export type ClerkWebhookService = ReturnType<typeof createClerkWebhookService>;
