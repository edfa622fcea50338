-- Generation and gallery (docs/decisions/0018): the generation's lifecycle, and its
-- stored images, each a row the person can favourite or delete with its generation.

alter table generations
  add column enhancement text not null default 'none' check (enhancement in ('none', 'enhanced', 'unavailable')),
  add column preset_id text check (length(preset_id) <= 64),
  add column model_name text,
  add column credits_cost integer not null default 0 check (credits_cost >= 0),
  add column idempotency_key text check (length(idempotency_key) between 8 and 200),
  add column replicate_status text check (replicate_status in ('starting', 'processing', 'succeeded', 'failed', 'canceled')),
  add column progress real check (progress between 0 and 100),
  -- Replicate's output URLs, kept until the images are copied into storage (they expire after an hour).
  add column output_urls jsonb,
  add column last_event_at timestamptz;
create unique index generations_owner_idempotency_key on generations (owner_subject, idempotency_key) where idempotency_key is not null;
create index generations_processing_idx on generations (last_event_at) where status = 'Processing';
create index generations_owner_model_created_idx on generations (owner_subject, model_id, created_at desc, id desc);

-- Status, progress, outputs and costs are written by webhooks and jobs only; a person
-- creates generations and deletes them.
revoke update on generations from authenticated;

create table images (
  id uuid primary key default gen_random_uuid(),
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  generation_id uuid not null references generations (id) on delete cascade,
  idx integer not null check (idx between 0 and 15),
  storage_path text not null unique,
  thumb_path text not null,
  content_type text not null,
  width integer not null,
  height integer not null,
  byte_size integer not null check (byte_size >= 0),
  favorite boolean not null default false,
  created_at timestamptz not null default now(),
  unique (generation_id, idx)
);
create index images_owner_created_idx on images (owner_subject, created_at desc);
create index images_owner_favorite_idx on images (owner_subject, generation_id) where favorite;

alter table images enable row level security;
create policy images_own on images for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub'));
revoke all on images from authenticated;
grant select, delete on images to authenticated;
grant update (favorite) on images to authenticated;

-- Users queue their own generation's submission (see enqueue_training_job in 0005).
create function enqueue_generation_job(generation uuid) returns void
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  subject text := auth.jwt() ->> 'sub';
begin
  if subject is null or not exists (select 1 from generations where id = generation and owner_subject = subject) then
    raise exception 'enqueue_generation_job: no such generation' using errcode = '22023';
  end if;
  insert into jobs (name, payload, dedupe_key, max_attempts)
    values ('generation.submit', jsonb_build_object('generationId', generation), 'generation.submit:' || generation, 6)
    on conflict do nothing;
end $$;
revoke all on function enqueue_generation_job(uuid) from public;
grant execute on function enqueue_generation_job(uuid) to authenticated;
