-- Cases: ownership, acknowledgement, SLA clocks stored as instants, accounts.
-- Deadlines and their at-risk instants are computed by the application (business-hours
-- calendars live there) and stored, so "at risk" and "breached" are plain, indexable comparisons.

alter table cases
  add column owner_assigned_at timestamptz,
  add column acknowledged_at timestamptz,
  add column severity_changed_at timestamptz,
  add column first_response_at_risk_at timestamptz,
  add column resolution_at_risk_at timestamptz,
  add column next_update_at_risk_at timestamptz,
  add column resolution_paused_at timestamptz,
  add column resolution_paused_seconds integer not null default 0,
  add column last_outbound_at timestamptz,
  add column close_reason text,
  add column customer_confirmed_at timestamptz,
  add column account_id uuid,
  -- A CSV row's fingerprint: re-importing the same file creates nothing new, with or without refs.
  add column import_key text,
  -- The earliest running deadline and its at-risk instant: the queue's priority order.
  add column next_deadline_at timestamptz,
  add column next_at_risk_at timestamptz;

create table accounts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  domain text not null check (domain = lower(domain) and domain ~ '^[a-z0-9.-]+\.[a-z]{2,}$'),
  name text not null default '',
  plan text,
  annual_revenue numeric(14, 2),
  health text check (health in ('green', 'amber', 'red')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, domain)
);

alter table cases add constraint cases_account_fk foreign key (account_id) references accounts (id);

-- Open cases by urgency: breached first, then least time left (nulls: no running clock, last).
create index cases_open_by_deadline on cases (org_id, next_deadline_at nulls last, number)
  where status not in ('resolved', 'closed');
create index cases_open_by_owner on cases (org_id, owner_id) where status not in ('resolved', 'closed');
create index cases_customer_email on cases (org_id, customer_email);
create unique index cases_org_import_key on cases (org_id, import_key) where import_key is not null;

alter table accounts enable row level security;
create policy accounts_isolation on accounts
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, update on accounts to desk_app;

-- Per-week view of severity overrides (priority inflation), read from the audit trail.
create view severity_overrides with (security_invoker = true) as
  select org_id, case_id, actor_id, created_at,
         date_trunc('week', created_at) as week,
         details->>'from' as from_severity, details->>'to' as to_severity, details->>'reason' as reason,
         case when details->>'to' < details->>'from' then 'raised' else 'lowered' end as direction
  from audit_events where action = 'case.severity_change';
grant select on severity_overrides to desk_app;
