-- A CSV import that does not slow down as it goes, and costs less per row (issue 21, `npm run
-- bench -- import`): statistics that have seen the import's rows, the audit chain's hash without
-- the SQL-function executor, no search for emptied rollup rows after an insert, and the import's
-- metrics rollups applied once at its commit instead of once per batch.
--
-- 1. An import writes its whole file in one transaction. The statements its row and statement
--    triggers run were planned for the table sizes and statistics there were when it began,
--    often an empty desk: PL/pgSQL keeps their plans, and PostgreSQL's statistics cannot see
--    rows nobody has committed. So the metrics triggers read all of the org's cases for every
--    500-row batch (metrics_facts_of by the org's index instead of the batch's ids,
--    metrics_followers by opened_at alone): 140 ms a batch for metrics_followers alone over the
--    first 5,000 rows into an empty desk, 1.86 million buffers read by one batch at 9,500 rows.
--
-- import_statistics(rows) analyzes the tables an import grows, from inside its transaction:
-- ANALYZE counts the transaction's own new rows, and the new statistics (visible to it alone until
-- commit) make every cached plan that reads those tables be planned again. The import calls it
-- after each batch with the rows it has written (src/imports/cases.ts); it analyzes only when
-- they are more than twice the cases the statistics know of, so the statistics are redone each
-- time the table has more than doubled (6 times for 50,000 rows into an empty desk, not at all
-- into a desk with 25,000 cases or more).
-- SKIP_LOCKED: a table another transaction is analyzing (autovacuum, another import) is left as
-- it is rather than waited for. The lock ANALYZE takes (SHARE UPDATE EXCLUSIVE) is held to the
-- import's commit: autovacuum skips those tables meanwhile; reads and writes are not affected.
create function import_statistics(written bigint) returns boolean
  language plpgsql security definer set search_path = public
  as $$
  begin
    if (select c.reltuples from pg_class c where c.oid = 'cases'::regclass) * 2 >= written then
      return false;
    end if;
    -- The columns those statements look rows up by (the others keep their statistics).
    analyze (skip_locked) cases (id, org_id, number, customer_email, account_id, opened_at, import_key, external_ref),
      messages (id, org_id, case_id), case_search (case_id, org_id), metrics_case_facts (case_id, org_id, day);
    return true;
  end
  $$;
revoke execute on function import_statistics(bigint) from public;
grant execute on function import_statistics(bigint) to desk_app;

-- 2. The audit chain's hash of each new event (audit_chain, sql/00037) called three SQL functions
-- that PostgreSQL cannot inline (a parameter used twice, an argument that is not a plain column),
-- so every event of an import ran each through the SQL-function executor, twice for the masks:
-- half of the chain's time per row. The same expressions in PL/pgSQL are evaluated directly;
-- the values are the same for every input (test/audit, test/privacy), and stored rows still verify.
create or replace function audit_mask_string(v text, salt text) returns text
  language plpgsql immutable
  as $$
  begin
    if v is null then
      return null;
    elsif starts_with(v, '$erased:h:') then
      return substr(v, 9);
    end if;
    return 'h:' || encode(sha256(convert_to(salt || v, 'UTF8')), 'hex');
  end
  $$;
create or replace function audit_masked(details jsonb, actor_id text, salt text) returns jsonb
  language plpgsql immutable
  as $$
  begin
    return jsonb_build_array(audit_mask_details(details, salt), audit_mask_string(actor_id, salt));
  end
  $$;
create or replace function audit_hash_v2(prev_hash text, org_id uuid, seq bigint, case_id uuid, actor_kind text, actor_id text,
                              action text, details jsonb, salt text, created_at timestamptz)
  returns text language plpgsql immutable
  as $$
  begin
    return encode(sha256(convert_to(jsonb_build_array(
      'v2', prev_hash, org_id, seq, case_id, actor_kind, action, audit_masked(details, actor_id, salt), salt,
      (extract(epoch from created_at) * 1000000)::bigint
    )::text, 'UTF8')), 'hex');
  end
  $$;

-- 3. metrics_rollups_apply (sql/00040) as it was, but the look for rollup rows left empty is made
-- only when a change could empty one.
create or replace function metrics_rollups_apply(olds metrics_case_facts[], news metrics_case_facts[]) returns void
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
    -- Counts never go below zero, so only a row whose cases and asks did not grow can be left
    -- empty: none when every change adds (an import), and then no statement looks for one.
    if exists (select 1 from unnest(deltas) d where d.cases <= 0 and d.asks <= 0) then
      delete from metrics_rollups r using unnest(deltas) d
      where r.org_id = d.org_id and r.span = d.span and r.day = d.day and r.severity = d.severity and r.owner_id is not distinct from d.owner_id
        and r.cases = 0 and r.asks = 0;
    end if;
  end
  $$;

-- 4. The rollups of an import applied once, at its commit. Applied per 500-row batch, every batch
--    updated about 900 of the same day and week rows again (two per case), each update one more
--    row version in the one transaction: a quarter of the import's database time. A transaction
--    that sets desk.metrics_rollups_at_commit (the import, src/imports/cases.ts) keeps each
--    change's old and new facts in metrics_pending instead; a deferred constraint trigger applies
--    them all before the commit completes, so no transaction ever commits without its rollups.
--    A fact that a later batch replaced (a repeat found by a later, earlier-dated row) cancels
--    against itself first (EXCEPT ALL), so what is applied is the net change: facts removed were
--    in the rollups before the transaction, facts added are new, exactly as if applied one by one.
create table metrics_pending (
  tx xid8 not null default pg_current_xact_id(),
  olds metrics_case_facts[] not null,
  news metrics_case_facts[] not null
);
create index metrics_pending_tx on metrics_pending (tx);
-- Written and read only by the functions below (security definer): the app has no grant on it.
alter table metrics_pending enable row level security;

create or replace function metrics_refresh_cases(ids uuid[]) returns void
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
    if cardinality(olds) + cardinality(news) = 0 then
      return;
    end if;
    if current_setting('desk.metrics_rollups_at_commit', true) = 'on' then
      insert into metrics_pending (olds, news) values (olds, news);
    else
      perform metrics_rollups_apply(olds, news);
    end if;
  end
  $$;

create function metrics_pending_apply() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    olds metrics_case_facts[];
    news metrics_case_facts[];
  begin
    -- The first firing of the transaction applies everything; the others find nothing left.
    with taken as (
      delete from metrics_pending p where p.tx = pg_current_xact_id() returning p.olds, p.news
    ),
    o as (select x.* from taken t, unnest(t.olds) x),
    n as (select x.* from taken t, unnest(t.news) x)
    select (select coalesce(array_agg(r::metrics_case_facts), '{}') from (select * from o except all select * from n) r),
           (select coalesce(array_agg(r::metrics_case_facts), '{}') from (select * from n except all select * from o) r)
      into olds, news;
    if cardinality(olds) + cardinality(news) > 0 then
      perform metrics_rollups_apply(olds, news);
    end if;
    return null;
  end
  $$;
create constraint trigger metrics_pending_apply after insert on metrics_pending
  deferrable initially deferred for each row execute function metrics_pending_apply();
revoke execute on function metrics_pending_apply() from public;
