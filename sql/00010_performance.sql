-- Performance found by the benchmarks.
--
-- Audit chain, faster for long transactions (a 50,000-row CSV import is one transaction).
-- Updating audit_heads once per event made each later lookup of that row walk every earlier
-- version of it in the same transaction, so inserts slowed down as the import went on. Now each
-- event links to the last stored event of its org, found through the (org_id, seq) index, with a
-- per-org advisory lock ordering writers; audit_heads is written once per statement, from the
-- statement's own rows, and still lets `desk audit verify` see rows removed from the end.

create or replace function audit_chain() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    last_seq bigint;
    last_hash text;
  begin
    -- Serialises the org's writers until commit; rows inserted earlier by the same statement or
    -- transaction are visible to this query, later transactions see them once committed.
    perform pg_advisory_xact_lock(hashtextextended('audit_chain:' || new.org_id::text, 7433));
    select seq, hash into last_seq, last_hash from audit_events
      where org_id = new.org_id order by seq desc limit 1;
    new.seq := coalesce(last_seq, 0) + 1;
    new.prev_hash := coalesce(last_hash, '');
    new.created_at := clock_timestamp();
    new.hash := audit_hash(new.prev_hash, new.org_id, new.seq, new.case_id, new.actor_kind,
                           new.actor_id, new.action, new.details, new.created_at);
    return new;
  end
  $$;

create function audit_record_heads() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    insert into audit_heads (org_id, seq, hash)
      select distinct on (org_id) org_id, seq, hash from new_events order by org_id, seq desc
    on conflict (org_id) do update set seq = excluded.seq, hash = excluded.hash
      where audit_heads.seq < excluded.seq;
    return null;
  end
  $$;

create trigger audit_events_heads after insert on audit_events
  referencing new table as new_events
  for each statement execute function audit_record_heads();

-- The queue, per org: its order and its clock counts from the index alone (next_at_risk_at
-- carried along), and the "at risk" filter on an org-first index, so the planner never reaches
-- for the cross-org indexes the digest's scan uses (00008).
drop index cases_open_by_deadline;
create index cases_open_by_deadline on cases (org_id, next_deadline_at nulls last, number)
  include (next_at_risk_at) where status not in ('resolved', 'closed');
create index cases_org_open_at_risk on cases (org_id, next_at_risk_at) where status not in ('resolved', 'closed');
