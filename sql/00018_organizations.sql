-- Organizations set up without SQL: the org's own domains, its executives, approvers per
-- severity and per source, the sender of its replies, and the server's own base URL.
--
-- * Executives move from orgs.executive_forwarders to a table of their own (name, title, and
--   whether replies may go out From their address).
-- * Approvers per severity or source are rows naming users (not a settings key naming
--   addresses), changed only through set_approvers(), which checks that an active admin acts and
--   audits the change; the approval gate refuses an approval by anyone not listed.
-- * The From of a reply is recorded on the approval and the outbox row, and covered by the
--   approval's hash: the customer sees the sender the approver saw.

-- ---------------------------------------------------------------------------------------------
-- The org's own domains (colleagues are never customers) and the sender of its replies.

alter table orgs
  add column domains text[] not null default '{}'
    check (array_to_string(domains, ',') = lower(array_to_string(domains, ','))),
  -- `Name <address>` on a domain verified at the mail provider; null: the desk's MAIL_FROM.
  add column reply_from text
    check (reply_from is null or (length(reply_from) <= 500 and reply_from !~ '[\x01-\x1f\x7f-\x9f\u2028\u2029]'));

-- ---------------------------------------------------------------------------------------------
-- Executives: whose forwards count as the CEO's inbox, and whose voice those replies are in.

create table org_executives (
  org_id uuid not null references orgs (id),
  email text not null check (email = lower(email) and email like '%_@_%' and length(email) <= 320),
  name text not null default '' check (length(name) <= 200),
  title text not null default '' check (length(title) <= 200),
  -- May replies to this executive's inbox go out From this address (the domain must be verified
  -- for sending)? Otherwise they go out as "Name via Org" from the org's own sender.
  send_as boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (org_id, email)
);
alter table org_executives enable row level security;
create policy org_executives_isolation on org_executives
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, update, delete on org_executives to desk_app;

insert into org_executives (org_id, email)
select distinct o.id, lower(trim(e)) from orgs o cross join unnest(o.executive_forwarders) as e
where trim(e) like '%_@_%'
on conflict do nothing;
alter table orgs drop column executive_forwarders;

-- ---------------------------------------------------------------------------------------------
-- Approvers per severity and per source. A case goes to the approvers listed for its source when
-- there are any (lawyer and regulator cases to legal-trained approvers), else to those listed for
-- its severity, else to every approver.

create table approver_assignments (
  org_id uuid not null references orgs (id),
  scope text not null check (scope in ('severity', 'source')),
  value text not null,
  user_id uuid not null references app_users (id),
  created_at timestamptz not null default now(),
  primary key (org_id, scope, value, user_id),
  check ((scope = 'severity' and value in ('SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'))
      or (scope = 'source' and value in ('ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv')))
);
alter table approver_assignments enable row level security;
create policy approver_assignments_isolation on approver_assignments
  using (org_id = app_org_id()) with check (org_id = app_org_id());
-- Who may approve is what the gate trusts: the application role reads the lists, and changes
-- them only through set_approvers().
grant select on approver_assignments to desk_app;

-- The users listed for this case (its source's list, else its severity's), or null when neither
-- has a list and every approver may decide.
create function listed_approvers(p_case uuid) returns uuid[]
  language sql stable
  as $$
    select coalesce(
      (select array_agg(a.user_id order by a.user_id) from approver_assignments a
        where a.org_id = c.org_id and a.scope = 'source' and a.value = c.source),
      (select array_agg(a.user_id order by a.user_id) from approver_assignments a
        where a.org_id = c.org_id and a.scope = 'severity' and a.value = c.severity))
    from cases c where c.id = p_case
  $$;

create function set_approvers(p_actor uuid, p_scope text, p_value text, p_users uuid[]) returns boolean
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    listed uuid[] := array(select distinct u from unnest(p_users) u where u is not null order by u);
    before uuid[];
  begin
    a := assert_acting_admin(p_actor);
    perform 1 from orgs where id = a.org_id for update;
    if exists (select 1 from unnest(listed) u where not exists (
         select 1 from app_users x where x.id = u and x.org_id = a.org_id and x.role in ('approver', 'admin') and x.disabled_at is null)) then
      raise exception 'refused: only active approvers and admins of this organization can be listed' using errcode = 'check_violation';
    end if;
    before := array(select user_id from approver_assignments where org_id = a.org_id and scope = p_scope and value = p_value order by user_id);
    if before = listed then return false; end if;
    delete from approver_assignments where org_id = a.org_id and scope = p_scope and value = p_value;
    insert into approver_assignments (org_id, scope, value, user_id) select a.org_id, p_scope, p_value, u from unnest(listed) u;
    insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (a.org_id, 'user', a.id::text, 'org.approvers_change', jsonb_build_object(
      'scope', p_scope, 'value', p_value,
      'before', coalesce((select jsonb_agg(email order by email) from app_users where id = any (before)), '[]'),
      'after', coalesce((select jsonb_agg(email order by email) from app_users where id = any (listed)), '[]')), '', '');
    return true;
  end
  $$;

-- The untyped settings key this replaces: addresses per severity, kept where they name a user.
insert into approver_assignments (org_id, scope, value, user_id)
select distinct o.id, 'severity', s.key, u.id
from orgs o
cross join lateral jsonb_each(case when jsonb_typeof(o.settings -> 'approvers_by_severity') = 'object' then o.settings -> 'approvers_by_severity' else '{}' end) s
cross join lateral jsonb_array_elements_text(case when jsonb_typeof(s.value) = 'array' then s.value else '[]' end) e
join app_users u on u.org_id = o.id and u.email = lower(trim(e))
where s.key in ('SEV-1', 'SEV-2', 'SEV-3', 'SEV-4')
on conflict do nothing;
update orgs set settings = settings - 'approvers_by_severity' where settings ? 'approvers_by_severity';

-- ---------------------------------------------------------------------------------------------
-- The sender is part of what is approved. Rows from before this migration have none (they were
-- sent from MAIL_FROM) and keep the hash of recipients, subject and body.

create function reply_content_hash(to_emails text[], subject text, body text, from_address text) returns text
  language sql immutable
  as $$
    select case when from_address is null then draft_content_hash(to_emails, subject, body)
      else encode(sha256(convert_to(jsonb_build_array(to_emails, subject, body, from_address)::text, 'UTF8')), 'hex') end
  $$;

alter table approvals add column from_address text;
alter table outbox add column from_address text;

-- As in 00011, with the sender in the hash and the approvers listed for the case.
create or replace function approvals_check() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    d drafts;
    approver app_users;
    latest integer;
    missing text[];
    listed uuid[];
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
    if new.content_hash <> reply_content_hash(d.to_emails, d.subject, d.body, new.from_address) then
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
      listed := listed_approvers(d.case_id);
      if listed is not null and not (new.approver_id = any (listed)) then
        raise exception 'approval refused: this case goes to the approvers listed for its source or severity'
          using errcode = 'insufficient_privilege';
      end if;
    end if;
    return new;
  end
  $$;

-- As in 00011, with the sender: the outbox row sends From exactly what was approved.
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
       or a.content_hash <> reply_content_hash(d.to_emails, d.subject, d.body, a.from_address)
       or new.from_address is distinct from a.from_address
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

create or replace function outbox_freeze() returns trigger
  language plpgsql
  as $$
  begin
    if (new.to_emails, new.subject, new.body, new.from_address, new.approval_id, new.draft_id, new.message_id, new.idempotency_key, new.case_id, new.org_id)
       is distinct from (old.to_emails, old.subject, old.body, old.from_address, old.approval_id, old.draft_id, old.message_id, old.idempotency_key, old.case_id, old.org_id) then
      raise exception 'outbox content is frozen once approved' using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;

-- ---------------------------------------------------------------------------------------------
-- Where the running server answers (PUBLIC_URL, or http://localhost:PORT), recorded at start so
-- links the CLI prints (sign-in, new organizations) and mail it sends point at that server even
-- when the command's own environment has no PUBLIC_URL. Owner only, like app_secrets.

create table server_settings (
  name text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);
alter table server_settings enable row level security;
revoke all on server_settings from public;
