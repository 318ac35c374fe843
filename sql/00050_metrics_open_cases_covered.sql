-- The metrics page's reads of the unfinished cases, from small index ranges alone (issue 21). At
-- 1,000,000 cases (a tenth unfinished) a year's page spent more time on what depends on the hour
-- than on the rollups: the breaches of the unfinished cases (src/metrics/rollups.ts:
-- liveBreaches) fetched all 100,000 unfinished case rows for eight columns to count the fifth
-- past a deadline, and the playbook scorecard's running update deadlines
-- (src/playbook/scorecard.ts) fetched every open case with an update due, of any org, for its org
-- and opening. Each index below is ordered by the deadline its statement compares with now() and
-- carries the columns it reads, so an index-only range scan up to now() answers it. Their columns
-- are indexed already or change with one that is (status, the deadlines), except
-- resolution_paused_at, whose pause no longer updates the case row in place (one write per pause).
-- No table, no customer text.

-- Replaces cases_unfinished_opened (sql/00040, liveBreaches' alone): an unfinished case by the
-- earlier of its running deadlines (first response while unanswered, resolution while not paused).
create index cases_unfinished_by_deadline on cases (
    org_id,
    least(case when first_response_at is null then first_response_due_at end,
          case when resolution_paused_at is null then resolution_due_at end))
  include (opened_at, severity, owner_id, first_response_at, first_response_due_at, resolution_paused_at, resolution_due_at,
           setup_test, merged_into)
  where resolved_at is null and closed_at is null;
drop index cases_unfinished_opened;

-- Beside cases_open_update_due (the reminder sweep's, over every org), the scorecard's, per org.
create index cases_org_open_update_due on cases (org_id, next_update_due_at)
  include (status, opened_at, setup_test, merged_into)
  where status not in ('resolved', 'closed') and next_update_due_at is not null;
