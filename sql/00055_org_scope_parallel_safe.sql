-- app_org_id() (sql/00001), which every row-level security policy compares org_id with, was
-- declared without a parallel label, so PostgreSQL took it as PARALLEL UNSAFE, and no statement
-- of the app's role could use a parallel plan: the CSV export of 100,000 cases (`copy (select …)
-- to stdout`, src/imports/export.ts) ran its rows' CSV on one backend while the owner's same
-- statement used three (issue 21, `npm run bench -- export`: 0.68 s against 0.35 s for 50,000).
-- It only reads a setting (current_setting is parallel safe), and a parallel worker starts with
-- its leader's settings, app.org_id and the role among them: in a worker it names the same org
-- (test/isolation-parallel.test.ts runs a statement in a worker under each org's scope).
alter function app_org_id() parallel safe;
