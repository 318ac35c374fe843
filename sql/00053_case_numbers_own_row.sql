-- The case-number counter in a row of its own (issue 21). It was a column of the org's row, and
-- every row intake writes (the case, its message, keys, raw copy, audit event, queue counts:
-- about fourteen a message) checks its foreign key against that row with FOR KEY SHARE. Each
-- new case updated it, and with key-share lockers on it every update left a version (and a
-- multixact) that the next checks walked until a vacuum: 16 buffers a check after 2,000
-- messages, 46 after 5,083, and the database's CPU a message doubled as the bench went on.
-- Nothing references this row, so the checks read an org row that no longer changes. The lock
-- that orders one org's numbering moves with the counter: the same serialization, one row over.
create table org_case_numbers (
  org_id uuid primary key references orgs (id) on delete cascade,
  next_case_number integer not null
);
insert into org_case_numbers (org_id, next_case_number) select id, next_case_number from orgs;
alter table orgs drop column next_case_number;

alter table org_case_numbers enable row level security;
create policy org_case_numbers_isolation on org_case_numbers
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, update on org_case_numbers to desk_app;

-- The first of `p_count` consecutive numbers; an org's first case is 1001. The row is made by
-- the first numbering (an org restored or created by any path needs nothing else) and locked
-- from here to commit.
create function take_case_numbers(p_org uuid, p_count integer) returns integer
  language plpgsql
  as $$
  declare
    first_number integer;
  begin
    insert into org_case_numbers as n (org_id, next_case_number) values (p_org, 1001 + p_count)
      on conflict (org_id) do update set next_case_number = n.next_case_number + p_count
      returning n.next_case_number - p_count into first_number;
    return first_number;
  end
  $$;
grant execute on function take_case_numbers(uuid, integer) to desk_app;

create or replace function number_new_cases(
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
    first_number := take_case_numbers(p_org, cardinality(p_cases));
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
