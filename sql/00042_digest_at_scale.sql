-- The digest at scale (issue 21). Its red-flags section asks, for every org on every digest, which
-- finished cases of the severities that need a post-incident review have none completed
-- (src/recovery/queries.ts, finishedWithoutCompletedReview): without this index that read every
-- case the org ever had, ten times the rows it keeps.
create index cases_org_finished_severity on cases (org_id, severity) where status in ('resolved', 'closed');
