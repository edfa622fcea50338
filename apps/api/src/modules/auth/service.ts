import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SessionResponse } from '@visiona/shared';
import type { Database, Queryable } from '../../db/index.ts';
import { Conflict, Unauthorized, ValidationFailed } from '../../lib/errors.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../lib/password.ts';
import { createSessionToken, hashToken, readSessionToken } from '../../lib/session-token.ts';
import { sqlState } from '../../lib/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AuthUser, RequestMeta } from './types.ts';
import { grantSignupCredits } from '../credits/ledger.ts';
import * as repo from './repository.ts';
import { toMe } from '../me/service.ts';

export type { AuthUser, RequestMeta } from './types.ts';

const TOUCH_INTERVAL_MS = 5 * 60_000;
const BAD_CREDENTIALS = 'Email or password is incorrect.';

export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

export function createAuthService(deps: { db: Database; sessionKey: Buffer; sessionTtlHours: number; clock: Clock; signupCredits: number }) {
  const { db, sessionKey, clock } = deps;

  async function openSession(tx: Queryable, user: repo.UserRow, meta: RequestMeta) {
    const id = randomUUID();
    const { token, hash } = createSessionToken(sessionKey, id);
    const expiresAt = new Date(clock.now().getTime() + deps.sessionTtlHours * 3_600_000);
    await repo.insertSession(tx, { id, subject: user.auth_subject, tokenHash: hash, expiresAt, ...meta });
    await repo.insertAudit(tx, user.auth_subject, 'session.created', { method: 'password', ip: meta.ip });
    const credit_balance = await repo.creditBalance(tx, user.auth_subject);
    return { token, expiresAt: expiresAt.toISOString(), user: toMe({ ...user, credit_balance }, 'local') } satisfies SessionResponse;
  }

  return {
    async signup(email: string, password: string, meta: RequestMeta): Promise<SessionResponse> {
      const normalised = normaliseEmail(email);
      const passwordHash = await hashPassword(password);
      const subject = `usr_${randomBytes(16).toString('base64url')}`;
      try {
        return await db.transaction(async (tx) => {
          const user = await repo.insertUser(tx, subject, normalised);
          await repo.insertCredentials(tx, subject, passwordHash);
          await repo.insertAudit(tx, subject, 'account.created', { method: 'password' });
          await grantSignupCredits(tx, subject, deps.signupCredits);
          return openSession(tx, user, meta);
        });
      } catch (err) {
        if (sqlState(err) === '23505') {
          throw new Conflict('An account with this email already exists. Sign in instead.', [
            { field: 'body.email', message: 'is already registered' },
          ]);
        }
        throw err;
      }
    },

    async login(email: string, password: string, meta: RequestMeta): Promise<SessionResponse> {
      const found = await repo.findCredentialsByEmail(db, normaliseEmail(email));
      // Verify against a dummy hash when the email is unknown: same work, same answer.
      const ok = await verifyPassword(password, found?.password_hash ?? DUMMY_PASSWORD_HASH);
      if (!found || !ok) {
        // Unknown emails are audited without an owner and without the address itself.
        await repo.insertAudit(db, found?.auth_subject ?? null, 'session.failed', {
          reason: found ? 'wrong_password' : 'unknown_email',
          ip: meta.ip,
        });
        throw new Unauthorized(BAD_CREDENTIALS);
      }
      return db.transaction((tx) => openSession(tx, found, meta));
    },

    async logout(user: AuthUser): Promise<void> {
      if (user.via === 'token') {
        throw new ValidationFailed('Sign-out ends a session. To revoke an API token, use DELETE /api/v1/tokens/{id}.');
      }
      if (user.via === 'clerk') {
        throw new ValidationFailed('This server signs in with Clerk: sign out through Clerk.');
      }
      await db.transaction(async (tx) => {
        await repo.revokeSession(tx, user.credentialId);
        await repo.insertAudit(tx, user.subject, 'session.revoked', { reason: 'logout' });
      });
    },

    /** The user a session token belongs to, or null if it is forged, unknown, expired or revoked. */
    async authenticateSession(token: string): Promise<AuthUser | null> {
      const sessionId = readSessionToken(sessionKey, token);
      if (!sessionId) return null;
      const s = await repo.findSession(db, sessionId);
      if (!s || s.revoked_at) return null;
      const now = clock.now().getTime();
      if (s.expires_at.getTime() <= now) return null;
      const expected = Buffer.from(s.token_hash, 'hex');
      const given = Buffer.from(hashToken(token), 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      if (!s.last_seen_at || now - s.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
        await repo.touchSession(db, sessionId);
      }
      return { id: s.user_id, subject: s.auth_subject, email: s.email, plan: s.plan, via: 'session', credentialId: sessionId, scopes: 'all' };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
