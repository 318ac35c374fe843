-- A CSV import wrote each case's search document twice (issue 21, `npm run bench -- import`): the
-- cases' insert wrote it with an empty body (sql/00041), and the insert of their first messages
-- rewrote it a statement later, a non-HOT update through both GIN indexes. Of 13 s of the
-- database's time for 20,000 rows, the two took 3.2 s.
--
-- An import's transaction now sets desk.search_from_messages (src/imports/cases.ts): its cases'
-- insert leaves their search documents out, and the insert of their messages writes them whole,
-- head and body in one insert. Every case an import creates gets its first message in the same
-- batch (src/imports/case-batches.ts; test/imports/import-search.test.ts). Elsewhere nothing
-- changes: a case's insert writes its document with an empty body and its messages update it.
-- The messages' trigger does both: it updates the documents there are and inserts those missing.
create or replace function cases_search_insert() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    if current_setting('desk.search_from_messages', true) = 'on' then
      return null;
    end if;
    insert into case_search (case_id, org_id, opened_at, head, body)
      select n.id, n.org_id, n.opened_at, case_search_head(n::cases), ''::tsvector from new_cases n;
    return null;
  end
  $$;

create or replace function messages_search_insert() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    update case_search s set body = case_search_body(s.case_id), updated_at = now()
      where s.case_id in (select distinct n.case_id from new_messages n);
    if current_setting('desk.search_from_messages', true) = 'on' then
      insert into case_search (case_id, org_id, opened_at, head, body)
        select c.id, c.org_id, c.opened_at, case_search_head(c), case_search_body(c.id)
        from cases c
        where c.id in (select distinct n.case_id from new_messages n)
          and not exists (select 1 from case_search s where s.case_id = c.id);
    end if;
    return null;
  end
  $$;
