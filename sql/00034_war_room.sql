-- The war room inside a case (the escalation-handler playbook's resolution management and
-- stakeholder communication, src/warroom): who commands it, who follows it, where it stands,
-- the resolution checklist, the org's stakeholder lists per severity, and every internal update
-- sent to them.

-- One row per case, made the first time someone edits the war room. A null commander is the
-- case's owner (the playbook's default), so reassigning the owner moves an undesignated command.
create table case_war_rooms (
  case_id uuid primary key references cases (id),
  org_id uuid not null references orgs (id),
  commander_id uuid references app_users (id),
  status_line text check (length(status_line) <= 500),
  next_action text check (length(next_action) <= 500),
  next_action_owner_id uuid references app_users (id),
  next_action_eta timestamptz,
  workaround text check (length(workaround) <= 4000),
  -- Whether the customer has been told the workaround (the playbook: "communicate it clearly").
  workaround_communicated boolean not null default false,
  hypothesis text check (length(hypothesis) <= 4000),
  -- A Slack or Teams channel, a bridge: an https link only (checked in src/warroom/war-room.ts too).
  channel_url text check (channel_url ~ '^https://' and length(channel_url) <= 500),
  updated_at timestamptz not null default now()
);

-- Collaborators: teammates who follow the case and receive its internal updates.
create table case_collaborators (
  case_id uuid not null references cases (id),
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  added_by uuid references app_users (id),
  added_at timestamptz not null default now(),
  primary key (case_id, user_id)
);

-- The resolution steps ticked on a case: a row is a step done; unticking deletes it (audited).
create table case_checklist_steps (
  case_id uuid not null references cases (id),
  org_id uuid not null references orgs (id),
  step text not null check (step in ('confirm_problem', 'root_cause', 'options', 'fix_or_workaround',
    'verified_with_customer', 'customer_satisfied', 'documented')),
  done_by uuid references app_users (id),
  done_at timestamptz not null default now(),
  primary key (case_id, step)
);

-- Who hears about a case of each severity besides its collaborators: the playbook's
-- stakeholders per severity (exec, CSM, engineering), as staff addresses.
create table stakeholder_lists (
  org_id uuid not null references orgs (id),
  severity text not null check (severity in ('SEV-1', 'SEV-2', 'SEV-3', 'SEV-4')),
  audience text not null check (audience in ('exec', 'csm', 'engineering')),
  emails text[] not null default '{}' check (cardinality(emails) <= 50),
  updated_at timestamptz not null default now(),
  primary key (org_id, severity, audience)
);

-- Internal status updates: staff mail, composed by a person and stored when sent, then
-- delivered by the staff-mail job (src/digest/send-staff-mail.ts) like the digest and alerts.
-- Never customer mail: no outbox row, no approval.
create table internal_updates (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  author_id uuid references app_users (id),
  status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
  recipients text[] not null check (cardinality(recipients) between 1 and 200),
  subject text not null check (length(subject) between 1 and 300),
  text_body text not null check (length(text_body) between 1 and 20000),
  html_body text,
  idempotency_key text not null unique,
  job_id bigint,
  -- Whether it went out after its cadence deadline (the case page and digest count the misses).
  due_at timestamptz,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  provider_id text,
  last_error text
);
create index internal_updates_case on internal_updates (case_id, created_at desc);

alter table case_war_rooms enable row level security;
create policy case_war_rooms_isolation on case_war_rooms using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table case_collaborators enable row level security;
create policy case_collaborators_isolation on case_collaborators using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table case_checklist_steps enable row level security;
create policy case_checklist_steps_isolation on case_checklist_steps using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table stakeholder_lists enable row level security;
create policy stakeholder_lists_isolation on stakeholder_lists using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table internal_updates enable row level security;
create policy internal_updates_isolation on internal_updates using (org_id = app_org_id()) with check (org_id = app_org_id());

grant select, insert, update on case_war_rooms, stakeholder_lists to desk_app;
grant select, insert, delete on case_collaborators, case_checklist_steps to desk_app;
-- The log of updates is kept: no delete.
grant select, insert, update on internal_updates to desk_app;
