-- A CSV import writes its whole file in one transaction (issue 21, `npm run bench -- import`).
-- The statements its row and statement triggers run were planned for the table sizes and
-- statistics there were when it began, often an empty desk: PL/pgSQL keeps their plans, and
-- PostgreSQL's statistics cannot see rows nobody has committed. So the metrics triggers read all
-- of the org's cases for every 500-row batch (metrics_facts_of by the org's index instead of the
-- batch's ids, metrics_followers by opened_at alone), and a batch cost more the further the
-- import had gone (4 s per 10,000 rows at the start, 20 s by 10,000-20,000 at 50,000 rows).
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
