-- Daily metrics rollups (issue 21): the metrics page sums these instead of reading every case of
-- its period. Two tables, both kept in the transaction that changes what they summarize:
--
--   metrics_case_facts  what one case contributes (its local day, group, flags, durations), so a
--                       change subtracts exactly what was added, whatever changed in between;
--   metrics_rollups     the sum per org, local day (orgs.timezone), severity and owner, and the
--                       same per local week (Monday to Sunday, the page's trend weeks), so a year
--                       reads 52 weeks and its edge days rather than 365 days: counts, and every
--                       stopped clock as float8 bytes (8 per case, big-endian), so the page's
--                       medians and p90s are computed over the exact values (a median cannot be
--                       summed; src/metrics/rollups.ts orders the period's values).
--
-- What depends on the hour the page is read (a first response or a resolution not yet given and
-- past its deadline; an approval still pending) is not stored: the page counts those over the
-- unfinished cases (partial index below) and the open approval requests (approval_requests_open),
-- and the stored breaches are only the settled ones.

create table metrics_case_facts (
  case_id uuid primary key,
  org_id uuid not null references orgs (id),
  day date not null,
  severity text not null,
  owner_id uuid,
  source text not null,
  -- false: a set-up test or a case merged into another, which count only in approval waits.
  counted boolean not null,
  is_open boolean not null,
  responded boolean not null,
  fr_met boolean not null,
  fr_breached boolean not null,
  resolved boolean not null,
  res_met boolean not null,
  res_breached boolean not null,
  rating smallint,
  asked boolean not null,
  is_repeat boolean not null,
  fr_seconds double precision,
  fr_wall_seconds double precision,
  res_seconds double precision,
  -- Asks for approval (one per request time) and the decided ones' waits, as float8 bytes.
  asks integer not null,
  approval_waits bytea not null
);
create index metrics_case_facts_org_day on metrics_case_facts (org_id, day);

create table metrics_rollups (
  org_id uuid not null references orgs (id),
  span text not null check (span in ('day', 'week')),
  -- The span's first local day (a Monday for a week).
  day date not null,
  severity text not null,
  owner_id uuid,
  cases integer not null default 0,
  open integer not null default 0,
  responded integer not null default 0,
  fr_met integer not null default 0,
  fr_breached integer not null default 0,
  resolved integer not null default 0,
  res_met integer not null default 0,
  res_breached integer not null default 0,
  surveyed integer not null default 0,
  rated integer not null default 0,
  rating_sum integer not null default 0,
  rated_5 integer not null default 0,
  rated_4 integer not null default 0,
  rated_3 integer not null default 0,
  rated_2 integer not null default 0,
  rated_1 integer not null default 0,
  repeats integer not null default 0,
  asks integer not null default 0,
  approval_waits bytea not null default '',
  sources jsonb not null default '{}',
  fr_seconds bytea not null default '',
  fr_wall_seconds bytea not null default '',
  res_seconds bytea not null default '',
  constraint metrics_rollups_key unique nulls not distinct (org_id, span, day, severity, owner_id)
);

alter table metrics_case_facts enable row level security;
create policy metrics_case_facts_isolation on metrics_case_facts using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table metrics_rollups enable row level security;
create policy metrics_rollups_isolation on metrics_rollups using (org_id = app_org_id()) with check (org_id = app_org_id());
-- Read-only for the app: only the triggers below (security definer) write them.
grant select on metrics_case_facts, metrics_rollups to desk_app;

-- The unfinished cases of a period, whose breaches the page counts at read time.
create index cases_unfinished_opened on cases (org_id, opened_at) where resolved_at is null and closed_at is null;

-- The org's zone as its days are counted in; UTC when PostgreSQL does not know the name (the
-- page then reads the cases themselves: src/metrics/metrics.ts).
create function metrics_zone(tz text) returns text
  language plpgsql stable
  as $$
  begin
    perform now() at time zone tz;
    return tz;
  exception when others then
    return 'UTC';
  end
  $$;

-- b without one occurrence of each 8-byte value of v (values are stored 8 bytes apart).
create function metrics_bytes_without(b bytea, v bytea) returns bytea
  language plpgsql immutable
  as $$
  declare
    i integer;
    j integer := 0;
    value bytea;
  begin
    while j < length(v) loop
      value := substring(v from j + 1 for 8);
      i := 0;
      while i < length(b) loop
        if substring(b from i + 1 for 8) = value then
          b := substring(b from 1 for i) || substring(b from i + 9);
          exit;
        end if;
        i := i + 8;
      end loop;
      j := j + 8;
    end loop;
    return b;
  end
  $$;

-- b with the value added (n = 1) or removed (n = -1); unchanged for a null or n = 0.
create function metrics_bytes_apply(b bytea, value double precision, n integer) returns bytea
  language sql immutable
  as $$
    select case when value is null or n = 0 then b when n > 0 then b || float8send(value)
                else metrics_bytes_without(b, float8send(value)) end
  $$;

-- The facts of some cases of one org, as metrics/queries.ts's per-case definitions read them
-- (the test holds the page to that computation). A repeat:
-- another case of the same address or account opened in the 90 days before (or at the same
-- instant with a lower number), set-up tests and merged cases excluded on both sides.
create function metrics_facts_of(org uuid, ids uuid[]) returns setof metrics_case_facts
  language plpgsql stable security definer set search_path = public
  as $$
  begin
    -- PL/pgSQL, not SQL: its plan is prepared once per session, not once per case.
    return query
    select c.id, c.org_id, (c.opened_at at time zone metrics_zone(o.timezone))::date, c.severity, c.owner_id, c.source,
           not c.setup_test and c.merged_into is null,
           c.status not in ('resolved', 'closed'),
           c.first_response_at is not null,
           coalesce(c.first_response_at <= c.first_response_due_at, false),
           coalesce(c.first_response_at > c.first_response_due_at
                    or (c.first_response_at is null and coalesce(c.resolved_at, c.closed_at) is not null
                        and c.first_response_due_at <= coalesce(c.resolved_at, c.closed_at)), false),
           c.resolved_at is not null,
           coalesce(c.resolved_at <= c.resolution_due_at, false),
           coalesce(c.resolved_at > c.resolution_due_at, false),
           (select x.rating from csat_responses x where x.case_id = c.id order by x.created_at desc limit 1),
           exists (select 1 from outbox b join drafts d on d.id = b.draft_id
                   where b.case_id = c.id and b.status = 'sent' and d.purpose = 'resolution'),
           (c.customer_email is not null and exists (
              select 1 from cases p
              where p.org_id = c.org_id and p.customer_email = c.customer_email and p.id <> c.id
                and not p.setup_test and p.merged_into is null
                and p.opened_at >= c.opened_at - interval '2160 hours'
                and (p.opened_at < c.opened_at or (p.opened_at = c.opened_at and p.number < c.number))))
           or (c.account_id is not null and exists (
              select 1 from cases p
              where p.org_id = c.org_id and p.account_id = c.account_id and p.id <> c.id
                and not p.setup_test and p.merged_into is null
                and p.opened_at >= c.opened_at - interval '2160 hours'
                and (p.opened_at < c.opened_at or (p.opened_at = c.opened_at and p.number < c.number)))),
           c.first_response_seconds,
           extract(epoch from c.first_response_at - c.opened_at)::float8,
           c.resolution_seconds,
           coalesce(a.asks, 0),
           coalesce(a.waits, '')
    from cases c join orgs o on o.id = c.org_id
    left join lateral (
      select count(*)::int as asks, string_agg(float8send(w.wait), ''::bytea) filter (where w.wait is not null) as waits
      from (select min(r.wait_seconds) filter (where r.decided_at is not null) as wait
            from approval_requests r where r.case_id = c.id group by r.created_at) w
    ) a on true
    where c.org_id = org and c.id = any (ids);
  end
  $$;

-- Adds (sign 1) or subtracts (sign -1) one case's facts to its day and its week. The update takes
-- the row's lock and reads its latest version, so concurrent changes to one day add up.
create function metrics_rollup_apply(f metrics_case_facts, sign integer) returns void
  language plpgsql security definer set search_path = public
  as $$
  declare
    n integer := sign * f.counted::int;
    s text;
    first date;
  begin
    foreach s in array array['day', 'week'] loop
    first := case when s = 'day' then f.day else f.day - (extract(isodow from f.day)::int - 1) end;
    insert into metrics_rollups (org_id, span, day, severity, owner_id) values (f.org_id, s, first, f.severity, f.owner_id)
    on conflict on constraint metrics_rollups_key do nothing;
    update metrics_rollups d set
      cases = d.cases + n,
      open = d.open + n * f.is_open::int,
      responded = d.responded + n * f.responded::int,
      fr_met = d.fr_met + n * f.fr_met::int,
      fr_breached = d.fr_breached + n * f.fr_breached::int,
      resolved = d.resolved + n * f.resolved::int,
      res_met = d.res_met + n * f.res_met::int,
      res_breached = d.res_breached + n * f.res_breached::int,
      surveyed = d.surveyed + n * (f.rating is not null or f.asked)::int,
      rated = d.rated + n * (f.rating is not null)::int,
      rating_sum = d.rating_sum + n * coalesce(f.rating, 0),
      rated_5 = d.rated_5 + n * coalesce(f.rating = 5, false)::int,
      rated_4 = d.rated_4 + n * coalesce(f.rating = 4, false)::int,
      rated_3 = d.rated_3 + n * coalesce(f.rating = 3, false)::int,
      rated_2 = d.rated_2 + n * coalesce(f.rating = 2, false)::int,
      rated_1 = d.rated_1 + n * coalesce(f.rating = 1, false)::int,
      repeats = d.repeats + n * f.is_repeat::int,
      asks = d.asks + sign * f.asks,
      sources = case when n = 0 then d.sources
                     else jsonb_set(d.sources, array[f.source], to_jsonb(coalesce((d.sources ->> f.source)::int, 0) + n)) end,
      fr_seconds = metrics_bytes_apply(d.fr_seconds, f.fr_seconds, n),
      fr_wall_seconds = metrics_bytes_apply(d.fr_wall_seconds, f.fr_wall_seconds, n),
      res_seconds = metrics_bytes_apply(d.res_seconds, f.res_seconds, n),
      approval_waits = case when sign > 0 then d.approval_waits || f.approval_waits
                            else metrics_bytes_without(d.approval_waits, f.approval_waits) end
    where d.org_id = f.org_id and d.span = s and d.day = first and d.severity = f.severity and d.owner_id is not distinct from f.owner_id;
    if sign < 0 then
      delete from metrics_rollups d
      where d.org_id = f.org_id and d.span = s and d.day = first and d.severity = f.severity
        and d.owner_id is not distinct from f.owner_id and d.cases = 0 and d.asks = 0;
    end if;
    end loop;
  end
  $$;

-- Recomputes what one case contributes: subtracts its recorded facts, adds its current ones.
create function metrics_refresh_case(org uuid, id uuid) returns void
  language plpgsql security definer set search_path = public
  as $$
  declare
    f metrics_case_facts;
  begin
    for f in delete from metrics_case_facts x where x.case_id = id returning * loop
      perform metrics_rollup_apply(f, -1);
    end loop;
    for f in select * from metrics_facts_of(org, array[id]) loop
      insert into metrics_case_facts select (f).*;
      perform metrics_rollup_apply(f, 1);
    end loop;
  end
  $$;

-- The cases whose "repeat" may change with a case of this address or account opened at `opened`:
-- the 90 days after it, those not yet repeats when the case arrives (was_repeat false), those
-- that are when it leaves (true). Cases without facts yet get theirs from their own trigger.
create function metrics_refresh_followers(org uuid, self uuid, email text, account uuid, opened timestamptz, was_repeat boolean)
  returns void
  language plpgsql security definer set search_path = public
  as $$
  declare
    follower uuid;
  begin
    if opened is null then
      return;
    end if;
    for follower in
      select c.id from cases c join metrics_case_facts f on f.case_id = c.id
      where c.org_id = org and c.id <> self and c.opened_at >= opened and c.opened_at <= opened + interval '2160 hours'
        and ((email is not null and c.customer_email = email) or (account is not null and c.account_id = account))
        and f.counted and f.is_repeat = was_repeat
    loop
      perform metrics_refresh_case(org, follower);
    end loop;
  end
  $$;

create function cases_metrics_rollup() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    if tg_op = 'DELETE' then
      perform metrics_refresh_case(old.org_id, old.id);
    else
      perform metrics_refresh_case(new.org_id, new.id);
    end if;
    if tg_op <> 'INSERT' and (tg_op = 'DELETE' or (old.customer_email, old.account_id, old.opened_at, old.number, old.setup_test, old.merged_into)
                                                   is distinct from (new.customer_email, new.account_id, new.opened_at, new.number, new.setup_test, new.merged_into)) then
      perform metrics_refresh_followers(old.org_id, old.id, old.customer_email, old.account_id, old.opened_at, true);
    end if;
    if tg_op = 'INSERT' or (tg_op = 'UPDATE' and (old.customer_email, old.account_id, old.opened_at, old.number, old.setup_test, old.merged_into)
                                                  is distinct from (new.customer_email, new.account_id, new.opened_at, new.number, new.setup_test, new.merged_into)) then
      perform metrics_refresh_followers(new.org_id, new.id, new.customer_email, new.account_id, new.opened_at, false);
    end if;
    return null;
  end
  $$;
create trigger cases_metrics_rollup after insert or delete on cases for each row execute function cases_metrics_rollup();
create trigger cases_metrics_rollup_update after update on cases for each row
  when ((old.org_id, old.opened_at, old.severity, old.owner_id, old.source, old.status, old.first_response_at, old.first_response_due_at,
         old.first_response_seconds, old.resolved_at, old.resolution_due_at, old.resolution_seconds, old.closed_at, old.setup_test,
         old.merged_into, old.customer_email, old.account_id, old.number)
        is distinct from
        (new.org_id, new.opened_at, new.severity, new.owner_id, new.source, new.status, new.first_response_at, new.first_response_due_at,
         new.first_response_seconds, new.resolved_at, new.resolution_due_at, new.resolution_seconds, new.closed_at, new.setup_test,
         new.merged_into, new.customer_email, new.account_id, new.number))
  execute function cases_metrics_rollup();

-- A rating or a sent resolution message changes the case's CSAT facts, an approval its waits.
create function metrics_rollup_of_case() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    -- The case's own lock first: a concurrent change of the case refreshes after this one.
    if tg_op <> 'INSERT' then
      perform 1 from cases c where c.id = old.case_id for update;
      perform metrics_refresh_case(old.org_id, old.case_id);
    end if;
    if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.case_id <> old.case_id) then
      perform 1 from cases c where c.id = new.case_id for update;
      perform metrics_refresh_case(new.org_id, new.case_id);
    end if;
    return null;
  end
  $$;
create trigger csat_responses_metrics_rollup after insert or update or delete on csat_responses
  for each row execute function metrics_rollup_of_case();
create trigger outbox_metrics_rollup after insert or delete or update of status on outbox
  for each row execute function metrics_rollup_of_case();

create trigger approval_requests_metrics_rollup after insert or delete or update of case_id, created_at, decided_at, wait_seconds
  on approval_requests for each row execute function metrics_rollup_of_case();

create function drafts_metrics_rollup() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    id uuid;
  begin
    for id in select distinct b.case_id from outbox b where b.draft_id = new.id and b.status = 'sent' loop
      perform metrics_refresh_case(new.org_id, id);
    end loop;
    return null;
  end
  $$;
create trigger drafts_metrics_rollup after update of purpose on drafts for each row
  when (old.purpose is distinct from new.purpose) execute function drafts_metrics_rollup();

-- Every fact of an org again (the backfill, and a new time zone moves cases to other days).
create function metrics_rebuild_org(org uuid) returns void
  language plpgsql security definer set search_path = public
  as $$
  begin
    delete from metrics_rollups where org_id = org;
    delete from metrics_case_facts where org_id = org;
    insert into metrics_case_facts select * from metrics_facts_of(org, array(select c.id from cases c where c.org_id = org));
    insert into metrics_rollups (org_id, span, day, severity, owner_id, cases, open, responded, fr_met, fr_breached, resolved,
                                 res_met, res_breached, surveyed, rated, rating_sum, rated_5, rated_4, rated_3, rated_2, rated_1, repeats,
                                 asks, approval_waits, sources, fr_seconds, fr_wall_seconds, res_seconds)
    with keyed as (
      select s.span, case when s.span = 'day' then f.day else f.day - (extract(isodow from f.day)::int - 1) end as first, f.*
      from metrics_case_facts f cross join (values ('day'), ('week')) s (span)
      where f.org_id = org
    ),
    counted_sources as (
      select x.span, x.first, x.severity, x.owner_id, jsonb_object_agg(x.source, x.n) as sources
      from (select k.span, k.first, k.severity, k.owner_id, k.source, count(*) as n from keyed k where k.counted group by 1, 2, 3, 4, 5) x
      group by 1, 2, 3, 4
    )
    select f.org_id, f.span, f.first, f.severity, f.owner_id, count(*) filter (where f.counted),
           count(*) filter (where f.counted and f.is_open), count(*) filter (where f.counted and f.responded),
           count(*) filter (where f.counted and f.fr_met), count(*) filter (where f.counted and f.fr_breached),
           count(*) filter (where f.counted and f.resolved), count(*) filter (where f.counted and f.res_met),
           count(*) filter (where f.counted and f.res_breached),
           count(*) filter (where f.counted and (f.rating is not null or f.asked)), count(f.rating) filter (where f.counted),
           coalesce(sum(f.rating) filter (where f.counted), 0),
           count(*) filter (where f.counted and f.rating = 5), count(*) filter (where f.counted and f.rating = 4),
           count(*) filter (where f.counted and f.rating = 3), count(*) filter (where f.counted and f.rating = 2),
           count(*) filter (where f.counted and f.rating = 1), count(*) filter (where f.counted and f.is_repeat), sum(f.asks),
           coalesce(string_agg(f.approval_waits, ''::bytea), ''),
           coalesce(s.sources, '{}'),
           coalesce(string_agg(float8send(f.fr_seconds), ''::bytea) filter (where f.counted), ''),
           coalesce(string_agg(float8send(f.fr_wall_seconds), ''::bytea) filter (where f.counted), ''),
           coalesce(string_agg(float8send(f.res_seconds), ''::bytea) filter (where f.counted), '')
    from keyed f
    left join counted_sources s on s.span = f.span and s.first = f.first and s.severity = f.severity
                                and s.owner_id is not distinct from f.owner_id
    group by f.org_id, f.span, f.first, f.severity, f.owner_id, s.sources;
  end
  $$;

create function orgs_metrics_rollup() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    perform metrics_rebuild_org(new.id);
    return null;
  end
  $$;
create trigger orgs_metrics_rollup after update of timezone on orgs for each row
  when (old.timezone is distinct from new.timezone) execute function orgs_metrics_rollup();

-- Security definer and blind to row-level security: only the triggers above call them.
revoke execute on function metrics_facts_of(uuid, uuid[]), metrics_rollup_apply(metrics_case_facts, integer),
  metrics_refresh_case(uuid, uuid), metrics_refresh_followers(uuid, uuid, text, uuid, timestamptz, boolean), metrics_rebuild_org(uuid)
  from public;

select metrics_rebuild_org(id) from orgs;
