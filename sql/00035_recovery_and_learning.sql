-- Issue 20: customer recovery and learning. A case's recovery plan (the impact level and the
-- proportional actions, each a tracked item; relationship check-ins as dated items; the 90-day
-- check of the relationship), which severities must have a completed review before closing, the
-- short review of SEV-3/4 cases, root-cause tags, and the customer-facing incident summary as a
-- draft purpose (it goes through the approval gate like any reply, never a path of its own).

create table recovery_plans (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null unique references cases (id),
  impact_level text not null check (impact_level in ('minor', 'moderate', 'significant', 'severe')),
  -- The 90-day check: answered once, yes or no, with what it rests on.
  relationship_maintained boolean,
  check_note text not null default '' check (length(check_note) <= 2000),
  checked_at timestamptz,
  checked_by uuid references app_users (id),
  created_by uuid references app_users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((checked_at is null) = (relationship_maintained is null))
);

-- The digest lists the overdue ones (open, due before the org's local today).
create table recovery_items (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  kind text not null check (kind in ('apology', 'service_credit', 'executive_call', 'roadmap', 'in_person_meeting', 'gesture', 'check_in', 'other')),
  title text not null check (length(title) between 1 and 300),
  owner_id uuid not null references app_users (id),
  due_on date not null,
  -- A service credit always says how much.
  credit_amount numeric(12, 2) check (credit_amount > 0),
  credit_currency text check (credit_currency ~ '^[A-Z]{3}$'),
  status text not null default 'open' check (status in ('open', 'done')),
  done_at timestamptz,
  done_by uuid references app_users (id),
  created_by uuid references app_users (id),
  created_at timestamptz not null default now(),
  check ((status = 'done') = (done_at is not null)),
  check ((kind = 'service_credit') = (credit_amount is not null and credit_currency is not null))
);
create index recovery_items_open_due on recovery_items (org_id, due_on) where status = 'open';
create index recovery_items_case on recovery_items (case_id, due_on, created_at);

-- Which severities cannot be closed by the team without a completed review (no row: SEV-1 and SEV-2).
create table review_settings (
  org_id uuid primary key references orgs (id),
  required_severities text[] not null default '{SEV-1,SEV-2}'
    check (required_severities <@ array['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4']::text[]),
  updated_by uuid references app_users (id),
  updated_at timestamptz not null default now()
);

-- A short review (SEV-3/4: what happened, why, prevention) shares the table with the full one.
alter table incident_reviews
  add column kind text not null default 'full' check (kind in ('full', 'short')),
  add column process_answers text[] not null default '{}' check (cardinality(process_answers) <= 5),
  add column prevention text not null default '' check (length(prevention) <= 20000),
  add column customer_summary text not null default '' check (length(customer_summary) <= 20000),
  add column root_cause_tags text[] not null default '{}' check (cardinality(root_cause_tags) <= 10),
  add column completed_at timestamptz,
  add column completed_by uuid references app_users (id);
create index incident_reviews_tags on incident_reviews using gin (root_cause_tags);

alter table drafts drop constraint drafts_purpose_check;
alter table drafts add constraint drafts_purpose_check check (purpose in ('reply', 'update', 'resolution', 'incident_summary'));

do $$
declare
  t text;
begin
  foreach t in array array['recovery_plans', 'recovery_items', 'review_settings']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())', t || '_isolation', t);
  end loop;
end
$$;

grant select, insert, update on recovery_plans, recovery_items, review_settings to desk_app;
