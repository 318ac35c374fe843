-- The queue's clock counts without counting every open case (issue 21). countOpenByClock read
-- each open case of the org on every page and every 15 s refresh (an index-only scan of
-- cases_open_work_by_deadline, sql/00044): 2 ms at 10,000 open, 12–70 ms at 100,000. The counts
-- are still exactly case_clock_state over open work (case_is_open_work, sql/00022) at the page's
-- instant t; they are now read from counts kept per hour as the cases change:
--
--   queue_clock_counts  per org, the open work by the hour and by the minute (UTC, since the
--                       epoch: slot) its clock state changes in: 'deadline' / 'deadline_minute'
--                       next_deadline_at's (from then on the case is breached), 'risk' /
--                       'risk_minute' least(next_at_risk_at, next_deadline_at)'s (from then on at
--                       risk or breached: a case with no at-risk instant, or one after its
--                       deadline, goes straight to breached), and 'none' (slot 0) the open work
--                       with no clock running;
--   queue_clock_count_changes  a transaction's changes to those counts until it commits, when
--                       one deferred trigger folds them in (below: why not at once).
--
-- Both hold counts of cases per org and hour only: no customer's text, nothing to erase (like the
-- tables sql/00045's header lists as holding none).
--
-- At t, for the cases with a deadline: breached = the 'deadline' counts of the hours before t's
-- hour, plus the 'deadline_minute' counts of t's hour before t's minute, plus the cases whose
-- deadline falls in t's minute up to t (an index range count); at risk or breached = the same
-- over 'risk'; at_risk and ok are the differences. So the work is the hours that hold open work,
-- at most 59 minutes and one minute's cases, not every open case; and the clock alone moves cases
-- from ok to at risk to breached (nothing is written as time passes). src/queue/queries.ts reads them; test/queue/clock-counts.test.ts holds them to the
-- group by case_clock_state over the cases, across writes and instants.
--
-- Numbered cases only, as the metrics rollups (sql/00040): intake inserts its case unnumbered and
-- numbers it in its transaction's last statement (sql/00043). Every committed case has its
-- number (cases_numbered).

create table queue_clock_counts (
  org_id uuid not null references orgs (id),
  kind text not null check (kind in ('none', 'risk', 'deadline', 'risk_minute', 'deadline_minute')),
  slot bigint not null check (kind <> 'none' or slot = 0),
  n integer not null check (n >= 0),
  constraint queue_clock_counts_key unique (org_id, kind, slot)
);

alter table queue_clock_counts enable row level security;
create policy queue_clock_counts_isolation on queue_clock_counts using (org_id = app_org_id()) with check (org_id = app_org_id());
-- Read-only for the app: only the triggers below (security definer) write it.
grant select on queue_clock_counts to desk_app;

-- The hour an instant falls in (UTC, since the epoch), exact (extract gives numeric), and finite
-- for an infinite instant.
create function queue_hour(at timestamptz) returns bigint
  language sql immutable parallel safe
  as $$ select floor(greatest(least(extract(epoch from at), 1e15), -1e15) / 3600)::bigint $$;

-- From when a case with a deadline is at risk or breached (least() skips a null at-risk instant).
create function queue_risk_from(next_deadline_at timestamptz, next_at_risk_at timestamptz) returns timestamptz
  language sql immutable parallel safe
  as $$ select least(next_at_risk_at, next_deadline_at) $$;

-- The minute an instant falls in, the same way.
create function queue_minute(at timestamptz) returns bigint
  language sql immutable parallel safe
  as $$ select floor(greatest(least(extract(epoch from at), 1e15), -1e15) / 60)::bigint $$;

-- A case's rows in the counts: 'none' without a clock; else its deadline's hour and minute and
-- the hour and minute it turns at risk.
create function queue_clock_slots(next_deadline_at timestamptz, next_at_risk_at timestamptz)
  returns table (kind text, slot bigint)
  language sql immutable parallel safe
  as $$
    select 'none', 0::bigint where next_deadline_at is null
    union all
    select s.kind, s.slot
    from (values ('deadline', queue_hour(next_deadline_at)), ('deadline_minute', queue_minute(next_deadline_at)),
                 ('risk', queue_hour(queue_risk_from(next_deadline_at, next_at_risk_at))),
                 ('risk_minute', queue_minute(queue_risk_from(next_deadline_at, next_at_risk_at)))) s (kind, slot)
    where next_deadline_at is not null
  $$;

-- The exact count inside t's minute: the open work by the instant it turns at risk, an index-only
-- scan (the two instants included; the deadline's side is cases_open_work_by_deadline, 00044).
create index cases_open_work_by_risk on cases (org_id, queue_risk_from(next_deadline_at, next_at_risk_at))
  include (next_deadline_at, next_at_risk_at) where status not in ('resolved', 'closed') and not setup_test and next_deadline_at is not null and number is not null;

-- The queue's filtered rows (issue 21) in the queue's order from an index: mine, unowned and one
-- severity read the first 200 of their own cases, not every match sorted (3,400 of one owner's at
-- 100,000 open) nor the queue's order filtered. Unowned has its own: an owner_id is null
-- condition does not let the planner read the by-owner index in deadline order.
create index cases_open_work_by_owner on cases (org_id, owner_id, next_deadline_at nulls last, number)
  where status not in ('resolved', 'closed') and not setup_test;
create index cases_open_work_unowned on cases (org_id, next_deadline_at nulls last, number)
  where status not in ('resolved', 'closed') and not setup_test and owner_id is null;
create index cases_open_work_by_severity on cases (org_id, severity, next_deadline_at nulls last, number)
  where status not in ('resolved', 'closed') and not setup_test;

-- One case version's part in the counts: +1 as it is now, -1 as it was.
create type queue_clock_change as (org_id uuid, next_deadline_at timestamptz, next_at_risk_at timestamptz, sign integer);

-- A transaction's changes to the counts, until it commits. A statement does not update the
-- counts' rows itself: recomputing an org's open cases after a policy change (sla/clocks.ts) is
-- one update per case in one transaction, and each would update the same hours' rows again, a
-- longer chain of row versions each time (2,000 cases: 17 s against 3 s). It appends its sums
-- here instead (no lock taken), and at commit one deferred trigger folds them into the counts in
-- one pass: each row locked once, in key order, from then to the commit. Another transaction
-- never sees these rows (they are deleted in the commit that adds them); the queue's own
-- transaction reads them with the counts.
create table queue_clock_count_changes (
  org_id uuid not null references orgs (id),
  kind text not null check (kind in ('none', 'risk', 'deadline', 'risk_minute', 'deadline_minute')),
  slot bigint not null,
  n integer not null,
  -- The transaction's first row: the one that queues the fold at commit.
  fold boolean not null default false,
  xact xid8 not null default pg_current_xact_id()
);
-- The fold and the queue read the transaction's own rows through this, not a scan of the table
-- (its dead rows after a large import; the planner's estimate of that scan alone, never run, set
-- off JIT compilation of the queue's counts: 90 ms).
create index queue_clock_count_changes_xact on queue_clock_count_changes (xact, org_id, kind, slot);
alter table queue_clock_count_changes enable row level security;
create policy queue_clock_count_changes_isolation on queue_clock_count_changes
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select on queue_clock_count_changes to desk_app;

-- Appends some changes, summed per row (a row whose sum does not change is left out). The
-- transaction-local setting says whether a fold is already queued (a subtransaction that rolls
-- back takes its rows and the setting with it).
create function queue_clock_counts_apply(changes queue_clock_change[]) returns void
  language plpgsql security definer set search_path = public
  as $$
  declare
    queued boolean := coalesce(current_setting('desk_queue.fold_queued', true), '') = 'on';
    added integer;
  begin
    insert into queue_clock_count_changes (org_id, kind, slot, n, fold)
    select s.org_id, s.kind, s.slot, s.n, not queued and row_number() over () = 1
    from (select c.org_id, k.kind, k.slot, sum(c.sign)::int as n
          from unnest(changes) c cross join lateral queue_clock_slots(c.next_deadline_at, c.next_at_risk_at) k
          group by 1, 2, 3 having sum(c.sign) <> 0) s;
    get diagnostics added = row_count;
    if added > 0 and not queued then
      perform set_config('desk_queue.fold_queued', 'on', true);
    end if;
  end
  $$;

-- At commit (or when constraints are set immediate): every change this transaction appended,
-- summed into the counts: the rows not there yet inserted, all locked in key order, one update,
-- and a row that reaches zero removed, so an org's rows are only the hours that hold open work.
create function queue_clock_counts_fold() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    sums queue_clock_counts[];
  begin
    perform set_config('desk_queue.fold_queued', '', true);
    with gone as (delete from queue_clock_count_changes where xact = pg_current_xact_id() returning org_id, kind, slot, n)
    select array_agg(row(x.org_id, x.kind, x.slot, x.n)::queue_clock_counts order by x.org_id, x.kind, x.slot)
      into sums
    from (select g.org_id, g.kind, g.slot, sum(g.n)::int as n from gone g group by 1, 2, 3 having sum(g.n) <> 0) x;
    if sums is null then
      return null;
    end if;
    insert into queue_clock_counts (org_id, kind, slot, n)
      select s.org_id, s.kind, s.slot, 0 from unnest(sums) s order by s.org_id, s.kind, s.slot
    on conflict on constraint queue_clock_counts_key do nothing;
    perform 1 from queue_clock_counts q join unnest(sums) s
        on q.org_id = s.org_id and q.kind = s.kind and q.slot = s.slot
      order by q.org_id, q.kind, q.slot
      for update of q;
    update queue_clock_counts q set n = q.n + s.n from unnest(sums) s
    where q.org_id = s.org_id and q.kind = s.kind and q.slot = s.slot;
    delete from queue_clock_counts q using unnest(sums) s
    where q.org_id = s.org_id and q.kind = s.kind and q.slot = s.slot and q.n = 0;
    return null;
  end
  $$;
create constraint trigger queue_clock_counts_fold after insert on queue_clock_count_changes
  deferrable initially deferred for each row when (new.fold) execute function queue_clock_counts_fold();

-- Once per statement, from its transition tables (an import inserts 500 cases a statement): the
-- open, numbered cases a statement adds, removes or moves between hours.
create function cases_queue_counts_insert() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    perform queue_clock_counts_apply(array(
      select row(n.org_id, n.next_deadline_at, n.next_at_risk_at, 1)::queue_clock_change from new_cases n
      where case_is_open_work(n.status, n.setup_test) and n.number is not null));
    return null;
  end
  $$;
create trigger cases_queue_counts_insert after insert on cases referencing new table as new_cases
  for each statement execute function cases_queue_counts_insert();

create function cases_queue_counts_delete() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    perform queue_clock_counts_apply(array(
      select row(o.org_id, o.next_deadline_at, o.next_at_risk_at, -1)::queue_clock_change from old_cases o
      where case_is_open_work(o.status, o.setup_test) and o.number is not null));
    return null;
  end
  $$;
create trigger cases_queue_counts_delete after delete on cases referencing old table as old_cases
  for each statement execute function cases_queue_counts_delete();

-- An update counts only the cases whose part changed (open work, number, org or the two instants).
create function cases_queue_counts_update() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    perform queue_clock_counts_apply(array(
      select x.change
      from old_cases o join new_cases n on n.id = o.id,
           lateral (select row(o.org_id, o.next_deadline_at, o.next_at_risk_at, -1)::queue_clock_change as change
                    where case_is_open_work(o.status, o.setup_test) and o.number is not null
                    union all
                    select row(n.org_id, n.next_deadline_at, n.next_at_risk_at, 1)::queue_clock_change
                    where case_is_open_work(n.status, n.setup_test) and n.number is not null) x
      where (o.org_id, case_is_open_work(o.status, o.setup_test), o.number is null, o.next_deadline_at, o.next_at_risk_at)
            is distinct from
            (n.org_id, case_is_open_work(n.status, n.setup_test), n.number is null, n.next_deadline_at, n.next_at_risk_at)));
    return null;
  end
  $$;
create trigger cases_queue_counts_update after update on cases referencing old table as old_cases new table as new_cases
  for each statement execute function cases_queue_counts_update();

-- The counts of the cases already there.
insert into queue_clock_counts (org_id, kind, slot, n)
  select c.org_id, k.kind, k.slot, count(*)
  from cases c cross join lateral queue_clock_slots(c.next_deadline_at, c.next_at_risk_at) k
  where case_is_open_work(c.status, c.setup_test) and c.number is not null
  group by 1, 2, 3;
