-- Bulk inserts of cases and messages (a CSV import writes 500 of each per statement, in one
-- transaction for the whole file) measured by `npm run bench -- import`: the row triggers that
-- keep the search documents and the account rule cost more than everything else together.
--
-- 1. The search documents (00023, 00027) were kept by row triggers: each new case and each new
--    message ran a plpgsql statement whose SQL function (case_search_body) was planned again for
--    that one row, about 1 ms a row, twice a row for an import. Inserts are now handled once per
--    statement, from its transition table; updates keep their row triggers (a trigger with a
--    column list cannot have a transition table), with the same functions as before.
--    A new case's body is empty: its messages reference it, so none can exist before it.
-- 2. case_account_id (00016) matched `domain = a or domain = b`, which the planner answers by
--    reading every account of the org for each case; two probes of (org_id, domain) instead.

drop trigger cases_search on cases;
create trigger cases_search after update on cases for each row execute function cases_search_trigger();

create function cases_search_insert() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    insert into case_search (case_id, org_id, opened_at, head, body)
      select n.id, n.org_id, n.opened_at, case_search_head(n::cases), ''::tsvector from new_cases n;
    return null;
  end
  $$;
create trigger cases_search_insert after insert on cases
  referencing new table as new_cases
  for each statement execute function cases_search_insert();

drop trigger messages_search on messages;
create trigger messages_search after update of text_body, subject, case_id on messages
  for each row execute function messages_search_trigger();

create function messages_search_insert() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    update case_search s set body = case_search_body(s.case_id), updated_at = now()
      where s.case_id in (select distinct n.case_id from new_messages n);
    return null;
  end
  $$;
create trigger messages_search_insert after insert on messages
  referencing new table as new_messages
  for each statement execute function messages_search_insert();

create or replace function case_account_id(customer_email text, customer_account text) returns uuid
  language sql stable
  as $$
    select coalesce(
      (select a.id from accounts a where a.domain = lower(customer_account) limit 1),
      (select a.id from accounts a where a.domain = split_part(lower(customer_email), '@', 2) limit 1))
  $$;
