-- Billing: Stripe customers, subscriptions, checkout sessions and payments
-- (see docs/decisions/0019-billing.md). Only Stripe's verified webhooks change a
-- plan, a subscription, a payment or grant credits: the app role may read its own
-- rows, and may only record its own customer and checkout sessions.

create table billing_customers (
  owner_subject text primary key references users (auth_subject) on delete cascade on update cascade,
  stripe_customer_id text not null unique,
  created_at timestamptz not null default now()
);
alter table billing_customers enable row level security;
create policy billing_customers_own on billing_customers for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub'));
grant select, insert on billing_customers to authenticated;

create table subscriptions (
  id text primary key,
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  stripe_customer_id text not null,
  plan text not null,
  price_id text not null,
  status text not null,
  current_period_start timestamptz,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  canceled_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null default now()
);
create index subscriptions_owner_created_idx on subscriptions (owner_subject, created_at desc);
alter table subscriptions enable row level security;
create policy subscriptions_select_own on subscriptions for select to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'));
grant select on subscriptions to authenticated;

create table checkout_sessions (
  id text primary key,
  owner_subject text not null references users (auth_subject) on delete cascade on update cascade,
  plan text not null,
  url text not null,
  status text not null default 'open' check (status in ('open', 'complete', 'expired')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz
);
create index checkout_sessions_owner_created_idx on checkout_sessions (owner_subject, created_at desc);
alter table checkout_sessions enable row level security;
create policy checkout_sessions_own on checkout_sessions for all to authenticated
  using (owner_subject = (select auth.jwt() ->> 'sub'))
  with check (owner_subject = (select auth.jwt() ->> 'sub') and status = 'open');
-- Users record the sessions they open (an idempotent retry finds its own); only webhooks complete them.
grant select, insert on checkout_sessions to authenticated;

-- One row per Stripe invoice (stripe_id); its status only moves forward to paid.
alter table payments
  add column plan text,
  add column credits_granted integer not null default 0 check (credits_granted >= 0),
  add column hosted_invoice_url text,
  add column updated_at timestamptz not null default now();
alter table payments add constraint payments_status_check check (status in ('open', 'paid', 'failed'));

-- Plan limits count these on every training and generation request.
create index models_owner_active_idx on models (owner_subject) where status in ('Processing', 'Ready');
create index generations_owner_running_idx on generations (owner_subject) where status = 'Processing';
