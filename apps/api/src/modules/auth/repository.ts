import type { Queryable } from '../../db/index.ts';

export interface UserRow {
  id: string;
  auth_subject: string;
  email: string;
  plan: string;
  created_at: Date;
}

export interface SessionLookup {
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  last_seen_at: Date | null;
  user_id: string;
  auth_subject: string;
  email: string;
  plan: string;
}

const USER_COLUMNS = 'id, auth_subject, email, plan, created_at';

export async function insertUser(tx: Queryable, subject: string, email: string): Promise<UserRow> {
  const { rows } = await tx.query<UserRow>(
    `insert into users (auth_subject, email) values ($1, $2) returning ${USER_COLUMNS}`,
    [subject, email],
  );
  return rows[0]!;
}

export async function insertCredentials(tx: Queryable, subject: string, passwordHash: string): Promise<void> {
  await tx.query('insert into local_credentials (auth_subject, password_hash) values ($1, $2)', [subject, passwordHash]);
}

export async function findCredentialsByEmail(
  tx: Queryable,
  email: string,
): Promise<(UserRow & { password_hash: string }) | undefined> {
  const { rows } = await tx.query<UserRow & { password_hash: string }>(
    `select u.id, u.auth_subject, u.email, u.plan, u.created_at, c.password_hash
       from users u join local_credentials c on c.auth_subject = u.auth_subject
      where lower(u.email) = $1`,
    [email],
  );
  return rows[0];
}

export async function insertSession(
  tx: Queryable,
  s: { id: string; subject: string; tokenHash: string; expiresAt: Date; userAgent: string | null; ip: string },
): Promise<void> {
  await tx.query(
    `insert into sessions (id, owner_subject, token_hash, expires_at, user_agent, ip, last_seen_at)
     values ($1, $2, $3, $4, $5, $6, now())`,
    [s.id, s.subject, s.tokenHash, s.expiresAt, s.userAgent, s.ip],
  );
}

export async function findSession(db: Queryable, sessionId: string): Promise<SessionLookup | undefined> {
  const { rows } = await db.query<SessionLookup>(
    `select s.token_hash, s.expires_at, s.revoked_at, s.last_seen_at,
            u.id as user_id, u.auth_subject, u.email, u.plan
       from sessions s join users u on u.auth_subject = s.owner_subject
      where s.id = $1`,
    [sessionId],
  );
  return rows[0];
}

export async function touchSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query('update sessions set last_seen_at = now() where id = $1', [sessionId]);
}

export async function revokeSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query('update sessions set revoked_at = now() where id = $1 and revoked_at is null', [sessionId]);
}

export async function insertAudit(tx: Queryable, subject: string | null, action: string, details: object): Promise<void> {
  await tx.query('insert into audit_logs (owner_subject, action, details) values ($1, $2, $3)', [
    subject,
    action,
    JSON.stringify(details),
  ]);
}

export async function creditBalance(tx: Queryable, subject: string): Promise<number> {
  const { rows } = await tx.query<{ balance: number }>(
    'select coalesce(sum(delta), 0)::int as balance from credit_ledger where owner_subject = $1',
    [subject],
  );
  return rows[0]?.balance ?? 0;
}

/** The users.id (storage paths use it) of an auth subject. */
export async function ownerUserId(tx: Queryable, subject: string): Promise<string | undefined> {
  return (await tx.query<{ id: string }>('select id from users where auth_subject = $1', [subject])).rows[0]?.id;
}
