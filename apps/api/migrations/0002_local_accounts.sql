-- Local accounts for the embedded default (no Clerk): password hashes and
-- revocable sessions. Only the authentication layer reads these, on the
-- privileged connection; the app role has no grant and RLS is on.

create table local_credentials (
  auth_subject text primary key references users (auth_subject) on delete cascade on update cascade,
  password_hash text not null,
  updated_at timestamptz not null default now()
);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  token_hash text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_seen_at timestamptz,
  user_agent text,
  ip text
);
create index sessions_owner_idx on sessions (owner_subject);

alter table local_credentials enable row level security;
alter table sessions enable row level security;
