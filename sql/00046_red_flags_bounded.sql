-- The digest's red flags read only what they flag (issue 21). Its statement asked for the org's
-- open work "or" the cases finished in the last 7 days: no index serves that OR, so it read every
-- case the org ever had (40 % of the digest's database time at 1,000,000 cases, most of it cold
-- pages of finished cases). src/playbook/digest-lines.ts now reads the two as a UNION ALL: the
-- open work through cases_open_work_by_deadline (00044), and the recent endings through this
-- index, which holds exactly the finished cases the section can list (merged and set-up test
-- cases never are), by when they finished, in the expression the statement compares.
create index cases_finished_recent on cases (org_id, (coalesce(closed_at, resolved_at)))
  where status in ('resolved', 'closed') and not setup_test and merged_into is null;
