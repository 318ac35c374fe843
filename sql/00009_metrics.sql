-- Metrics, CSAT and post-incident reviews.
--
-- Durations are stored when a clock stops, in the clock the SLA targets are set in: the org's
-- working time when it has a business calendar, wall time otherwise. Computing working time at
-- query time would walk a calendar for every case of a period; storing it once keeps the metrics
-- page a plain aggregate over an index range, however many cases there are.

-- Seconds of working time in [from_at, to_at) under a calendar shaped like
-- businessCalendarSchema (src/cases/business-hours.ts); wall seconds when calendar is null.
-- Mirrors workingMinutesBetween() * 60 except inside DST gaps and overlaps: Postgres reads a
-- wall time that does not exist as if the clock had not moved yet, the app opens the interval
-- at the transition. Only calendars with hours at 01:00–03:00 on a DST night can tell.
create function working_seconds_between(from_at timestamptz, to_at timestamptz, calendar jsonb)
  returns double precision
  language plpgsql stable
  as $$
  declare
    tz text;
    day date;
    last_day date;
    total double precision := 0;
    iv jsonb;
    opens timestamptz;
    closes timestamptz;
  begin
    if from_at is null or to_at is null then return null; end if;
    if to_at < from_at then return -working_seconds_between(to_at, from_at, calendar); end if;
    if calendar is null or jsonb_typeof(calendar) <> 'object' then return extract(epoch from to_at - from_at); end if;
    tz := coalesce(calendar->>'timezone', 'UTC');
    -- One day early and late: an instant's local date differs from its UTC date by up to 14 h.
    day := (from_at at time zone tz)::date - 1;
    last_day := (to_at at time zone tz)::date + 1;
    while day <= last_day loop
      if not coalesce(calendar->'holidays' ? to_char(day, 'YYYY-MM-DD'), false) then
        for iv in select value from jsonb_array_elements(coalesce(calendar->'weekly'->(extract(dow from day)::int::text), '[]'::jsonb)) loop
          opens := (day + (iv->>0)::time) at time zone tz;
          closes := (day + (iv->>1)::time) at time zone tz;
          total := total + greatest(0, extract(epoch from least(closes, to_at) - greatest(opens, from_at)));
        end loop;
      end if;
      day := day + 1;
    end loop;
    return total;
  end
  $$;

-- Stopped clocks, in the org's SLA clock. Resolution excludes the time paused on the customer
-- (resolution_paused_seconds is already working time), like the resolution deadline does.
alter table cases
  add column first_response_seconds double precision,
  add column resolution_seconds double precision;

create function cases_stopped_clocks() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    cal jsonb;
  begin
    if tg_op = 'UPDATE'
       and new.first_response_at is not distinct from old.first_response_at
       and new.resolved_at is not distinct from old.resolved_at
       and new.opened_at = old.opened_at
       and new.resolution_paused_seconds = old.resolution_paused_seconds then
      return new;
    end if;
    if new.first_response_at is null and new.resolved_at is null then
      new.first_response_seconds := null;
      new.resolution_seconds := null;
      return new;
    end if;
    select business_calendar into cal from orgs where id = new.org_id;
    -- greatest() skips nulls, so a clock still running must stay null explicitly.
    new.first_response_seconds := case when new.first_response_at is not null
      then greatest(0, working_seconds_between(new.opened_at, new.first_response_at, cal)) end;
    new.resolution_seconds := case when new.resolved_at is not null
      then greatest(0, working_seconds_between(new.opened_at, new.resolved_at, cal) - new.resolution_paused_seconds) end;
    return new;
  end
  $$;
create trigger cases_stopped_clocks before insert or update of opened_at, first_response_at, resolved_at, resolution_paused_seconds
  on cases for each row execute function cases_stopped_clocks();

-- Time waiting for an approver: request created → decision, in the same clock.
alter table approval_requests add column wait_seconds double precision;

create function approval_requests_wait() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    cal jsonb;
  begin
    if new.decided_at is null then
      new.wait_seconds := null;
    elsif tg_op = 'INSERT' or old.decided_at is distinct from new.decided_at then
      select business_calendar into cal from orgs where id = new.org_id;
      new.wait_seconds := greatest(0, working_seconds_between(new.created_at, new.decided_at, cal));
    end if;
    return new;
  end
  $$;
create trigger approval_requests_wait before insert or update of decided_at
  on approval_requests for each row execute function approval_requests_wait();

-- Rows written before this migration (setting only the derived columns fires no trigger).
update cases c set
  first_response_seconds = case when c.first_response_at is not null
    then greatest(0, working_seconds_between(c.opened_at, c.first_response_at, o.business_calendar)) end,
  resolution_seconds = case when c.resolved_at is not null
    then greatest(0, working_seconds_between(c.opened_at, c.resolved_at, o.business_calendar) - c.resolution_paused_seconds) end
from orgs o where o.id = c.org_id and (c.first_response_at is not null or c.resolved_at is not null);
update approval_requests r set wait_seconds = greatest(0, working_seconds_between(r.created_at, r.decided_at, o.business_calendar))
from orgs o where o.id = r.org_id and r.decided_at is not null;

-- Repeat escalations: the same customer address or account in the 90 days before a case.
create index cases_customer_opened on cases (org_id, customer_email, opened_at) where customer_email is not null;
create index cases_account_opened on cases (org_id, account_id, opened_at) where account_id is not null;

-- Links sent to customers (CSAT rating, "confirm it's resolved"). A customer is not a user, so
-- these are not link_tokens rows: they are bound to an org, a case and a purpose. The jti is
-- consumed in the same transaction as the action, so each link works once.
create table customer_links (
  jti text primary key,
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  purpose text not null check (purpose in ('csat', 'confirm_resolution')),
  expires_at timestamptz not null,
  consumed_at timestamptz,
  created_at timestamptz not null default now()
);
create index customer_links_case on customer_links (case_id);

create table csat_responses (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  -- One answer per link: a replayed POST cannot add a second rating.
  link_jti text not null unique references customer_links (jti),
  rating smallint not null check (rating between 1 and 5),
  comment text not null default '' check (length(comment) <= 2000),
  created_at timestamptz not null default now()
);
create index csat_responses_case on csat_responses (case_id, created_at desc);

-- Post-incident review of a SEV-1/SEV-2 case. The timeline is not stored: it is read from the
-- audit trail each time, so the report cannot drift from what happened.
create table incident_reviews (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null unique references cases (id),
  summary text not null default '' check (length(summary) <= 20000),
  customer_impact text not null default '' check (length(customer_impact) <= 20000),
  -- The answers to "5 whys", in order.
  whys text[] not null default '{}' check (cardinality(whys) <= 5),
  root_cause text not null default '' check (length(root_cause) <= 20000),
  resolution text not null default '' check (length(resolution) <= 20000),
  recovery_taken text not null default '' check (length(recovery_taken) <= 20000),
  lessons text not null default '' check (length(lessons) <= 20000),
  created_by uuid references app_users (id),
  updated_by uuid references app_users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The digest lists overdue ones (status 'open', due_on before the org's local today).
create table prevention_actions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  owner_id uuid not null references app_users (id),
  title text not null check (length(title) between 1 and 300),
  due_on date not null,
  status text not null default 'open' check (status in ('open', 'done')),
  done_at timestamptz,
  created_by uuid references app_users (id),
  created_at timestamptz not null default now(),
  check ((status = 'done') = (done_at is not null))
);
create index prevention_actions_open_due on prevention_actions (org_id, due_on) where status = 'open';
create index prevention_actions_case on prevention_actions (case_id, created_at);

do $$
declare
  t text;
begin
  foreach t in array array['customer_links', 'csat_responses', 'incident_reviews', 'prevention_actions']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())', t || '_isolation', t);
  end loop;
end
$$;

grant select, insert, update on customer_links, incident_reviews, prevention_actions to desk_app;
-- Ratings are the customer's words: never rewritten.
grant select, insert on csat_responses to desk_app;
