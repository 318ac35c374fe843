-- The queue's open work from the index alone (issue 21). countOpenByClock counts every open
-- case of the org by its clock on each page and each 15 s refresh; through cases_open_by_deadline
-- (00010) it read every one of those rows from the table as well, for setup_test, which that
-- index does not hold (case_is_open_work, 00022, leaves set-up test cases out): 60 ms at 100,000
-- open. This index holds exactly the open work, in the queue's order, with both instants the
-- clock state reads, so the counts are an index-only scan and the rows an index scan with
-- nothing left to filter.
create index cases_open_work_by_deadline on cases (org_id, next_deadline_at nulls last, number)
  include (next_at_risk_at) where status not in ('resolved', 'closed') and not setup_test;

-- Search (issue 21): the cases a query names, bounded as the thread search already is (00023).
-- A prefix in thousands of case names ("kowal" among 100,000 cases: 8,000 of them) was ranked
-- over every match, each read from the table: 9,000 pages for one search, hundreds of
-- milliseconds once they are not cached. Now at most 501 matches are read through the GIN index:
-- up to 500, all of them are ranked, exactly as before; past that the word is common, and the
-- best ranked among the org's newest 2,000 cases come first (their rows through
-- case_search_recent), as the thread search does with a common word.
create or replace function search_named_cases(q tsquery, lim integer) returns table (case_id uuid)
  language plpgsql stable security definer set search_path = public
  as $$
  declare
    wanted integer := least(lim, 100);
    matches integer;
  begin
    select count(*) into matches from (
      select 1 from case_search s where s.org_id = app_org_id() and s.head @@ q limit 501) m;
    if matches <= 500 then
      return query
        with m as materialized (
          select s.case_id, s.opened_at, ts_rank_cd(s.head, q, 1) as rank from case_search s
          where s.org_id = app_org_id() and s.head @@ q
        )
        select m.case_id from m order by m.rank desc, m.opened_at desc limit wanted;
      return;
    end if;
    return query
      select s.case_id
      from (select * from case_search s0 where s0.org_id = app_org_id()
            order by s0.opened_at desc limit 2000) s
      where s.head @@ q
      order by ts_rank_cd(s.head, q, 1) desc, s.opened_at desc limit wanted;
  end
  $$;
