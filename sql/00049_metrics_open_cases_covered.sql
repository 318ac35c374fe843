-- The metrics page's reads of the unfinished cases, answered from indexes alone (issue 21). At
-- 1,000,000 cases (a tenth unfinished) a year's page spent more time on what depends on the hour
-- than on the rollups: the breaches of the unfinished cases (src/metrics/rollups.ts:
-- liveBreaches) fetched 100,000 case rows for eight columns, and the playbook scorecard's running
-- update deadlines (src/playbook/scorecard.ts) fetched every open case with an update due, of any
-- org, for its org and opening. Both indexes carry the columns those statements read, so an
-- index-only scan answers them; the columns they include are already indexed or in an index's
-- predicate elsewhere, so no update that was HOT stops being one. No table, no customer text.

-- Replaces cases_unfinished_opened (sql/00040): the same key and predicate, so whatever used it
-- can use this one.
create index cases_unfinished_opened_clocks on cases (org_id, opened_at)
  include (severity, owner_id, first_response_at, first_response_due_at, resolution_paused_at, resolution_due_at, setup_test, merged_into)
  where resolved_at is null and closed_at is null;
drop index cases_unfinished_opened;

-- Beside cases_open_update_due (the reminder sweep's, over every org), the scorecard's per org.
create index cases_org_open_update_due on cases (org_id, next_update_due_at)
  include (status, opened_at, setup_test, merged_into)
  where status not in ('resolved', 'closed') and next_update_due_at is not null;
