-- Escalation chains (PagerDuty-style, for customer escalations). Per org and severity, what
-- happens as a case's clock runs down with nobody acting: at risk → the owner (unowned: every
-- approver and admin); a missed SEV-1/2 customer update → the owner; breached → the approvers
-- and admins, who stand for the owner's manager (users have no manager); breached by more than
-- N minutes → the org's executives. The alert scan (src/digest/alerts.ts, src/escalation/scan.ts)
-- claims each step of each clock once, here, in the transaction that queues its mail.

-- An org's choices; a severity without a row uses the defaults in src/escalation/policy.ts.
create table escalation_policies (
  org_id uuid not null references orgs (id),
  severity text not null check (severity in ('SEV-1', 'SEV-2', 'SEV-3', 'SEV-4')),
  at_risk boolean not null,
  cadence boolean not null,
  -- Minutes after the deadline; null: that step is off.
  approvers_after_minutes integer check (approvers_after_minutes between 0 and 1440),
  executives_after_minutes integer check (executives_after_minutes between 0 and 1440),
  updated_at timestamptz not null default now(),
  primary key (org_id, severity)
);

-- One row per step of one clock of one case: step_key is chain/<step>/<case>/<deadline epoch>,
-- unique, so however many schedulers race each step goes out once. A clock is identified by its
-- deadline: a sent reply or a changed severity moves the deadline, which is a new clock.
create table escalation_steps (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  step text not null check (step in ('at_risk', 'cadence', 'approvers', 'executives')),
  clock text not null check (clock in ('first response', 'customer update', 'resolution')),
  deadline timestamptz not null,
  step_key text not null check (length(step_key) between 1 and 200),
  -- queued: its mails are queued (alerts_sent rows, one per recipient); skipped: nobody to tell.
  status text not null default 'queued' check (status in ('queued', 'skipped')),
  reason text,
  recipients text[] not null default '{}',
  created_at timestamptz not null default now(),
  unique (org_id, step_key)
);
create index escalation_steps_case on escalation_steps (case_id, deadline);

-- The scan runs every minute across orgs and wants only clocks that ran down lately: by the
-- deadline (at risk, the breach steps) and by the customer update (a missed one). An old breach
-- left open is the digest's, and these keep the scan from reading it every minute.
create index cases_open_deadline on cases (next_deadline_at) where status not in ('resolved', 'closed');
create index cases_open_update_due on cases (next_update_due_at) where status not in ('resolved', 'closed') and next_update_due_at is not null;

-- "I'm on it": someone took the clock; no further step of it is sent. One per case and clock.
create table escalation_acks (
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  deadline timestamptz not null,
  step_id uuid not null references escalation_steps (id),
  acknowledged_by uuid not null references app_users (id),
  acknowledged_at timestamptz not null default now(),
  primary key (org_id, case_id, deadline)
);

do $$
declare
  t text;
begin
  foreach t in array array['escalation_policies', 'escalation_steps', 'escalation_acks']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())', t || '_isolation', t);
  end loop;
end
$$;
grant select, insert, update on escalation_policies to desk_app;
grant select, insert, update on escalation_steps to desk_app;
grant select, insert on escalation_acks to desk_app;

-- Each recipient of a step gets a mail of their own (their own acknowledge link), an alerts_sent
-- row keyed chain/<step>/<case>/<deadline epoch>/<n>.
alter table alerts_sent drop constraint alerts_sent_kind_check;
alter table alerts_sent add constraint alerts_sent_kind_check
  check (kind in ('new_sev1', 'at_risk', 'send_failed', 'cadence', 'approvers', 'executives'));

-- The at-risk alert before chains was the chain's first step: the clocks it already alerted
-- about count as claimed, so an upgrade does not mail them again.
insert into escalation_steps (org_id, case_id, step, clock, deadline, step_key, status, recipients, created_at)
select a.org_id, a.case_id, 'at_risk',
       case when floor(extract(epoch from c.first_response_due_at))::bigint = split_part(a.alert_key, '/', 3)::bigint then 'first response'
            when floor(extract(epoch from c.next_update_due_at))::bigint = split_part(a.alert_key, '/', 3)::bigint then 'customer update'
            else 'resolution' end,
       to_timestamp(split_part(a.alert_key, '/', 3)::bigint),
       'chain/at_risk/' || a.case_id || '/' || split_part(a.alert_key, '/', 3),
       case when a.status = 'skipped' then 'skipped' else 'queued' end, a.recipients, a.created_at
from alerts_sent a join cases c on c.id = a.case_id
where a.kind = 'at_risk' and a.alert_key ~ '^at_risk/[0-9a-f-]{36}/[0-9]+$'
on conflict do nothing;
