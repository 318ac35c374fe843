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
-- page then reads the cases themselves: src/metrics/metrics.ts). The answer is kept for the
-- session (a custom setting): the exception block that finds an unknown name is a
-- subtransaction, and one per case (a 10,000-row import in one transaction) overflowed every
-- session's snapshot cache of subtransactions.
create function metrics_zone(tz text) returns text
  language plpgsql stable
  as $$
  declare
    known jsonb := nullif(current_setting('desk_metrics.zone', true), '')::jsonb;
    zone text := 'UTC';
  begin
    if known ->> 'tz' = tz then
      return known ->> 'zone';
    end if;
    begin
      perform now() at time zone tz;
      zone := tz;
    exception when others then
      zone := 'UTC';
    end;
    perform set_config('desk_metrics.zone', jsonb_build_object('tz', tz, 'zone', zone)::text, false);
    return zone;
  end
  $$;

-- b without one occurrence of each 8-byte value of v (values are stored 8 bytes apart): one
-- value by a scan of b, more in one pass over each. PL/pgSQL for its plans kept per session.
create function metrics_bytes_without(b bytea, v bytea) returns bytea
  language plpgsql immutable
  as $$
  declare
    i integer := 0;
  begin
    if length(v) = 0 then
      return b;
    end if;
    if length(v) = 8 then
      while i < length(b) loop
        if substring(b from i + 1 for 8) = v then
          return substring(b from 1 for i) || substring(b from i + 9);
        end if;
        i := i + 8;
      end loop;
      return b;
    end if;
    return coalesce((
      select string_agg(x.value, ''::bytea order by x.i)
      from (select g as i, substring(b from g * 8 + 1 for 8) as value,
                   row_number() over (partition by substring(b from g * 8 + 1 for 8) order by g) as k
            from generate_series(0, length(b) / 8 - 1) g) x
      left join (select substring(v from j * 8 + 1 for 8) as value, count(*) as n
                 from generate_series(0, length(v) / 8 - 1) j group by 1) r on r.value = x.value
      where x.k > coalesce(r.n, 0)), ''::bytea);
  end
  $$;

-- The facts of some cases of one org, as metrics/queries.ts's per-case definitions read them
-- (the test holds the page to that computation). A repeat:
-- another case of the same address or account opened in the 90 days before (or at the same
-- instant with a lower number), set-up tests and merged cases excluded on both sides.
-- A case without its number yet (intake numbers it last, sql/00043) has no facts: the update
-- that numbers it, its transaction's last statement, adds them, so no rollup row is locked
-- earlier in the transaction.
create function metrics_facts_of(org uuid, ids uuid[]) returns setof metrics_case_facts
  language plpgsql stable security definer set search_path = public
  as $$
  declare
    zone text := metrics_zone((select o.timezone from orgs o where o.id = org));
  begin
    -- PL/pgSQL, not SQL: its plan is prepared once per session, not once per call.
    return query
    select c.id, c.org_id, (c.opened_at at time zone zone)::date, c.severity, c.owner_id, c.source,
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
    from cases c
    left join lateral (
      select count(*)::int as asks, string_agg(float8send(w.wait), ''::bytea) filter (where w.wait is not null) as waits
      from (select min(r.wait_seconds) filter (where r.decided_at is not null) as wait
            from approval_requests r where r.case_id = c.id group by r.created_at) w
    ) a on true
    where c.org_id = org and c.id = any (ids) and c.number is not null;
  end
  $$;

-- What some changed facts do to one day's or week's row: signed counts, the sources' counts, and
-- the stopped clocks' values to add and to remove.
create type metrics_delta as (
  org_id uuid, span text, day date, severity text, owner_id uuid,
  cases integer, open integer, responded integer, fr_met integer, fr_breached integer, resolved integer, res_met integer,
  res_breached integer, surveyed integer, rated integer, rating_sum integer, rated_5 integer, rated_4 integer, rated_3 integer,
  rated_2 integer, rated_1 integer, repeats integer, asks integer, sources jsonb,
  fr_add bytea, fr_del bytea, fr_wall_add bytea, fr_wall_del bytea, res_add bytea, res_del bytea, waits_add bytea, waits_del bytea
);

-- Subtracts the old facts and adds the new ones, summed per row first: one insert of the rows
-- not there yet, one pass locking the rows in key order (two transactions lock them in the same
-- order), one update, and no statement at all for a row whose sums do not change. The update
-- reads each row's latest version, so concurrent changes to one day add up.
create function metrics_rollups_apply(olds metrics_case_facts[], news metrics_case_facts[]) returns void
  language plpgsql security definer set search_path = public
  as $$
  declare
    deltas metrics_delta[];
  begin
    with f as (
      select o.*, -1 as sign from unnest(olds) o
      union all
      select n.*, 1 from unnest(news) n
    ),
    keyed as (
      select s.span, case when s.span = 'day' then f.day else f.day - (extract(isodow from f.day)::int - 1) end as first,
             f.*, f.sign * f.counted::int as n
      from f cross join (values ('day'), ('week')) s (span)
    ),
    counted_sources as (
      select x.org_id, x.span, x.first, x.severity, x.owner_id, jsonb_object_agg(x.source, x.n) as sources
      from (select k.org_id, k.span, k.first, k.severity, k.owner_id, k.source, sum(k.n)::int as n
            from keyed k group by 1, 2, 3, 4, 5, 6) x
      where x.n <> 0
      group by 1, 2, 3, 4, 5
    ),
    summed as (
      select k.org_id, k.span, k.first, k.severity, k.owner_id,
             sum(k.n)::int as cases, sum(k.n * k.is_open::int)::int as open, sum(k.n * k.responded::int)::int as responded,
             sum(k.n * k.fr_met::int)::int as fr_met, sum(k.n * k.fr_breached::int)::int as fr_breached,
             sum(k.n * k.resolved::int)::int as resolved, sum(k.n * k.res_met::int)::int as res_met,
             sum(k.n * k.res_breached::int)::int as res_breached,
             sum(k.n * (k.rating is not null or k.asked)::int)::int as surveyed, sum(k.n * (k.rating is not null)::int)::int as rated,
             sum(k.n * coalesce(k.rating, 0))::int as rating_sum,
             sum(k.n * coalesce(k.rating = 5, false)::int)::int as rated_5, sum(k.n * coalesce(k.rating = 4, false)::int)::int as rated_4,
             sum(k.n * coalesce(k.rating = 3, false)::int)::int as rated_3, sum(k.n * coalesce(k.rating = 2, false)::int)::int as rated_2,
             sum(k.n * coalesce(k.rating = 1, false)::int)::int as rated_1, sum(k.n * k.is_repeat::int)::int as repeats,
             sum(k.sign * k.asks)::int as asks,
             coalesce(string_agg(float8send(k.fr_seconds), ''::bytea) filter (where k.n > 0), '') as fr_add,
             coalesce(string_agg(float8send(k.fr_seconds), ''::bytea) filter (where k.n < 0), '') as fr_del,
             coalesce(string_agg(float8send(k.fr_wall_seconds), ''::bytea) filter (where k.n > 0), '') as fr_wall_add,
             coalesce(string_agg(float8send(k.fr_wall_seconds), ''::bytea) filter (where k.n < 0), '') as fr_wall_del,
             coalesce(string_agg(float8send(k.res_seconds), ''::bytea) filter (where k.n > 0), '') as res_add,
             coalesce(string_agg(float8send(k.res_seconds), ''::bytea) filter (where k.n < 0), '') as res_del,
             coalesce(string_agg(k.approval_waits, ''::bytea) filter (where k.sign > 0), '') as waits_add,
             coalesce(string_agg(k.approval_waits, ''::bytea) filter (where k.sign < 0), '') as waits_del
      from keyed k
      group by 1, 2, 3, 4, 5
    )
    select array_agg(row(d.org_id, d.span, d.first, d.severity, d.owner_id, d.cases, d.open, d.responded, d.fr_met, d.fr_breached,
                         d.resolved, d.res_met, d.res_breached, d.surveyed, d.rated, d.rating_sum, d.rated_5, d.rated_4, d.rated_3,
                         d.rated_2, d.rated_1, d.repeats, d.asks, coalesce(s.sources, '{}'), d.fr_add, d.fr_del, d.fr_wall_add,
                         d.fr_wall_del, d.res_add, d.res_del, d.waits_add, d.waits_del)::metrics_delta
                     order by d.org_id, d.span, d.first, d.severity, d.owner_id)
      into deltas
    from summed d
    left join counted_sources s on s.org_id = d.org_id and s.span = d.span and s.first = d.first and s.severity = d.severity
                                and s.owner_id is not distinct from d.owner_id
    where s.sources is not null
       or (d.cases, d.open, d.responded, d.fr_met, d.fr_breached, d.resolved, d.res_met, d.res_breached, d.surveyed, d.rated,
           d.rating_sum, d.rated_5, d.rated_4, d.rated_3, d.rated_2, d.rated_1, d.repeats, d.asks)
          <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
       or length(d.fr_add || d.fr_del || d.fr_wall_add || d.fr_wall_del || d.res_add || d.res_del || d.waits_add || d.waits_del) > 0;
    if deltas is null then
      return;
    end if;
    insert into metrics_rollups (org_id, span, day, severity, owner_id)
      select d.org_id, d.span, d.day, d.severity, d.owner_id from unnest(deltas) d
      order by d.org_id, d.span, d.day, d.severity, d.owner_id
      on conflict on constraint metrics_rollups_key do nothing;
    perform 1 from metrics_rollups r join unnest(deltas) d
        on r.org_id = d.org_id and r.span = d.span and r.day = d.day and r.severity = d.severity and r.owner_id is not distinct from d.owner_id
      order by r.org_id, r.span, r.day, r.severity, r.owner_id
      for update of r;
    update metrics_rollups r set
      cases = r.cases + d.cases,
      open = r.open + d.open,
      responded = r.responded + d.responded,
      fr_met = r.fr_met + d.fr_met,
      fr_breached = r.fr_breached + d.fr_breached,
      resolved = r.resolved + d.resolved,
      res_met = r.res_met + d.res_met,
      res_breached = r.res_breached + d.res_breached,
      surveyed = r.surveyed + d.surveyed,
      rated = r.rated + d.rated,
      rating_sum = r.rating_sum + d.rating_sum,
      rated_5 = r.rated_5 + d.rated_5,
      rated_4 = r.rated_4 + d.rated_4,
      rated_3 = r.rated_3 + d.rated_3,
      rated_2 = r.rated_2 + d.rated_2,
      rated_1 = r.rated_1 + d.rated_1,
      repeats = r.repeats + d.repeats,
      asks = r.asks + d.asks,
      sources = case when d.sources = '{}' then r.sources
                     else r.sources || (select jsonb_object_agg(e.key, coalesce((r.sources ->> e.key)::int, 0) + e.value::int)
                                        from jsonb_each_text(d.sources) e) end,
      fr_seconds = metrics_bytes_without(r.fr_seconds, d.fr_del) || d.fr_add,
      fr_wall_seconds = metrics_bytes_without(r.fr_wall_seconds, d.fr_wall_del) || d.fr_wall_add,
      res_seconds = metrics_bytes_without(r.res_seconds, d.res_del) || d.res_add,
      approval_waits = metrics_bytes_without(r.approval_waits, d.waits_del) || d.waits_add
    from unnest(deltas) d
    where r.org_id = d.org_id and r.span = d.span and r.day = d.day and r.severity = d.severity and r.owner_id is not distinct from d.owner_id;
    delete from metrics_rollups r using unnest(deltas) d
    where r.org_id = d.org_id and r.span = d.span and r.day = d.day and r.severity = d.severity and r.owner_id is not distinct from d.owner_id
      and r.cases = 0 and r.asks = 0;
  end
  $$;

-- Recomputes what some cases contribute (of any orgs; deleted ones contribute nothing): the
-- facts that changed are replaced and their difference applied once; unchanged ones are left
-- alone, taking no lock.
create function metrics_refresh_cases(ids uuid[]) returns void
  language plpgsql security definer set search_path = public
  as $$
  declare
    cur metrics_case_facts[];
    olds metrics_case_facts[];
    news metrics_case_facts[];
  begin
    if cardinality(ids) = 0 then
      return;
    end if;
    select coalesce(array_agg(f), '{}') into cur
      from (select distinct c.org_id from cases c where c.id = any (ids)) o, metrics_facts_of(o.org_id, ids) f;
    with gone as (
      delete from metrics_case_facts x
      where x.case_id = any (ids) and not exists (select 1 from unnest(cur) c where c.case_id = x.case_id and row(c.*) is not distinct from row(x.*))
      returning x
    )
    select coalesce(array_agg(g.x), '{}') into olds from gone g;
    with added as (
      insert into metrics_case_facts as x
        select c.* from unnest(cur) c where not exists (select 1 from metrics_case_facts f where f.case_id = c.case_id)
      on conflict (case_id) do nothing
      returning x
    )
    select coalesce(array_agg(a.x), '{}') into news from added a;
    if cardinality(olds) + cardinality(news) > 0 then
      perform metrics_rollups_apply(olds, news);
    end if;
  end
  $$;

-- A case arriving at (was_repeat false) or leaving (true) an address or account at an instant.
create type metrics_probe as (org_id uuid, id uuid, email text, account uuid, opened timestamptz, was_repeat boolean);

-- The cases whose "repeat" may change with these: of the same address or account, opened in the
-- 90 days after, not yet repeats when one arrives, repeats when one leaves. Two index probes per
-- case (cases_customer_opened, cases_account_opened), not an OR. Cases without facts yet get
-- theirs with the cases changed.
create function metrics_followers(probes metrics_probe[]) returns uuid[]
  language plpgsql stable security definer set search_path = public
  as $$
  begin
    if cardinality(probes) = 0 then
      return '{}';
    end if;
    return (select coalesce(array_agg(distinct x.id), '{}') from (
      select c.id from unnest(probes) p
      join cases c on c.org_id = p.org_id and c.customer_email = p.email and c.id <> p.id
                  and c.opened_at >= p.opened and c.opened_at <= p.opened + interval '2160 hours'
      join metrics_case_facts f on f.case_id = c.id and f.counted and f.is_repeat = p.was_repeat
      where p.email is not null
      union all
      select c.id from unnest(probes) p
      join cases c on c.org_id = p.org_id and c.account_id = p.account and c.id <> p.id
                  and c.opened_at >= p.opened and c.opened_at <= p.opened + interval '2160 hours'
      join metrics_case_facts f on f.case_id = c.id and f.counted and f.is_repeat = p.was_repeat
      where p.account is not null
    ) x);
  end
  $$;

-- Once per statement, from its transition tables (a CSV import inserts 500 cases a statement).
-- An insert of numbered cases adds them and refreshes their followers; intake's unnumbered
-- insert does nothing (its numbering update does it).
create function cases_metrics_insert() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    ids uuid[];
    probes metrics_probe[];
  begin
    select array_agg(n.id), array_agg(row(n.org_id, n.id, n.customer_email, n.account_id, n.opened_at, false)::metrics_probe)
      into ids, probes
    from new_cases n where n.number is not null;
    if ids is not null then
      perform metrics_refresh_cases(ids || metrics_followers(probes));
    end if;
    return null;
  end
  $$;
create trigger cases_metrics_insert after insert on cases referencing new table as new_cases
  for each statement execute function cases_metrics_insert();

create function cases_metrics_delete() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    ids uuid[];
    probes metrics_probe[];
  begin
    select array_agg(o.id), array_agg(row(o.org_id, o.id, o.customer_email, o.account_id, o.opened_at, true)::metrics_probe)
      into ids, probes
    from old_cases o where o.number is not null;
    if ids is not null then
      perform metrics_refresh_cases(ids || metrics_followers(probes));
    end if;
    return null;
  end
  $$;
create trigger cases_metrics_delete after delete on cases referencing old table as old_cases
  for each statement execute function cases_metrics_delete();

-- An update refreshes the cases whose read columns changed; a change of who or when a case is
-- (address, account, opening, number, set-up test, merge) refreshes the followers it leaves and
-- those it joins. Unnumbered before and after: nothing.
create function cases_metrics_update() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    ids uuid[];
    probes metrics_probe[];
  begin
    select array_agg(n.id),
           array_agg(row(o.org_id, o.id, o.customer_email, o.account_id, o.opened_at, true)::metrics_probe) filter (where o.number is not null and w)
           || array_agg(row(n.org_id, n.id, n.customer_email, n.account_id, n.opened_at, false)::metrics_probe) filter (where n.number is not null and w)
      into ids, probes
    from old_cases o join new_cases n on n.id = o.id,
         lateral (select (o.customer_email, o.account_id, o.opened_at, o.number, o.setup_test, o.merged_into)
                         is distinct from (n.customer_email, n.account_id, n.opened_at, n.number, n.setup_test, n.merged_into) as w) x
    where (o.number is not null or n.number is not null)
      and (o.org_id, o.opened_at, o.severity, o.owner_id, o.source, o.status, o.first_response_at, o.first_response_due_at,
           o.first_response_seconds, o.resolved_at, o.resolution_due_at, o.resolution_seconds, o.closed_at, o.setup_test,
           o.merged_into, o.customer_email, o.account_id, o.number)
          is distinct from
          (n.org_id, n.opened_at, n.severity, n.owner_id, n.source, n.status, n.first_response_at, n.first_response_due_at,
           n.first_response_seconds, n.resolved_at, n.resolution_due_at, n.resolution_seconds, n.closed_at, n.setup_test,
           n.merged_into, n.customer_email, n.account_id, n.number);
    if ids is not null then
      perform metrics_refresh_cases(ids || metrics_followers(coalesce(probes, '{}')));
    end if;
    return null;
  end
  $$;
create trigger cases_metrics_update after update on cases referencing old table as old_cases new table as new_cases
  for each statement execute function cases_metrics_update();

-- A rating or a sent resolution message changes the case's CSAT facts, an approval its waits.
create function metrics_rollup_of_case() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    -- The case's own lock first: a concurrent change of the case refreshes after this one. No key
    -- update, the lock an update of the case takes: a FOR UPDATE also waited on the foreign-key
    -- checks of rows inserted for the case (two statements locking two cases in turn deadlocked).
    if tg_op <> 'INSERT' then
      perform 1 from cases c where c.id = old.case_id for no key update;
      perform metrics_refresh_cases(array[old.case_id]);
    end if;
    if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.case_id <> old.case_id) then
      perform 1 from cases c where c.id = new.case_id for no key update;
      perform metrics_refresh_cases(array[new.case_id]);
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
  begin
    perform metrics_refresh_cases(array(select distinct b.case_id from outbox b where b.draft_id = new.id and b.status = 'sent'));
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
revoke execute on function metrics_facts_of(uuid, uuid[]), metrics_rollups_apply(metrics_case_facts[], metrics_case_facts[]),
  metrics_refresh_cases(uuid[]), metrics_followers(metrics_probe[]), metrics_rebuild_org(uuid)
  from public;

select metrics_rebuild_org(id) from orgs;
