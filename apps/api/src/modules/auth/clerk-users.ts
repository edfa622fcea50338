import { isDeletedSubject, SUBJECT_HASH_SQL } from '../account/tombstone.ts';
import type { Database, Queryable } from '../../db/index.ts';
import type { ClerkGateway } from '../../integrations/clerk.ts';
import { Conflict, ServiceUnavailable, sqlState } from '../../lib/errors.ts';
import { grantSignupCredits } from '../credits/ledger.ts';
import { insertAudit } from './repository.ts';
import type { AuthUser } from './types.ts';

interface UserRow {
  id: string;
  auth_subject: string;
  email: string;
  plan: string;
}

/**
 * Clerk users as Visiona users: verifies Clerk session tokens and creates the
 * `users` row on a user's first authenticated request.
 */
export function createClerkUserService(deps: { db: Database; clerk: ClerkGateway; signupCredits: number }) {
  const { db, clerk } = deps;

  async function findUser(q: Queryable, subject: string): Promise<UserRow | undefined> {
    // A closed account's row lives until the deletion job removes it; its still-valid Clerk tokens stop now.
    const { rows } = await q.query<UserRow>(
      `select id, auth_subject, email, plan from users
        where auth_subject = $1 and not exists (select 1 from deleted_subjects where subject_sha256 = ${SUBJECT_HASH_SQL('$1')})`,
      [subject],
    );
    return rows[0];
  }

  async function createUser(subject: string, email: string): Promise<UserRow | null> {
    try {
      return await db.transaction(async (tx) => {
        if (await isDeletedSubject(tx, subject)) return null;
        const { rows } = await tx.query<UserRow>(
          `insert into users (auth_subject, email) values ($1, $2)
           on conflict (auth_subject) do nothing returning id, auth_subject, email, plan`,
          [subject, email.toLowerCase()],
        );
        if (rows[0]) {
          await insertAudit(tx, subject, 'account.created', { method: 'clerk' });
          await grantSignupCredits(tx, subject, deps.signupCredits);
        }
        // Another request created it first: read it in this transaction (PGlite has one connection).
        return rows[0] ?? (await findUser(tx, subject)) ?? null;
      });
    } catch (err) {
      if (sqlState(err) === '23505') {
        throw new Conflict('Another Visiona account already uses this email address. Contact support to merge them.');
      }
      throw err;
    }
  }

  return {
    async authenticate(token: string): Promise<AuthUser | null> {
      const identity = await clerk.verifySessionToken(token);
      if (!identity) return null;
      let user = await findUser(db, identity.subject);
      if (!user) {
        let email = identity.email;
        if (!email) {
          try {
            email = await clerk.fetchPrimaryEmail(identity.subject);
          } catch {
            throw new ServiceUnavailable('Could not load your profile from Clerk. Please try again in a moment.', 5);
          }
        }
        if (!email) throw new Conflict('Your Clerk account has no email address; add one in your Clerk profile.');
        const created = await createUser(identity.subject, email);
        if (!created) return null; // deleted account
        user = created;
      }
      return {
        id: user.id,
        subject: user.auth_subject,
        email: user.email,
        plan: user.plan,
        via: 'clerk',
        credentialId: identity.sessionId,
        scopes: 'all',
      };
    },
  };
}

export type ClerkUserService = ReturnType<typeof createClerkUserService>;
