-- The job queue (docs/decisions/0016): work that must outlive the request that asked
-- for it, survive a crash, and be shared by every replica. Workers claim rows with
-- FOR UPDATE SKIP LOCKED and hold them by a lease (locked_until) on the database clock.
-- A job that succeeds is deleted; one that runs out of attempts stays as 'failed', with
-- its last error, for someone to inspect.

create table jobs (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  payload jsonb not null default 'null',
  status text not null default 'queued' check (status in ('queued', 'running', 'failed')),
  run_at timestamptz not null default now(),
  -- Incremented when a worker claims the job: a lease that expired counts as an attempt.
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 5 check (max_attempts >= 1),
  locked_until timestamptz,
  locked_by text,
  -- The error's message only (never a stack), at most 1000 characters.
  last_error text check (length(last_error) <= 1000),
  dedupe_key text check (length(dedupe_key) between 1 and 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Claiming looks for due 'queued' jobs and expired 'running' leases, oldest first.
create index jobs_status_run_at_idx on jobs (status, run_at);

-- At most one pending (queued or running) job per dedupe key: enqueueing the same key
-- again is a no-op. Failed jobs leave the index, so the work can be asked for again.
create unique index jobs_pending_dedupe_key on jobs (dedupe_key)
  where dedupe_key is not null and status in ('queued', 'running');

-- Only the privileged connection (workers, webhooks) touches jobs: RLS on with no
-- policy, and no privilege for the app role, so a user-scoped transaction can neither
-- read nor enqueue. The revoke matters on Supabase, whose default privileges grant
-- every new public table to `authenticated`.
alter table jobs enable row level security;
revoke all on jobs from authenticated;
