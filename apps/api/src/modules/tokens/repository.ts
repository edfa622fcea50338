import type { Queryable } from '../../db/index.ts';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

export interface TokenLookup {
  id: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  user_id: string;
  auth_subject: string;
  email: string;
  plan: string;
}

const COLUMNS = 'id, name, prefix, scopes, created_at, last_used_at, expires_at';

export async function insertToken(
  tx: Queryable,
  t: { subject: string; name: string; prefix: string; hash: string; scopes: string[]; expiresAt: Date | null },
): Promise<TokenRow> {
  const { rows } = await tx.query<TokenRow>(
    `insert into api_tokens (owner_subject, name, prefix, token_hash, scopes, expires_at)
     values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [t.subject, t.name, t.prefix, t.hash, t.scopes, t.expiresAt],
  );
  return rows[0]!;
}

/** The caller's live tokens, newest first (RLS scopes the rows to the caller). */
export async function listTokens(tx: Queryable): Promise<TokenRow[]> {
  const { rows } = await tx.query<TokenRow>(
    `select ${COLUMNS} from api_tokens where revoked_at is null order by created_at desc, id desc limit 200`,
  );
  return rows;
}

export async function revokeToken(tx: Queryable, id: string): Promise<TokenRow | undefined> {
  const { rows } = await tx.query<TokenRow>(
    `update api_tokens set revoked_at = now() where id = $1 and revoked_at is null returning ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

export async function findTokenByHash(db: Queryable, hash: string): Promise<TokenLookup | undefined> {
  const { rows } = await db.query<TokenLookup>(
    `select t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
            u.id as user_id, u.auth_subject, u.email, u.plan
       from api_tokens t join users u on u.auth_subject = t.owner_subject
      where t.token_hash = $1`,
    [hash],
  );
  return rows[0];
}

export async function touchToken(db: Queryable, id: string): Promise<void> {
  await db.query('update api_tokens set last_used_at = now() where id = $1', [id]);
}
