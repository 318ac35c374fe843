-- The daily digest and immediate alerts. Both are claimed with a unique row in the same
-- transaction as the job that sends them, so however many schedulers (app processes, `desk
-- worker`, Cloudflare cron invocations) race, and whatever crashes, each goes out once: the row
-- decides who composes it, the job survives a crash, and the send carries an idempotency key
-- derived from the row so a retry after the provider accepted does not send twice.

-- A time zone Postgres knows, else UTC: one org with a bad zone must not stop every org's digest.
create function org_time_zone(tz text) returns text
  language plpgsql stable
  as $$
  begin
    perform now() at time zone tz;
    return tz;
  exception when others then
    return 'UTC';
  end
  $$;

create table digest_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  -- The org's local calendar day the digest is for: one per day, whatever happens.
  local_date date not null,
  -- queued: composed, its send job exists; skipped: nothing to say (or nobody to tell).
  status text not null default 'queued' check (status in ('queued', 'sent', 'skipped', 'failed')),
  reason text,
  recipients text[] not null default '{}',
  -- Composed once, when claimed: a retry sends the very same message (Resend refuses an
  -- idempotency key reused with a different payload).
  subject text,
  text_body text,
  html_body text,
  counts jsonb not null default '{}',
  idempotency_key text not null unique,
  job_id bigint,
  claimed_by text,
  compute_ms integer,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  provider_id text,
  last_error text,
  unique (org_id, local_date)
);

create table alerts_sent (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  kind text not null check (kind in ('new_sev1', 'at_risk', 'send_failed')),
  -- What the alert is about, once: new_sev1/<case>, at_risk/<case>/<deadline epoch>, send_failed/<outbox>.
  alert_key text not null check (length(alert_key) between 1 and 200),
  case_id uuid references cases (id),
  status text not null default 'queued' check (status in ('queued', 'sent', 'skipped', 'failed')),
  reason text,
  recipients text[] not null default '{}',
  subject text,
  text_body text,
  html_body text,
  idempotency_key text not null unique,
  job_id bigint,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  provider_id text,
  last_error text,
  unique (org_id, alert_key)
);

-- The alert scan runs every minute across orgs; these keep it to the few rows that can qualify.
-- "Arrived or became SEV-1 lately": the same expression as the scan, so the index serves it.
create index cases_sev1_recent on cases ((greatest(created_at, severity_changed_at))) where severity = 'SEV-1';
create index cases_open_at_risk on cases (next_at_risk_at) where status not in ('resolved', 'closed');
-- Yesterday's figures: replies sent on a given day, and clocks that came due (or were met) on it.
create index cases_org_first_response on cases (org_id, first_response_at) where first_response_at is not null;
create index cases_org_first_response_due on cases (org_id, first_response_due_at);
create index cases_org_resolution_due on cases (org_id, resolution_due_at);

do $$
declare
  t text;
begin
  foreach t in array array['digest_runs', 'alerts_sent']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())', t || '_isolation', t);
  end loop;
end
$$;

grant select, insert, update on digest_runs, alerts_sent to desk_app;

-- Org settings read by this feature live in orgs.settings (jsonb), with defaults:
--   digest_enabled (boolean, true), digest_when_empty (boolean, false: no mail when nothing
--   needs attention), digest_recipients (array of user emails; default every active approver
--   and admin), alert_new_sev1, alert_at_risk, alert_send_failed (booleans, true).
-- The hour is orgs.digest_hour in orgs.timezone.
