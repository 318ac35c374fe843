-- Every case findable: one search document per case, kept by the database as the case and its
-- thread change, searched with PostgreSQL full-text search (GIN) under the same row-level
-- security as the cases themselves.
--
-- Two documents per case: its head, weighted A the case number ("esc-1042", "1042") and the
-- external reference, B the subject and the customer (name, address, account); and its body, D
-- the thread's text (bounded). Search ranks head matches, then lists the newest body ones. The
-- 'simple' configuration: escalations arrive in every language, and no one stemmer is right for
-- them; the words are matched as written (prefixes too, see src/cases/find.ts).
--
-- A table of its own, not a column of `cases`: the queue reads `cases` on every page and should
-- not carry a thread's worth of lexemes in each row.

create table case_search (
  case_id uuid primary key references cases (id),
  org_id uuid not null references orgs (id),
  opened_at timestamptz not null,
  -- What names the case: its number, reference, subject and customer (weights A and B).
  head tsvector not null,
  -- What its thread says (weight D).
  body tsvector not null,
  updated_at timestamptz not null default now()
);
create index case_search_head on case_search using gin (head);
create index case_search_body on case_search using gin (body);
-- Newest first: a word in thousands of threads is found among the newest cases without
-- reading them all (the planner picks this or the GIN index by how common the word is).
create index case_search_recent on case_search (org_id, opened_at desc);

alter table case_search enable row level security;
create policy case_search_isolation on case_search
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select on case_search to desk_app;

-- The two parts of one case's document, from its row and its thread (the first 200,000
-- characters of it: to_tsvector's own limit is 1 MB, and no one searches the 50th page of a
-- forward).
create function case_search_head(c cases) returns tsvector
  language sql immutable
  as $$
    select setweight(to_tsvector('simple', 'esc-' || c.number || ' ' || c.number || ' ' || coalesce(c.external_ref, '')), 'A')
        || setweight(to_tsvector('simple', c.subject || ' ' || coalesce(c.customer_name, '') || ' '
                                 || coalesce(c.customer_email, '') || ' ' || coalesce(c.customer_account, '')), 'B')
  $$;

create function case_search_body(target uuid) returns tsvector
  language sql stable security definer set search_path = public
  as $$
    select setweight(to_tsvector('simple', left(coalesce(string_agg(m.subject || ' ' || m.text_body, ' ' order by m.created_at), ''), 200000)), 'D')
    from messages m where m.case_id = target
  $$;

-- Kept by triggers, as the owner (security definer): whoever changes a case or adds to its
-- thread, under whichever role, the document follows.
create function cases_search_trigger() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    if tg_op = 'INSERT' then
      insert into case_search (case_id, org_id, opened_at, head, body)
      values (new.id, new.org_id, new.opened_at, case_search_head(new), case_search_body(new.id));
    elsif new.subject is distinct from old.subject
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
create trigger cases_search after insert or update on cases for each row execute function cases_search_trigger();

create function messages_search_trigger() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    update case_search set body = case_search_body(new.case_id), updated_at = now() where case_id = new.case_id;
    if tg_op = 'UPDATE' and old.case_id is distinct from new.case_id then
      update case_search set body = case_search_body(old.case_id), updated_at = now() where case_id = old.case_id;
    end if;
    return null;
  end
  $$;
create trigger messages_search after insert or update of text_body, subject, case_id on messages
  for each row execute function messages_search_trigger();

-- The search itself, for the signed-in org (app_org_id(), which withOrg sets). Functions of the
-- owner, because row-level security would otherwise check every one of the org's rows before
-- the full-text match could use its index (`@@` is not leakproof, so the planner may not run it
-- ahead of the policy); the org is still the only one whose cases are read, here in the WHERE.
-- The cases the query names (number, reference, subject, customer), best ranked first:
create function search_named_cases(q tsquery, lim integer) returns table (case_id uuid)
  language sql stable security definer set search_path = public
  as $$
    select s.case_id from case_search s
    where s.org_id = app_org_id() and s.head @@ q
    order by ts_rank_cd(s.head, q, 1) desc, s.opened_at desc
    limit least(lim, 100)
  $$;
-- The cases whose thread mentions it (and that it does not name), newest first. A word in most
-- threads is found among the newest 2,000 cases without the index (reading every match to sort
-- them would cost more than the word is worth); a rarer one through the GIN index.
create function search_mentioned_cases(q tsquery, lim integer) returns table (case_id uuid)
  language plpgsql stable security definer set search_path = public
  as $$
  declare
    wanted integer := least(lim, 100);
    recent uuid[];
  begin
    select array_agg(r.case_id order by r.opened_at desc) into recent
    from (select s.case_id, s.opened_at from (select * from case_search s0 where s0.org_id = app_org_id()
                                              order by s0.opened_at desc limit 2000) s
          where s.body @@ q and not s.head @@ q
          order by s.opened_at desc limit wanted) r;
    if coalesce(cardinality(recent), 0) >= wanted then
      return query select unnest(recent);
      return;
    end if;
    -- Rare among the newest cases, so rare: every match through the GIN index, then the newest.
    -- (Materialized, so the planner does not walk the date index hoping to meet matches soon:
    -- it cannot tell a prefix query's rarity.)
    return query
      with m as materialized (
        select s.case_id, s.opened_at from case_search s
        where s.org_id = app_org_id() and s.body @@ q and not s.head @@ q
      )
      select m.case_id from m order by m.opened_at desc limit wanted;
  end
  $$;
revoke all on function search_named_cases(tsquery, integer), search_mentioned_cases(tsquery, integer) from public;
grant execute on function search_named_cases(tsquery, integer), search_mentioned_cases(tsquery, integer) to desk_app;

-- The cases there are already.
insert into case_search (case_id, org_id, opened_at, head, body)
select c.id, c.org_id, c.opened_at, case_search_head(c), case_search_body(c.id) from cases c;

-- Every case, newest first, page after page by its (opened_at, id) key, never by OFFSET.
create index cases_org_opened_id on cases (org_id, opened_at desc, id desc);
