-- Visiona's first schema: the seed's six tables, adapted (see docs/decisions/0005..0008).
-- Owned rows carry the owner's auth subject (Clerk user id, or a local account's
-- subject) and RLS compares it, as text, to the subject bound to the transaction.

-- The role user-scoped transactions run as. Supabase already has it.
do $$
begin
  create role authenticated nologin;
exception when duplicate_object or unique_violation then null;
end $$;

-- auth.jwt() as Supabase defines it: the claims bound with set_config('request.jwt.claims', ..., true).
create schema if not exists auth;
do $$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    create function auth.jwt() returns jsonb
      language sql stable
      as $f$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $f$;
  end if;
end $$;
grant usage on schema auth to authenticated;
grant execute on function auth.jwt() to authenticated;
grant usage on schema public to authenticated;

create table users (
  id uuid primary key default gen_random_uuid(),
  auth_subject text not null unique check (length(auth_subject) between 1 and 255),
  email text not null check (length(email) between 3 and 254),
  plan text not null default 'free',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_lower_key on users (lower(email));

create table photos (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  storage_path text not null unique,
  content_type text not null,
  byte_size integer not null check (byte_size >= 0),
  width integer,
  height integer,
  sha256 text,
  quality jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index photos_owner_created_idx on photos (owner_subject, created_at desc);

create table models (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  name text not null check (length(name) between 1 and 100),
  trigger_word text not null check (length(trigger_word) between 1 and 50),
  status text not null default 'Processing' check (status in ('Processing', 'Ready', 'Failed', 'Canceled')),
  parameters jsonb not null,
  -- Replicate: the destination model (owner/name), the training, and the trained version.
  replicate_model text,
  training_id text unique,
  replicate_version text,
  progress real check (progress between 0 and 1),
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz
);
create index models_owner_created_idx on models (owner_subject, created_at desc);

create table generations (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  model_id uuid references models (id) on delete set null,
  prompt text not null check (length(prompt) between 1 and 4000),
  enhanced_prompt text,
  status text not null default 'Processing' check (status in ('Processing', 'Succeeded', 'Failed', 'Canceled')),
  parameters jsonb not null default '{}',
  prediction_id text unique,
  error text,
  created_at timestamptz not null default now(),
  completed_at timestamptz
);
create index generations_owner_created_idx on generations (owner_subject, created_at desc, id desc);
create index generations_model_idx on generations (model_id);

-- Payments outlive the account (records the law requires); deletion anonymises them.
create table payments (
  id uuid primary key default gen_random_uuid(),
  owner_subject text references users (auth_subject) on delete set null on update cascade,
  stripe_id text not null unique,
  amount_cents bigint not null,
  currency text not null check (length(currency) = 3),
  status text not null,
  description text,
  created_at timestamptz not null default now()
);
create index payments_owner_created_idx on payments (owner_subject, created_at desc);

create table audit_logs (
  id uuid primary key default gen_random_uuid(),
  owner_subject text references users (auth_subject) on delete cascade on update cascade,
  action text not null check (length(action) between 1 and 100),
  details jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index audit_logs_owner_created_idx on audit_logs (owner_subject, created_at desc);

-- Row-level security: every table, explicit policies for the app role.
alter table users enable row level security;
alter table photos enable row level security;
alter table models enable row level security;
alter table generations enable row level security;
alter table payments enable row level security;
alter table audit_logs enable row level security;

create policy users_select_own on users for select to authenticated
  using (auth_subject = (select auth.jwt() ->> 'sub'));

create policy photos_own on photos for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub'));

create policy models_own on models for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub'));

create policy generations_own on generations for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub'));

create policy payments_select_own on payments for select to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'));

create policy audit_logs_select_own on audit_logs for select to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'));
create policy audit_logs_insert_own on audit_logs for insert to authenticated
  with check (owner_subject = (select auth.jwt() ->> 'sub'));

-- Grants: users cannot change their own plan, payments or audit history.
grant select on users to authenticated;
grant select, insert, update, delete on photos, models, generations to authenticated;
grant select on payments to authenticated;
grant select, insert on audit_logs to authenticated;
