-- Foundation: tenants, users, raw inbound mail, cases, messages, the audit chain and jobs.
-- Runs as the owner. The application works as `desk_app` (SET LOCAL ROLE inside withOrg), which
-- is not a superuser, owns nothing and is subject to row-level security on org_id.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'desk_app') then
    create role desk_app nologin nosuperuser nocreatedb nocreaterole nobypassrls;
  end if;
end
$$;

-- The owner must be able to SET ROLE desk_app (a no-op grant for a superuser).
do $$
begin
  if not pg_has_role(current_user, 'desk_app', 'member') then
    execute format('grant desk_app to %I', current_user);
  end if;
end
$$;

grant usage on schema public to desk_app;

-- The org of the current transaction, set by withOrg(); null when unset, so RLS shows nothing.
create function app_org_id() returns uuid
  language sql stable
  as $$ select nullif(current_setting('app.org_id', true), '')::uuid $$;

create table orgs (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  timezone text not null default 'UTC',
  inbound_addresses text[] not null default '{}',
  executive_forwarders text[] not null default '{}',
  digest_hour smallint not null default 8 check (digest_hour between 0 and 23),
  sla_policy jsonb,
  business_calendar jsonb,
  settings jsonb not null default '{}',
  next_case_number integer not null default 1001,
  created_at timestamptz not null default now()
);

create table app_users (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  email text not null check (email = lower(email) and email like '%_@_%'),
  name text not null default '',
  role text not null check (role in ('agent', 'approver', 'admin')),
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  unique (org_id, email)
);

-- Raw bytes are committed before anything parses them (invariant 1). org_id stays null until the
-- message is routed; such rows are visible to the owner only.
create table inbound_raw (
  id uuid primary key default gen_random_uuid(),
  org_id uuid references orgs (id),
  provider text not null,
  received_at timestamptz not null default now(),
  sha256 text not null,
  size integer not null,
  raw bytea not null,
  envelope jsonb not null default '{}',
  status text not null default 'received'
    check (status in ('received', 'processed', 'threaded', 'duplicate', 'quarantined')),
  reason text,
  case_id uuid,
  processed_at timestamptz
);
create index inbound_raw_org_status on inbound_raw (org_id, status, received_at desc);

create table cases (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  number integer not null,
  source text not null
    check (source in ('ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv')),
  customer_email text,
  customer_name text,
  customer_account text,
  forwarded_by text[] not null default '{}',
  subject text not null,
  summary text not null default '',
  severity text not null default 'SEV-3' check (severity in ('SEV-1', 'SEV-2', 'SEV-3', 'SEV-4')),
  severity_reasons text[] not null default '{}',
  case_type text not null default 'service'
    check (case_type in ('technical', 'service', 'business', 'security', 'compliance')),
  external_ref text,
  owner_id uuid references app_users (id),
  status text not null default 'new'
    check (status in ('new', 'triaged', 'awaiting_approval', 'responded', 'waiting_customer',
                      'in_progress', 'resolved', 'closed')),
  reply_token text not null unique,
  opened_at timestamptz not null default now(),
  first_response_due_at timestamptz,
  first_response_at timestamptz,
  next_update_due_at timestamptz,
  resolution_due_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, number)
);
-- The same external reference (BBB complaint number, matter reference) is one case (invariant 2).
create unique index cases_org_external_ref on cases (org_id, external_ref) where external_ref is not null;
create index cases_org_opened on cases (org_id, opened_at desc);

create table messages (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  direction text not null check (direction in ('inbound', 'outbound', 'note')),
  -- Message-ID when the mail has one, else the sha256 of its bytes: redelivery is always detected.
  dedupe_key text,
  message_id text,
  in_reply_to text,
  reference_ids text[] not null default '{}',
  from_email text,
  from_name text,
  to_emails text[] not null default '{}',
  subject text not null default '',
  text_body text not null default '',
  html_body text,
  raw_id uuid references inbound_raw (id),
  unknown_sender boolean not null default false,
  author_id uuid references app_users (id),
  created_at timestamptz not null default now()
);
create unique index messages_org_dedupe on messages (org_id, dedupe_key) where dedupe_key is not null;
create index messages_case on messages (case_id, created_at);

-- Audit: append-only and hash-chained per org (invariant 6).
create table audit_events (
  id bigint generated always as identity primary key,
  org_id uuid not null references orgs (id),
  seq bigint not null,
  case_id uuid references cases (id),
  actor_kind text not null check (actor_kind in ('user', 'system', 'ai', 'customer')),
  actor_id text,
  action text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  details jsonb not null default '{}',
  created_at timestamptz not null default clock_timestamp(),
  prev_hash text not null,
  hash text not null,
  unique (org_id, seq)
);
create index audit_events_case on audit_events (case_id, seq);

-- The last link of each org's chain; only the trigger (as owner) touches it.
create table audit_heads (
  org_id uuid primary key references orgs (id),
  seq bigint not null,
  hash text not null
);

-- jsonb_build_array gives an unambiguous, canonical serialisation (jsonb sorts object keys).
create function audit_hash(prev_hash text, org_id uuid, seq bigint, case_id uuid, actor_kind text,
                           actor_id text, action text, details jsonb, created_at timestamptz)
  returns text language sql immutable
  as $$
    select encode(sha256(convert_to(jsonb_build_array(
      prev_hash, org_id, seq, case_id, actor_kind, actor_id, action, details,
      (extract(epoch from created_at) * 1000000)::bigint
    )::text, 'UTF8')), 'hex')
  $$;

create function audit_chain() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    head audit_heads;
  begin
    insert into audit_heads (org_id, seq, hash) values (new.org_id, 0, '') on conflict do nothing;
    -- The row lock serialises writers per org, so the chain has no forks.
    select * into head from audit_heads where org_id = new.org_id for update;
    new.seq := head.seq + 1;
    new.prev_hash := head.hash;
    new.created_at := clock_timestamp();
    new.hash := audit_hash(new.prev_hash, new.org_id, new.seq, new.case_id, new.actor_kind,
                           new.actor_id, new.action, new.details, new.created_at);
    update audit_heads set seq = new.seq, hash = new.hash where org_id = new.org_id;
    return new;
  end
  $$;

create trigger audit_events_chain before insert on audit_events
  for each row execute function audit_chain();

create function audit_refuse_change() returns trigger
  language plpgsql
  as $$
  begin
    raise exception 'audit events are append-only (% refused)', tg_op
      using errcode = 'insufficient_privilege';
  end
  $$;

create trigger audit_events_append_only before update or delete on audit_events
  for each row execute function audit_refuse_change();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_refuse_change();

create table jobs (
  id bigint generated always as identity primary key,
  org_id uuid not null references orgs (id),
  kind text not null,
  payload jsonb not null default '{}',
  run_at timestamptz not null default now(),
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  locked_until timestamptz,
  last_error text,
  done_at timestamptz,
  created_at timestamptz not null default now()
);
create index jobs_due on jobs (run_at) where done_at is null;

-- Row-level security on every tenant table. Tables are owned by the migration role; desk_app
-- gets only the privileges it needs and sees only the rows of app_org_id().
alter table orgs enable row level security;
create policy orgs_isolation on orgs
  using (id = app_org_id()) with check (id = app_org_id());

do $$
declare
  t text;
begin
  foreach t in array array['app_users', 'inbound_raw', 'cases', 'messages', 'audit_events', 'jobs']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())',
                   t || '_isolation', t);
  end loop;
end
$$;

grant select, update on orgs to desk_app;
grant select, insert, update on app_users, inbound_raw, cases, messages, jobs to desk_app;
grant select, insert on audit_events to desk_app;
