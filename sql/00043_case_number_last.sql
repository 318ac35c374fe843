-- A new case takes its number last (issue 21). The org row that hands out numbers is locked
-- until commit, so intake took it early and one org created one case at a time; the audit
-- chain's per-org lock (sql/00037) the same from the case's audit event on. Now the case, its
-- message, keys, draft job and case events are written first, and one call of number_new_cases
-- (the transaction's last statement before commit) takes the number, looks once more for a case
-- that claimed the same mail meanwhile, numbers the cases and appends their audit events.
-- Numbers stay contiguous per org, unique and never reused: a rolled-back transaction returns
-- the numbers it took with the row it updated.

-- Unnumbered only inside the transaction that inserted it: no case commits without one.
alter table cases alter column number drop not null;

create function cases_require_number() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    if exists (select 1 from cases where id = new.id and number is null) then
      raise exception 'case % was inserted without its number (number_new_cases gives it one)', new.id
        using errcode = 'not_null_violation';
    end if;
    return null;
  end
  $$;
create constraint trigger cases_numbered after insert on cases deferrable initially deferred
  for each row when (new.number is null) execute function cases_require_number();

-- The search document names the case by its number: without one yet, by the rest of its head;
-- numbering it rewrites the head.
create or replace function case_search_head(c cases) returns tsvector
  language sql immutable
  as $$
    select setweight(to_tsvector('simple', coalesce('esc-' || c.number || ' ' || c.number || ' ', '') || coalesce(c.external_ref, '')), 'A')
        || setweight(to_tsvector('simple', c.subject || ' ' || coalesce(c.customer_name, '') || ' '
                                 || coalesce(c.customer_email, '') || ' ' || coalesce(c.customer_account, '')), 'B')
  $$;

create or replace function cases_search_trigger() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    if tg_op = 'INSERT' then
      insert into case_search (case_id, org_id, opened_at, head, body)
      values (new.id, new.org_id, new.opened_at, case_search_head(new), case_search_body(new.id));
    elsif new.number is distinct from old.number
       or new.subject is distinct from old.subject
       or new.customer_name is distinct from old.customer_name
       or new.customer_email is distinct from old.customer_email
       or new.customer_account is distinct from old.customer_account
       or new.external_ref is distinct from old.external_ref
       or new.opened_at is distinct from old.opened_at then
      update case_search set head = case_search_head(new), opened_at = new.opened_at, updated_at = now()
      where case_id = new.id;
    end if;
    return null;
  end
  $$;

-- Numbers the cases inserted unnumbered (in this order) and appends their audit events, as one
-- statement holding the org row and the chain lock only from here to commit. The second look: a
-- statement of a volatile function sees what committed before it started, so after the org row
-- is ours, it sees every case numbered before ours. When another case now holds one of the
-- mail's keys (case_keys), one of the Message-IDs it refers to or is a copy of (messages), or
-- its external reference, nothing is numbered and null comes back: the caller rolls back and
-- threads the mail onto that case instead. Otherwise the first number.
create function number_new_cases(
  p_org uuid,
  p_cases uuid[],
  p_audit jsonb,
  p_keys text[] default '{}',
  p_message_keys text[] default '{}',
  p_external_ref text default null
) returns integer
  language plpgsql
  as $$
  declare
    first_number integer;
  begin
    update orgs set next_case_number = next_case_number + cardinality(p_cases)
      where id = p_org returning next_case_number - cardinality(p_cases) into first_number;
    if exists (select 1 from case_keys where org_id = p_org and key = any(p_keys) and case_id <> all(p_cases))
       or exists (select 1 from messages where org_id = p_org and dedupe_key = any(p_message_keys) and case_id <> all(p_cases))
       or exists (select 1 from cases where org_id = p_org and external_ref = p_external_ref and id <> all(p_cases)) then
      return null;
    end if;
    update cases c set number = first_number + t.n - 1
      from unnest(p_cases) with ordinality as t(id, n)
      where c.id = t.id and c.org_id = p_org and c.number is null;
    insert into audit_events (org_id, case_id, actor_kind, actor_id, action, details, prev_hash, hash)
      select p_org, (a.e ->> 'case_id')::uuid, a.e ->> 'actor_kind', a.e ->> 'actor_id', a.e ->> 'action',
             coalesce(a.e -> 'details', '{}'), '', ''
      from jsonb_array_elements(p_audit) with ordinality as a(e, n) order by a.n;
    return first_number;
  end
  $$;
grant execute on function number_new_cases(uuid, uuid[], jsonb, text[], text[], text) to desk_app;
