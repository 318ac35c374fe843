-- The playbook inside the case (issue 20): the scorecard's inputs the cases do not hold, and the
-- team's own reply templates.

-- Total support tickets per calendar month, entered or imported by an admin: the escalation
-- rate's denominator (escalations ÷ all tickets). One row per org and month; a new figure for a
-- month replaces the old one (audited).
create table ticket_counts (
  org_id uuid not null references orgs (id),
  month date not null check (extract(day from month) = 1),
  tickets integer not null check (tickets >= 0 and tickets <= 100000000),
  updated_by uuid references app_users (id),
  updated_at timestamptz not null default now(),
  primary key (org_id, month)
);
alter table ticket_counts enable row level security;
create policy ticket_counts_isolation on ticket_counts
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, update on ticket_counts to desk_app;

-- The org's templates, one immutable row per saved version: the highest version of a kind is the
-- one in use. Versions are never updated or deleted, so an earlier wording can always be read
-- back (and saved again as the newest).
create table org_templates (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  kind text not null
    check (kind in ('acknowledgment', 'progress_update', 'resolution', 'executive_apology', 'post_incident_summary')),
  version integer not null check (version >= 1),
  body text not null check (length(body) between 1 and 20000),
  created_by uuid references app_users (id),
  created_at timestamptz not null default now(),
  unique (org_id, kind, version)
);
alter table org_templates enable row level security;
create policy org_templates_isolation on org_templates
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert on org_templates to desk_app;

-- Update-cadence compliance needs every customer-update deadline that ever ran, and a case keeps
-- only its current one (next_update_due_at). Each deadline is recorded when it stops running:
-- replaced by the next one (a reply went out) or cleared (resolved, waiting on the customer), met
-- when that happened before it passed. Severity changes move a deadline too; that counts as it
-- stopping then. A trigger, so no path that sends or changes a case can forget it.
create table update_deadlines (
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  due_at timestamptz not null,
  settled_at timestamptz not null,
  met boolean not null,
  primary key (case_id, due_at)
);
create index update_deadlines_org_settled on update_deadlines (org_id, settled_at);
alter table update_deadlines enable row level security;
create policy update_deadlines_isolation on update_deadlines
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert on update_deadlines to desk_app;

create function record_update_deadline() returns trigger
language plpgsql as $$
begin
  insert into update_deadlines (org_id, case_id, due_at, settled_at, met)
  values (old.org_id, old.id, old.next_update_due_at, clock_timestamp(), clock_timestamp() <= old.next_update_due_at)
  on conflict do nothing;
  return new;
end $$;

create trigger cases_update_deadline_settled
  after update of next_update_due_at on cases
  for each row
  when (old.next_update_due_at is not null and new.next_update_due_at is distinct from old.next_update_due_at)
  execute function record_update_deadline();
