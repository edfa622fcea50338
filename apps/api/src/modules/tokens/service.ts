import type { ApiToken, CreateTokenRequest, CreatedApiToken, TokenScopeName } from '@visiona/shared';
import { withClaims, type Database } from '../../db/index.ts';
import { generateApiToken, checkApiToken, hashApiToken } from '../../lib/api-token.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFound, ValidationFailed } from '../../lib/errors.ts';
import { insertAudit } from '../auth/repository.ts';
import type { AuthUser } from '../auth/types.ts';
import * as repo from './repository.ts';

const TOUCH_INTERVAL_MS = 60_000;

function toApiToken(row: repo.TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as TokenScopeName[],
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
  };
}

export function createTokenService(deps: { db: Database; clock: Clock }) {
  const { db, clock } = deps;
  const asUser = <T>(user: AuthUser, fn: Parameters<typeof withClaims<T>>[2]) => withClaims(db, { sub: user.subject }, fn);

  return {
    async create(user: AuthUser, input: CreateTokenRequest): Promise<CreatedApiToken> {
      const name = input.name.trim();
      if (!name) throw new ValidationFailed('Give the token a name.', [{ field: 'body.name', message: 'must not be blank' }]);
      const { token, hash, prefix } = generateApiToken();
      const expiresAt = input.expiresInDays ? new Date(clock.now().getTime() + input.expiresInDays * 86_400_000) : null;
      const row = await asUser(user, async (tx) => {
        const created = await repo.insertToken(tx, {
          subject: user.subject,
          name,
          prefix,
          hash,
          scopes: [...new Set(input.scopes)],
          expiresAt,
        });
        await insertAudit(tx, user.subject, 'token.created', {
          tokenId: created.id,
          name: created.name,
          prefix,
          scopes: created.scopes,
          expiresAt: expiresAt?.toISOString() ?? null,
        });
        return created;
      });
      return { ...toApiToken(row), token };
    },

    async list(user: AuthUser): Promise<ApiToken[]> {
      const rows = await asUser(user, (tx) => repo.listTokens(tx));
      return rows.map(toApiToken);
    },

    async revoke(user: AuthUser, id: string): Promise<void> {
      await asUser(user, async (tx) => {
        const row = await repo.revokeToken(tx, id);
        if (!row) throw new NotFound('API token');
        await insertAudit(tx, user.subject, 'token.revoked', { tokenId: row.id, prefix: row.prefix });
      });
    },

    /** The user an API token belongs to, or null if it is malformed, unknown, revoked or expired. */
    async authenticate(token: string): Promise<AuthUser | null> {
      if (!checkApiToken(token)) return null;
      const t = await repo.findTokenByHash(db, hashApiToken(token));
      const now = clock.now().getTime();
      if (!t || t.revoked_at || (t.expires_at && t.expires_at.getTime() <= now)) return null;
      if (!t.last_used_at || now - t.last_used_at.getTime() > TOUCH_INTERVAL_MS) await repo.touchToken(db, t.id);
      return {
        id: t.user_id,
        subject: t.auth_subject,
        email: t.email,
        plan: t.plan,
        via: 'token',
        credentialId: t.id,
        scopes: t.scopes as TokenScopeName[],
      };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
