-- Photos to a trained model: the credits balance, photo metadata, the training's
-- lifecycle on models, and the narrow functions user requests call to spend
-- credits and queue their training work (see docs/decisions/0017-training-flow.md).

-- The balance, kept in step with the ledger by a trigger; the check makes any
-- spend that would go below zero fail atomically (23514), however many race.
create table credit_balances (
  owner_subject text primary key references users (auth_subject) on delete cascade on update cascade,
  balance integer not null check (balance >= 0),
  updated_at timestamptz not null default now()
);
insert into credit_balances (owner_subject, balance)
  select owner_subject, sum(delta) from credit_ledger group by owner_subject;

-- Update first: a check on an INSERT ... ON CONFLICT row is evaluated before the
-- conflict is resolved, so the upsert is only for a subject's first entry.
create function apply_credit_delta() returns trigger language plpgsql as $$
begin
  update credit_balances set balance = balance + new.delta, updated_at = now() where owner_subject = new.owner_subject;
  if not found then
    insert into credit_balances as b (owner_subject, balance) values (new.owner_subject, new.delta)
    on conflict (owner_subject) do update set balance = b.balance + excluded.balance, updated_at = now();
  end if;
  return new;
end $$;
create trigger credit_ledger_apply after insert on credit_ledger
  for each row execute function apply_credit_delta();

alter table credit_balances enable row level security;
create policy credit_balances_select_own on credit_balances for select to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'));
grant select on credit_balances to authenticated;

-- Users may spend their own credits (never grant them): the caller's subject comes
-- from the bound claims, the amount must be positive, and the reason is one of ours.
-- Returns the new balance; raises 23514 when the balance does not cover it and
-- 23505 when that (reason, reference) was already charged.
create function spend_credits(amount integer, reason text, reference text) returns integer
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  subject text := auth.jwt() ->> 'sub';
  remaining integer;
begin
  if subject is null or amount <= 0 or reason not in ('training', 'generation') then
    raise exception 'spend_credits: invalid spend' using errcode = '22023';
  end if;
  insert into credit_ledger (owner_subject, delta, reason, reference) values (subject, -amount, reason, reference);
  select balance into remaining from credit_balances where owner_subject = subject;
  return remaining;
end $$;
revoke all on function spend_credits(integer, text, text) from public;
grant execute on function spend_credits(integer, text, text) to authenticated;

-- Photos: what was uploaded, and which training consumed it.
alter table photos
  add column original_name text not null default '' check (length(original_name) <= 200),
  add column source_format text not null default 'jpeg',
  add column thumb_path text,
  add column dhash text,
  add column model_id uuid references models (id) on delete cascade;
create index photos_owner_unclaimed_idx on photos (owner_subject, created_at desc) where model_id is null;
create index photos_model_idx on photos (model_id) where model_id is not null;
-- Claiming photos for a training is the only change a user makes to a photo row.
revoke update on photos from authenticated;
grant update (model_id) on photos to authenticated;

-- Models: the training's lifecycle.
alter table models
  add column idempotency_key text,
  add column credits_cost integer not null default 0 check (credits_cost >= 0),
  add column photo_count integer not null default 0 check (photo_count >= 0),
  -- Replicate's own status; it only moves forward (starting < processing < terminal).
  add column replicate_status text check (replicate_status in ('starting', 'processing', 'succeeded', 'failed', 'canceled')),
  add column progress_detail jsonb,
  add column zip_path text,
  add column cancel_requested_at timestamptz,
  -- When Replicate last told us something (webhook or poll): the reconciler asks about stale ones.
  add column last_event_at timestamptz,
  add column photos_purged_at timestamptz;
create unique index models_owner_idempotency_key on models (owner_subject, idempotency_key) where idempotency_key is not null;
create index models_processing_idx on models (last_event_at) where status = 'Processing';
create index models_purge_pending_idx on models (completed_at) where status <> 'Processing' and photos_purged_at is null;
-- Users create models and may rename them or ask for a cancel; status, progress and
-- Replicate ids are written only by webhooks and jobs.
revoke update on models from authenticated;
grant update (name, cancel_requested_at) on models to authenticated;

-- Queues one of the training jobs for the caller. Users cannot write `jobs`
-- themselves; the subject in the payload comes from the bound claims.
create function enqueue_training_job(job_name text, model uuid) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  subject text := auth.jwt() ->> 'sub';
begin
  if subject is null or job_name not in ('training.submit', 'training.cancel') then
    raise exception 'enqueue_training_job: invalid job' using errcode = '22023';
  end if;
  if not exists (select 1 from models where id = model and owner_subject = subject) then
    raise exception 'enqueue_training_job: no such model' using errcode = '22023';
  end if;
  insert into jobs (name, payload, dedupe_key)
    values (job_name, jsonb_build_object('modelId', model, 'subject', subject), job_name || ':' || model)
    on conflict do nothing;
end $$;
revoke all on function enqueue_training_job(text, uuid) from public;
grant execute on function enqueue_training_job(text, uuid) to authenticated;
