-- The approval gate covers exactly what was approved, and nothing after it.
--
-- * A reply approved as version N may leave only while N is the case's latest draft version and
--   the customer has not written since it was approved. The app cancels unsent replies when
--   either happens (one audited function); the checks here refuse whatever it missed.
-- * Four eyes: whoever wrote or edited the approved text is not its only approver, unless the
--   org allows self-approval for the case's severity and the case's source does not forbid it.
-- * The application role cannot change what the gate trusts: user roles, disabling users and
--   the self-approval policy change only through functions that check that an active admin of
--   the org acts, and that write the audit event themselves.
-- * Customer links (rating, "confirm resolved") are minted per outbox row, when it is sent.
-- * Draft subjects are one line.

-- ---------------------------------------------------------------------------------------------
-- Nothing stale leaves.

-- Why an outbox row must not be handed to the provider now, or null when it may. New customer
-- mail means mail filed on the case after the row was queued; a forwarded copy of mail the case
-- already holds is not new.
create function outbox_stale_reason(o outbox) returns text
  language sql stable
  as $$
    select case
      when (select version from drafts where id = o.draft_id) <> (select max(version) from drafts where case_id = o.case_id)
        then 'a newer version of the reply was saved'
      when exists (select 1 from messages m
                   where m.case_id = o.case_id and m.direction = 'inbound'
                     and m.threaded_by is distinct from 'forward_copy' and m.created_at > o.created_at)
        then 'the customer wrote again'
    end
  $$;

-- The outbox row must carry exactly the approved text of exactly that version, and that version
-- must still be the one the case would send.
create or replace function outbox_check() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    a approvals;
    d drafts;
    approver app_users;
    stale text;
  begin
    select * into a from approvals where id = new.approval_id;
    select * into d from drafts where id = new.draft_id;
    select * into approver from app_users where id = a.approver_id;
    if a.id is null or d.id is null or a.decision <> 'approved' or a.draft_id <> d.id
       or a.org_id <> new.org_id or a.case_id <> new.case_id or d.case_id <> new.case_id
       or approver.role not in ('approver', 'admin')
       or a.content_hash <> draft_content_hash(d.to_emails, d.subject, d.body)
       or new.to_emails <> d.to_emails or new.subject <> d.subject or new.body <> d.body then
      raise exception 'outbox refused: no approval of this exact draft version by an approver'
        using errcode = 'check_violation';
    end if;
    stale := outbox_stale_reason(new);
    if stale is not null then
      raise exception 'outbox refused: % since it was approved', stale using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;

-- A reply moves forward only: pending -> sending -> sent, or to failed or cancelled, and sent,
-- failed and cancelled are final. Starting an attempt (or recording a send) re-checks that the
-- approval still covers what the case would send.
create function outbox_transition() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    stale text;
  begin
    if new.status is distinct from old.status and not (
         (old.status = 'pending' and new.status in ('sending', 'sent', 'failed', 'cancelled'))
      or (old.status = 'sending' and new.status in ('sent', 'failed', 'cancelled'))) then
      raise exception 'outbox refused: a % reply cannot become %', old.status, new.status using errcode = 'check_violation';
    end if;
    if new.status in ('sending', 'sent') and (new.status is distinct from old.status or new.attempts <> old.attempts) then
      stale := outbox_stale_reason(new);
      if stale is not null then
        raise exception 'outbox refused: % since it was approved', stale using errcode = 'check_violation';
      end if;
    end if;
    return new;
  end
  $$;
create trigger outbox_transition before update on outbox for each row execute function outbox_transition();

-- Voiding requests (and cancelling unsent replies) is the app's job now, in one audited function
-- called by every path that makes an approval stale; this trigger did it silently.
drop trigger drafts_void_requests on drafts;
drop function drafts_void_requests();

-- ---------------------------------------------------------------------------------------------
-- Four eyes.

alter table orgs
  add column self_approval_severities text[] not null default '{SEV-3,SEV-4}'
    check (self_approval_severities <@ array['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4']),
  add column four_eyes_sources text[] not null default '{lawyer,regulator}'
    check (four_eyes_sources <@ array['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv']);

-- The authors of a version's text: every user who authored a version of the case's draft after
-- the latest version that stands on its own, up to and including this one. A version stands on
-- its own when the desk wrote it (the model or a template: no person's words; this one too), or
-- when an earlier version was approved (someone vouched for that text). So an edit of an edit
-- counts both editors, and a redraft or an approval starts the count again.
-- The anchor is found walking back from this version (the index on (case_id, version desc) stops
-- at the first hit), and computed once: the case's whole history is never scanned per version.
create function draft_text_authors(p_draft uuid) returns uuid[]
  language sql stable
  as $$
    with target as materialized (select case_id, version from drafts where id = p_draft),
    anchor as materialized (
      select coalesce((
        select d.version from drafts d join target t on d.case_id = t.case_id and d.version <= t.version
        where d.author_kind <> 'user'
           or (d.version < t.version and exists (select 1 from approvals a where a.draft_id = d.id and a.decision = 'approved'))
        order by d.version desc limit 1), 0) as version
    )
    select coalesce(array_agg(distinct d.author_id), '{}')
    from drafts d join target t on d.case_id = t.case_id cross join anchor
    where d.version > anchor.version and d.version <= t.version and d.author_id is not null
  $$;

-- Whether one person may write and approve a reply on this case: the org allows it for the
-- case's current severity, and the case's source is not one that always needs two people.
create function self_approval_allowed(p_case uuid) returns boolean
  language sql stable
  as $$
    select coalesce(c.severity = any (o.self_approval_severities) and not (c.source = any (o.four_eyes_sources)), false)
    from cases c join orgs o on o.id = c.org_id where c.id = p_case
  $$;

-- As in 00007, plus four eyes on approvals (a rejection by an author is fine).
create or replace function approvals_check() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    d drafts;
    approver app_users;
    latest integer;
    missing text[];
  begin
    select * into d from drafts where id = new.draft_id;
    if d.id is null or d.org_id <> new.org_id or d.case_id <> new.case_id then
      raise exception 'approval refused: the draft does not belong to this case' using errcode = 'check_violation';
    end if;
    select * into approver from app_users where id = new.approver_id;
    if approver.id is null or approver.org_id <> new.org_id or approver.disabled_at is not null
       or approver.role not in ('approver', 'admin') then
      raise exception 'approval refused: only an active approver or admin can decide' using errcode = 'insufficient_privilege';
    end if;
    if new.content_hash <> draft_content_hash(d.to_emails, d.subject, d.body) then
      raise exception 'approval refused: the text changed since it was reviewed' using errcode = 'check_violation';
    end if;
    if new.decision = 'approved' then
      select max(version) into latest from drafts where case_id = d.case_id;
      if d.version <> latest then
        raise exception 'approval refused: version % is not the latest (%)', d.version, latest using errcode = 'check_violation';
      end if;
      if exists (select 1 from jsonb_array_elements(d.guardrail_flags) f where f->>'severity' = 'block') then
        raise exception 'approval refused: the draft has blocking guardrail flags' using errcode = 'check_violation';
      end if;
      select array_agg(distinct f->>'code') into missing from jsonb_array_elements(d.guardrail_flags) f
        where f->>'severity' = 'warn' and not (f->>'code' = any(new.acknowledged_flags));
      if missing is not null then
        raise exception 'approval refused: warnings not acknowledged: %', array_to_string(missing, ', ') using errcode = 'check_violation';
      end if;
      if new.approver_id = any (draft_text_authors(d.id)) and not self_approval_allowed(d.case_id) then
        raise exception 'approval refused: the approver wrote or edited this text, so another approver must approve it'
          using errcode = 'check_violation';
      end if;
    end if;
    return new;
  end
  $$;

-- ---------------------------------------------------------------------------------------------
-- What the gate trusts, out of the application role's reach.

-- The actor must be an active admin of the org the transaction is scoped to. The actor id is the
-- caller's word, checked against the row; what these functions guarantee is that every change
-- has an admin's name on it and an audit event in the same transaction.
create function assert_acting_admin(p_actor uuid) returns app_users
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
  begin
    select * into a from app_users where id = p_actor;
    if a.id is null or app_org_id() is null or a.org_id <> app_org_id() or a.role <> 'admin' or a.disabled_at is not null then
      raise exception 'refused: only an active admin of this organization can do that' using errcode = 'insufficient_privilege';
    end if;
    return a;
  end
  $$;
revoke execute on function assert_acting_admin(uuid) from public;

create function audit_user_change(p_org uuid, p_actor uuid, p_action text, p_details jsonb) returns void
  language sql security definer set search_path = public
  as $$
    insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (p_org, 'user', p_actor::text, p_action, p_details, '', '')
  $$;
revoke execute on function audit_user_change(uuid, uuid, text, jsonb) from public;

-- Both rows locked in id order: two admins changing each other at once serialise, so the org
-- cannot lose its last admin that way.
create function lock_actor_and_user(p_actor uuid, p_user uuid) returns void
  language sql security definer set search_path = public
  as $$ select null from app_users where id in (p_actor, p_user) order by id for update $$;
revoke execute on function lock_actor_and_user(uuid, uuid) from public;

create function change_user_role(p_actor uuid, p_user uuid, p_role text) returns text
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    u app_users;
  begin
    perform lock_actor_and_user(p_actor, p_user);
    a := assert_acting_admin(p_actor);
    if p_user = p_actor then
      raise exception 'refused: nobody changes their own role or disables themselves; ask another admin' using errcode = 'insufficient_privilege';
    end if;
    select * into u from app_users where id = p_user and org_id = a.org_id;
    if u.id is null then return 'not_found'; end if;
    if u.disabled_at is not null then return 'disabled'; end if;
    if u.role = p_role then return 'unchanged'; end if;
    update app_users set role = p_role where id = u.id;
    perform audit_user_change(a.org_id, a.id, 'user.role_change',
      jsonb_build_object('userId', u.id, 'email', u.email, 'from', u.role, 'to', p_role));
    return 'changed';
  end
  $$;

-- Disabling also ends every session the user has.
create function disable_app_user(p_actor uuid, p_user uuid) returns text
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    u app_users;
    revoked integer;
  begin
    perform lock_actor_and_user(p_actor, p_user);
    a := assert_acting_admin(p_actor);
    if p_user = p_actor then
      raise exception 'refused: nobody changes their own role or disables themselves; ask another admin' using errcode = 'insufficient_privilege';
    end if;
    select * into u from app_users where id = p_user and org_id = a.org_id;
    if u.id is null then return 'not_found'; end if;
    if u.disabled_at is not null then return 'unchanged'; end if;
    update app_users set disabled_at = now() where id = u.id;
    update sessions set revoked_at = now() where user_id = u.id and revoked_at is null;
    get diagnostics revoked = row_count;
    perform audit_user_change(a.org_id, a.id, 'user.disable',
      jsonb_build_object('userId', u.id, 'email', u.email, 'sessionsRevoked', revoked));
    return 'disabled';
  end
  $$;

-- Null when the address is already a user of the org.
create function create_app_user(p_actor uuid, p_email text, p_name text, p_role text) returns uuid
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    created uuid;
  begin
    a := assert_acting_admin(p_actor);
    insert into app_users (org_id, email, name, role) values (a.org_id, lower(p_email), p_name, p_role)
      on conflict (org_id, email) do nothing
      returning id into created;
    if created is not null then
      perform audit_user_change(a.org_id, a.id, 'user.create',
        jsonb_build_object('userId', created, 'email', lower(p_email), 'role', p_role));
    end if;
    return created;
  end
  $$;

-- desk_app keeps what it legitimately changes on users (their display name); roles, disabling
-- and new users go through the functions above.
revoke insert, update on app_users from desk_app;
grant update (name) on app_users to desk_app;

-- The self-approval policy, the same way. orgs keeps its table-wide UPDATE grant (other
-- settings live there), so a trigger guards these two columns: only the owner, which is who
-- set_approval_policy runs as, may change them.
create function orgs_guard_approval_policy() returns trigger
  language plpgsql
  as $$
  begin
    if (new.self_approval_severities, new.four_eyes_sources) is distinct from (old.self_approval_severities, old.four_eyes_sources)
       and current_user <> (select pg_get_userbyid(relowner) from pg_class where oid = 'orgs'::regclass) then
      raise exception 'refused: the self-approval policy changes only through set_approval_policy()' using errcode = 'insufficient_privilege';
    end if;
    return new;
  end
  $$;
create trigger orgs_guard_approval_policy before update on orgs for each row execute function orgs_guard_approval_policy();

create function set_approval_policy(p_actor uuid, p_severities text[], p_sources text[]) returns boolean
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    o orgs;
    severities text[] := array(select distinct s from unnest(p_severities) s order by s);
    sources text[] := array(select distinct s from unnest(p_sources) s order by s);
  begin
    a := assert_acting_admin(p_actor);
    select * into o from orgs where id = a.org_id for update;
    if (o.self_approval_severities, o.four_eyes_sources) is not distinct from (severities, sources) then return false; end if;
    update orgs set self_approval_severities = severities, four_eyes_sources = sources where id = o.id;
    insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (o.id, 'user', a.id::text, 'org.approval_policy_change', jsonb_build_object(
      'before', jsonb_build_object('selfApprovalSeverities', o.self_approval_severities, 'fourEyesSources', o.four_eyes_sources),
      'after', jsonb_build_object('selfApprovalSeverities', severities, 'fourEyesSources', sources)), '', '');
    return true;
  end
  $$;

-- ---------------------------------------------------------------------------------------------
-- Customer links are minted when the reply carrying them is sent, once per outbox row: a retry
-- re-signs the same rows, so the provider sees the same message (same idempotency payload).
alter table customer_links add column outbox_id uuid references outbox (id);
create unique index customer_links_one_per_send on customer_links (outbox_id, purpose) where outbox_id is not null;

-- ---------------------------------------------------------------------------------------------
-- A subject becomes a mail header: one line, no control characters. New rows only (not valid),
-- so a database holding an old multi-line subject still migrates.
alter table drafts add constraint drafts_subject_one_line
  check (subject !~ '[\x01-\x1f\x7f-\x9f\u2028\u2029]') not valid;
