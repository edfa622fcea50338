import type { Database, Queryable } from '../../db/index.ts';
import { primaryEmail, type ClerkWebhookEvent } from '../../integrations/clerk.ts';
import { insertAudit } from '../auth/repository.ts';
import { grantSignupCredits } from '../credits/ledger.ts';

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

async function isDeleted(tx: Queryable, subject: string): Promise<boolean> {
  return (await tx.query('select 1 from deleted_subjects where auth_subject = $1', [subject])).rowCount > 0;
}

/**
 * Keeps `users` in step with Clerk. Each event is applied once; a deleted
 * account is never brought back by a late `user.created` or `user.updated`.
 */
export function createClerkWebhookService(deps: { db: Database; signupCredits: number }) {
  return {
    handle(eventId: string, event: ClerkWebhookEvent): Promise<WebhookOutcome> {
      return deps.db.transaction(async (tx) => {
        if (!(await claimWebhookEvent(tx, 'clerk', eventId, event.type))) return 'duplicate';
        const subject = event.data.id;
        if (!subject) return 'ignored';
        switch (event.type) {
          case 'user.created':
          case 'user.updated': {
            const email = primaryEmail(event.data);
            if (!email || (await isDeleted(tx, subject))) return 'ignored';
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
            // Starts account deletion: the tombstone first, then every row of the user (cascade).
            // Storage objects, Replicate models and the Stripe subscription join this path with the account issue.
            await tx.query('insert into deleted_subjects (auth_subject) values ($1) on conflict do nothing', [subject]);
            await tx.query('delete from users where auth_subject = $1', [subject]);
            return 'processed';
          }
          default:
            return 'ignored';
        }
      });
    },
  };
}

export type ClerkWebhookService = ReturnType<typeof createClerkWebhookService>;
