-- Identity and access: personal API tokens, processed webhook events, the credits
-- ledger the profile reports, and tombstones for deleted Clerk accounts.

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  name text not null check (length(name) between 1 and 100),
  -- The first characters of the token, to recognise it; the secret is stored only as SHA-256.
  prefix text not null,
  token_hash text not null unique,
  scopes text[] not null check (cardinality(scopes) > 0),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_owner_created_idx on api_tokens (owner_subject, created_at desc);

alter table api_tokens enable row level security;
create policy api_tokens_own on api_tokens for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub'));
-- Users list, create and revoke their tokens; the hash and the owner never change.
grant select, insert on api_tokens to authenticated;
grant update (revoked_at) on api_tokens to authenticated;

-- Each webhook event is processed once: its id is recorded in the same transaction as its effects.
create table webhook_events (
  provider text not null,
  event_id text not null,
  event_type text not null,
  received_at timestamptz not null default now(),
  primary key (provider, event_id)
);
alter table webhook_events enable row level security;

-- Credits move only through this append-only ledger; the balance is its sum.
create table credit_ledger (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  delta integer not null check (delta <> 0),
  reason text not null,
  reference text not null,
  created_at timestamptz not null default now(),
  unique (reason, reference)
);
create index credit_ledger_owner_idx on credit_ledger (owner_subject, created_at desc);
alter table credit_ledger enable row level security;
create policy credit_ledger_select_own on credit_ledger for select to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'));
grant select on credit_ledger to authenticated;

-- A Clerk account deleted by webhook must not come back through a late event or a
-- still-valid session token. Only the opaque subject is kept.
create table deleted_subjects (
  auth_subject text primary key,
  deleted_at timestamptz not null default now()
);
alter table deleted_subjects enable row level security;

-- Failed sign-ins for unknown emails are audited without an owner.
create index audit_logs_created_idx on audit_logs (created_at desc) where owner_subject is null;
