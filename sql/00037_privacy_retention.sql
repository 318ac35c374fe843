-- Retention and erasure (issue 22): closed cases' mail deleted after an org's retention period,
-- a person erased on request, and an audit chain that still verifies after either.
--
-- The audit chain, version 2. A v1 row's hash covers its details as written, so no value in them
-- could ever be removed. A v2 row's hash covers its details *masked*: every string in them
-- replaced by the SHA-256 of a per-row random salt and the string (audit_mask_details below).
-- Erasing a value replaces it in the stored details with '$erased:' and that digest, which masks
-- to the same digest: the row's hash is unchanged, every other value of the row still verifies, and
-- the erased value is gone. (The salt stays with the row, so someone holding the database and a
-- guessed value can test the guess against a tombstone; nobody can read the value back.)
--
-- Rows written before this migration (v1, no salt) stay as they were and verify as before. Each
-- gets a salt and the digest of its masked details (details_digest) now, and each org that has
-- such rows gets one chained `audit.seal` event holding the digest of all those digests: once a
-- v1 row's details are erased it is checked against its details_digest, and the digests against
-- the seal, so an erased v1 row is exactly as tamper-evident as its masked details.

alter table audit_events
  add column details_salt text,
  add column details_digest text,
  add column erased_at timestamptz;

-- A string's part in a row's hash: 'h:' and the SHA-256 of the row's salt and the string; a
-- tombstone ('$erased:' and that digest) stands for the string it replaced.
create function audit_mask_string(v text, salt text) returns text
  language sql immutable
  as $$
    select case when v is null then null
                when starts_with(v, '$erased:h:') then substr(v, 9)
                else 'h:' || encode(sha256(convert_to(salt || v, 'UTF8')), 'hex') end
  $$;

-- The details as the hash sees them: every item in document order (jsonb sorts keys), objects
-- by their keys, arrays by their length, strings by their masks, other scalars as they are.
-- Replacing a string by its tombstone changes nothing here; any other change does. plpgsql, so
-- its plan is cached: a SQL function is planned again on each row of a 50,000-row import.
create function audit_mask_details(details jsonb, salt text) returns jsonb
  language plpgsql immutable
  as $$
  begin
    return (
      select coalesce(jsonb_agg(case jsonb_typeof(v)
                                  when 'string' then 's' || audit_mask_string(v #>> '{}', salt)
                                  when 'object' then 'o' || (select coalesce(jsonb_agg(k), '[]'::jsonb) from jsonb_object_keys(v) k)::text
                                  when 'array' then 'a' || jsonb_array_length(v)
                                  else 'v' || v::text end order by n), '[]'::jsonb)
      from jsonb_path_query(details, 'strict $.**') with ordinality q(v, n));
  end
  $$;

-- Replaces every string that contains one of the needles (case-insensitive) by its tombstone.
create function audit_tombstone(v jsonb, salt text, needles text[]) returns jsonb
  language plpgsql immutable
  as $$
  begin
    case jsonb_typeof(v)
      when 'string' then
        if not starts_with(v #>> '{}', '$erased:h:')
           and exists (select 1 from unnest(needles) n where strpos(lower(v #>> '{}'), n) > 0) then
          return to_jsonb('$erased:' || audit_mask_string(v #>> '{}', salt));
        end if;
        return v;
      when 'object' then
        return coalesce((select jsonb_object_agg(key, audit_tombstone(value, salt, needles)) from jsonb_each(v)), '{}'::jsonb);
      when 'array' then
        return coalesce((select jsonb_agg(audit_tombstone(value, salt, needles) order by n)
                         from jsonb_array_elements(v) with ordinality e(value, n)), '[]'::jsonb);
      else
        return v;
    end case;
  end
  $$;

-- What a row's hash (v2) or digest (v1) covers of its erasable content: the details, and the
-- actor id (a customer acting, a reply or a rating, is named by their address there).
create function audit_masked(details jsonb, actor_id text, salt text) returns jsonb
  language sql immutable
  as $$ select jsonb_build_array(audit_mask_details(details, salt), audit_mask_string(actor_id, salt)) $$;

create function audit_digest(details jsonb, actor_id text, salt text) returns text
  language sql immutable
  as $$ select encode(sha256(convert_to(audit_masked(details, actor_id, salt)::text, 'UTF8')), 'hex') $$;

create function audit_hash_v2(prev_hash text, org_id uuid, seq bigint, case_id uuid, actor_kind text, actor_id text,
                              action text, details jsonb, salt text, created_at timestamptz)
  returns text language sql immutable
  as $$
    select encode(sha256(convert_to(jsonb_build_array(
      'v2', prev_hash, org_id, seq, case_id, actor_kind, action, audit_masked(details, actor_id, salt), salt,
      (extract(epoch from created_at) * 1000000)::bigint
    )::text, 'UTF8')), 'hex')
  $$;

-- The digest a seal holds: every sealed v1 row's details_digest, in chain order.
create function audit_sealed_digest(p_org uuid, p_through bigint) returns text
  language sql stable
  as $$
    select encode(sha256(convert_to(coalesce(string_agg(details_digest, ',' order by seq), ''), 'UTF8')), 'hex')
    from audit_events where org_id = p_org and seq <= p_through and details_salt is not null and details_digest is not null
  $$;

-- What `desk audit verify` recomputes for each row (src/audit/audit.ts). A row whose stored
-- details no longer give its hash comes back as '' (never equal to a stored hash).
create function audit_row_hash(e audit_events) returns text
  language plpgsql stable
  as $$
  begin
    if e.details_digest is null then
      -- v2, or a v1 row of an org whose seal has not been written (none before this migration).
      if e.details_salt is null then
        return audit_hash(e.prev_hash, e.org_id, e.seq, e.case_id, e.actor_kind, e.actor_id, e.action, e.details, e.created_at);
      end if;
      if e.action = 'audit.seal' and audit_sealed_digest(e.org_id, (e.details ->> 'throughSeq')::bigint) <> e.details ->> 'digest' then
        return '';
      end if;
      return audit_hash_v2(e.prev_hash, e.org_id, e.seq, e.case_id, e.actor_kind, e.actor_id, e.action, e.details, e.details_salt, e.created_at);
    end if;
    -- A sealed v1 row: as written until erased, then through its digest (the seal checks the digests).
    if e.erased_at is null then
      return audit_hash(e.prev_hash, e.org_id, e.seq, e.case_id, e.actor_kind, e.actor_id, e.action, e.details, e.created_at);
    end if;
    if audit_digest(e.details, e.actor_id, e.details_salt) <> e.details_digest then
      return '';
    end if;
    return e.hash;
  end
  $$;

create or replace function audit_chain() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    last_seq bigint;
    last_hash text;
  begin
    perform pg_advisory_xact_lock(hashtextextended('audit_chain:' || new.org_id::text, 7433));
    select seq, hash into last_seq, last_hash from audit_events
      where org_id = new.org_id order by seq desc limit 1;
    new.seq := coalesce(last_seq, 0) + 1;
    new.prev_hash := coalesce(last_hash, '');
    new.created_at := clock_timestamp();
    new.details_salt := gen_random_uuid()::text;
    new.details_digest := null;
    new.erased_at := null;
    new.hash := audit_hash_v2(new.prev_hash, new.org_id, new.seq, new.case_id, new.actor_kind,
                              new.actor_id, new.action, new.details, new.details_salt, new.created_at);
    return new;
  end
  $$;

-- Still append-only, with one exception: the owner (the erasure, as security definer, and this
-- migration salting the old rows) may replace values by their tombstones and nothing else: every
-- other column stays, and the masked content must be the same before and after.
create or replace function audit_refuse_change() returns trigger
  language plpgsql
  as $$
  begin
    if tg_op = 'UPDATE'
       and current_user = (select pg_get_userbyid(relowner) from pg_class where oid = 'audit_events'::regclass)
       and (new.id, new.org_id, new.seq, new.case_id, new.actor_kind, new.action, new.created_at, new.prev_hash, new.hash)
           is not distinct from (old.id, old.org_id, old.seq, old.case_id, old.actor_kind, old.action, old.created_at, old.prev_hash, old.hash)
       and (old.details_salt is null or new.details_salt is not distinct from old.details_salt)
       and (old.details_digest is null or new.details_digest is not distinct from old.details_digest)
       and (old.details_salt is null and new.actor_id is not distinct from old.actor_id and new.details = old.details
            or audit_masked(new.details, new.actor_id, new.details_salt) = audit_masked(old.details, old.actor_id, old.details_salt)) then
      return new;
    end if;
    raise exception 'audit events are append-only (% refused)', tg_op
      using errcode = 'insufficient_privilege';
  end
  $$;

-- The v1 rows there are: salted, digested, sealed (one chained event per org that has them).
update audit_events set details_salt = gen_random_uuid()::text where details_salt is null;
update audit_events set details_digest = audit_digest(details, actor_id, details_salt);
insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
select org_id, 'system', null, 'audit.seal',
       jsonb_build_object('throughSeq', max(seq), 'digest', audit_sealed_digest(org_id, max(seq)),
                          'why', 'rows written before the audit chain v2 (sql/00037), so their details can be erased'),
       '', ''
from audit_events group by org_id order by org_id;

-- ---------------------------------------------------------------------------------------------
-- Retention: months after a case is closed that its mail is kept (null: kept for ever).

alter table orgs add column retention_months integer check (retention_months between 1 and 240),
  -- The day (UTC) the scheduler last queued the org's retention job: claimed by an update, so
  -- one job a day however many schedulers tick.
  add column retention_queued_on date;
-- When a case's mail was deleted, and why ('retention' or 'erasure'): the case row, its number
-- and its audit trail stay.
alter table cases add column content_removed_at timestamptz, add column content_removed_reason text
  check (content_removed_reason in ('retention', 'erasure'));
alter table inbound_raw add column removed_at timestamptz;
create index cases_retention_due on cases (org_id, closed_at) where status = 'closed' and content_removed_at is null;

-- A frozen outbox row changes only through the owner (erase_person, apply_retention): its
-- recipients and text become tombstones, nothing else changes.
create or replace function outbox_freeze() returns trigger
  language plpgsql
  as $$
  begin
    if (new.to_emails, new.cc_emails, new.subject, new.body, new.from_address, new.attachments, new.approval_id, new.draft_id, new.message_id,
        new.idempotency_key, new.case_id, new.org_id)
       is distinct from (old.to_emails, old.cc_emails, old.subject, old.body, old.from_address, old.attachments, old.approval_id, old.draft_id,
        old.message_id, old.idempotency_key, old.case_id, old.org_id)
       and not (current_user = (select pg_get_userbyid(relowner) from pg_class where oid = 'outbox'::regclass)
                and (new.from_address, new.approval_id, new.draft_id, new.message_id, new.idempotency_key, new.case_id, new.org_id)
                    is not distinct from (old.from_address, old.approval_id, old.draft_id, old.message_id, old.idempotency_key, old.case_id, old.org_id)) then
      raise exception 'outbox content is frozen once approved' using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;

-- The mail content of some cases of the org in scope: thread text, raw mail, files. Cases,
-- numbers, clocks and the audit trail stay. Shared by retention and erasure.
create function remove_case_content(p_org uuid, p_cases uuid[], p_reason text) returns jsonb
  language plpgsql security definer set search_path = public
  as $$
  declare
    tomb text := case p_reason when 'erasure' then '[erased]' else '[removed after the retention period]' end;
    n_messages integer; n_files integer; n_raw integer; n_uploads integer; n_drafts integer; n_outbox integer;
    freed bigint;
  begin
    update messages set text_body = tomb, html_body = null
      where org_id = p_org and case_id = any (p_cases) and text_body <> tomb;
    get diagnostics n_messages = row_count;
    select coalesce(sum(a.size), 0) into freed from message_attachments a join messages m on m.id = a.message_id
      where a.org_id = p_org and m.case_id = any (p_cases) and a.content is not null;
    update message_attachments a set content = null, not_kept = 'removed: ' || p_reason, extracted_text = null
      from messages m where m.id = a.message_id and a.org_id = p_org and m.case_id = any (p_cases)
        and (a.content is not null or a.extracted_text is not null);
    get diagnostics n_files = row_count;
    update attachment_usage set stored_bytes = greatest(stored_bytes - freed, 0), updated_at = now() where org_id = p_org;
    update inbound_raw r set raw = ''::bytea, removed_at = now()
      where r.org_id = p_org and r.removed_at is null
        and (r.case_id = any (p_cases) or r.id in (select raw_id from messages where org_id = p_org and case_id = any (p_cases)));
    get diagnostics n_raw = row_count;
    delete from draft_attachments da using drafts d where d.id = da.draft_id and d.org_id = p_org and d.case_id = any (p_cases);
    delete from case_uploads where org_id = p_org and case_id = any (p_cases);
    get diagnostics n_uploads = row_count;
    update drafts set body = tomb, instruction = null, tone_notes = '', recovery_rationale = ''
      where org_id = p_org and case_id = any (p_cases) and body <> tomb;
    get diagnostics n_drafts = row_count;
    -- A reply not yet sent is not sent any more.
    update outbox set status = 'cancelled', last_error = 'content removed: ' || p_reason
      where org_id = p_org and case_id = any (p_cases) and status in ('pending', 'sending', 'failed');
    update outbox set body = tomb, attachments = '[]'::jsonb where org_id = p_org and case_id = any (p_cases) and body <> tomb;
    get diagnostics n_outbox = row_count;
    update cases set content_removed_at = now(), content_removed_reason = p_reason where org_id = p_org and id = any (p_cases);
    return jsonb_build_object('messages', n_messages, 'files', n_files, 'rawMessages', n_raw, 'uploads', n_uploads,
                              'drafts', n_drafts, 'outbox', n_outbox);
  end
  $$;
revoke execute on function remove_case_content(uuid, uuid[], text) from public;

-- One bounded batch of the org in scope: its closed cases past the retention period, oldest
-- first. Each case gets its own audit event. Returns how many cases were done (0: none left).
create function apply_retention(p_limit integer) returns integer
  language plpgsql security definer set search_path = public
  as $$
  declare
    o orgs;
    due uuid[];
    c record;
  begin
    select * into o from orgs where id = app_org_id();
    if o.id is null or o.retention_months is null then return 0; end if;
    select array_agg(id) into due from (
      select id from cases where org_id = o.id and status = 'closed' and content_removed_at is null
        and closed_at < now() - make_interval(months => o.retention_months)
      order by closed_at limit greatest(p_limit, 1) for update skip locked) d;
    if due is null then return 0; end if;
    perform remove_case_content(o.id, due, 'retention');
    for c in select id, closed_at from cases where id = any (due) order by closed_at loop
      insert into audit_events (org_id, case_id, actor_kind, actor_id, action, details, prev_hash, hash)
      values (o.id, c.id, 'system', null, 'case.content_remove',
              jsonb_build_object('reason', 'retention', 'retentionMonths', o.retention_months, 'closedAt', c.closed_at), '', '');
    end loop;
    return cardinality(due);
  end
  $$;
grant execute on function apply_retention(integer) to desk_app;

-- ---------------------------------------------------------------------------------------------
-- Erasure of a person (GDPR art. 17, CCPA) by address, in the org in scope, by an active admin.
-- The only path that may rewrite frozen rows (outbox) and audit details. Their cases keep their
-- rows, numbers and clocks; every trace of the person becomes a tombstone:
--   cases: customer name, address, subject, summary, intake fields; the thread and its files,
--   raw mail, drafts and replies (remove_case_content); the drafts' and replies' recipients;
--   their messages filed on other cases and the dev mailbox's copies of mail to them;
--   audit details: every string holding the address, one of their names or one of their cases'
--   subjects, and the actor id of what they did as the customer.
-- p_dry_run counts and changes nothing. The erasure's own event holds the counts and the
-- SHA-256 of the org id and the address (so a later request can be answered "already erased"),
-- never the address. Run as the owner only: the portal reaches it through erase_person (an
-- active admin), `desk erase` directly (whoever runs the CLI runs the desk).
create function erase_person_as(p_org uuid, p_actor_kind text, p_actor_id text, p_email text, p_dry_run boolean) returns jsonb
  language plpgsql security definer set search_path = public
  as $$
  declare
    addr text := lower(btrim(p_email));
    case_ids uuid[];
    needles text[];
    counts jsonb;
    n_other integer; n_mailbox integer; n_audit integer;
  begin
    if addr !~ '^[^@\s]+@[^@\s]+$' then
      raise exception 'erase refused: % is not an address', p_email using errcode = 'invalid_parameter_value';
    end if;
    select coalesce(array_agg(id), '{}') into case_ids from cases where org_id = p_org and lower(customer_email) = addr;
    select array_agg(distinct lower(n)) filter (where length(btrim(n)) >= 3) into needles from (
      select customer_name as n from cases where id = any (case_ids)
      union all select subject from cases where id = any (case_ids)
      union all select original_subject from cases where id = any (case_ids)
      union all select from_name from messages where org_id = p_org and lower(from_email) = addr) names
      where n is not null and n <> '[erased]';
    needles := array_prepend(addr, coalesce(needles, '{}'));
    select count(*) into n_other from messages
      where org_id = p_org and not (case_id = any (case_ids)) and (lower(from_email) = addr or addr = any (array(select lower(unnest(to_emails)))));
    select count(*) into n_mailbox from dev_mailbox
      where org_id = p_org and addr = any (array(select lower(unnest(to_addresses || cc_addresses))));
    select count(*) into n_audit from audit_events
      where org_id = p_org and erased_at is null
        and (lower(actor_id) = addr or (exists (select 1 from unnest(needles) n where strpos(lower(details::text), n) > 0 or n ~ '["\\]')
                                        and audit_tombstone(details, details_salt, needles) <> details));
    counts := jsonb_build_object('cases', cardinality(case_ids), 'otherMessages', n_other, 'devMailbox', n_mailbox, 'auditEvents', n_audit);
    if p_dry_run then
      return counts || jsonb_build_object(
        'messages', (select count(*) from messages where org_id = p_org and case_id = any (case_ids)),
        'files', (select count(*) from message_attachments x join messages m on m.id = x.message_id
                  where m.org_id = p_org and m.case_id = any (case_ids) and x.content is not null),
        'uploads', (select count(*) from case_uploads where org_id = p_org and case_id = any (case_ids)),
        'drafts', (select count(*) from drafts where org_id = p_org and case_id = any (case_ids)),
        'outbox', (select count(*) from outbox where org_id = p_org and case_id = any (case_ids)));
    end if;

    counts := counts || remove_case_content(p_org, case_ids, 'erasure');
    update messages set subject = '[erased]', from_name = null,
                        from_email = case when lower(from_email) = addr then 'erased@erased.invalid' else from_email end,
                        to_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(to_emails) t),
                        cc_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(cc_emails) t),
                        original_to_emails = '{}', original_cc_emails = '{}'
      where org_id = p_org and (case_id = any (case_ids) or lower(from_email) = addr or addr = any (array(select lower(unnest(to_emails)))));
    update messages set text_body = '[erased]', html_body = null
      where org_id = p_org and not (case_id = any (case_ids)) and lower(from_email) = 'erased@erased.invalid' and text_body <> '[erased]';
    update drafts set subject = '[erased]', to_emails = '{}', cc_emails = '{}', missing_facts = '{}'
      where org_id = p_org and case_id = any (case_ids);
    update outbox set subject = '[erased]', to_emails = '{erased@erased.invalid}', cc_emails = '{}'
      where org_id = p_org and case_id = any (case_ids);
    update csat_responses set comment = null where org_id = p_org and case_id = any (case_ids);
    delete from dev_mailbox where org_id = p_org and addr = any (array(select lower(unnest(to_addresses || cc_addresses))));
    update inbound_raw set raw = ''::bytea, envelope = '{}'::jsonb, summary = null, removed_at = coalesce(removed_at, now())
      where org_id = p_org and (case_id = any (case_ids) or lower(envelope ->> 'from') = addr
                                   or lower(summary ->> 'from') = addr);
    update cases set customer_email = null, customer_name = null, subject = '[erased]', summary = '', original_subject = null,
                     import_fields = null, intake = null, reply_to_message_id = null, reply_references = '{}'
      where org_id = p_org and id = any (case_ids);
    update audit_events set details = audit_tombstone(details, details_salt, needles),
                            actor_id = case when lower(actor_id) = addr then '$erased:' || audit_mask_string(actor_id, details_salt) else actor_id end,
                            erased_at = now()
      where org_id = p_org and erased_at is null
        and (lower(actor_id) = addr or (exists (select 1 from unnest(needles) n where strpos(lower(details::text), n) > 0 or n ~ '["\\]')
                                        and audit_tombstone(details, details_salt, needles) <> details));
    insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (p_org, p_actor_kind, p_actor_id, 'person.erase',
            counts || jsonb_build_object('subjectSha256', encode(sha256(convert_to(p_org::text || ':' || addr, 'UTF8')), 'hex')), '', '');
    return counts;
  end
  $$;
revoke execute on function erase_person_as(uuid, text, text, text, boolean) from public;

create function erase_person(p_actor uuid, p_email text, p_dry_run boolean) returns jsonb
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
  begin
    a := assert_acting_admin(p_actor);
    return erase_person_as(a.org_id, 'user', a.id::text, p_email, p_dry_run);
  end
  $$;
revoke execute on function erase_person(uuid, text, boolean) from public;
grant execute on function erase_person(uuid, text, boolean) to desk_app;
