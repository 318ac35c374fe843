-- The approval gate (invariant 3): nothing reaches a customer without an approver's decision on
-- the exact draft version. Enforced here, for every role, not only in application code.

-- What an approval is bound to: recipients, subject and body of one draft version.
create function draft_content_hash(to_emails text[], subject text, body text) returns text
  language sql immutable
  as $$ select encode(sha256(convert_to(jsonb_build_array(to_emails, subject, body)::text, 'UTF8')), 'hex') $$;

-- One row per approver asked, with the link's jti: "awaiting approval, and for how long".
create table approval_requests (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  draft_id uuid not null references drafts (id),
  content_hash text not null,
  approver_id uuid not null references app_users (id),
  requested_by uuid references app_users (id),
  jti text not null unique,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  decided_at timestamptz,
  -- A newer draft version or new mail from the customer makes the request (and its link) stale.
  voided_at timestamptz,
  void_reason text
);
create index approval_requests_open on approval_requests (org_id, created_at) where decided_at is null and voided_at is null;
create index approval_requests_case on approval_requests (case_id);

create table approvals (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  draft_id uuid not null references drafts (id),
  content_hash text not null,
  approver_id uuid not null references app_users (id),
  decision text not null check (decision in ('approved', 'rejected')),
  note text,
  -- Guardrail warnings the approver explicitly accepted (codes).
  acknowledged_flags text[] not null default '{}',
  via text not null check (via in ('link', 'portal')),
  created_at timestamptz not null default now()
);
-- Two approvers approving at once: one approval, so one send.
create unique index approvals_one_per_draft on approvals (draft_id) where decision = 'approved';

create table outbox (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  draft_id uuid not null references drafts (id),
  approval_id uuid not null unique references approvals (id),
  to_emails text[] not null,
  subject text not null,
  body text not null,
  -- Our own Message-ID, stored before sending, so the customer's reply threads back.
  message_id text not null unique,
  in_reply_to text,
  reference_ids text[] not null default '{}',
  reply_to text not null,
  idempotency_key text not null unique,
  -- cancelled: new mail from the customer arrived before the approved reply left.
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts integer not null default 0,
  last_error text,
  provider_id text,
  sent_at timestamptz,
  created_at timestamptz not null default now()
);
create index outbox_case on outbox (case_id);
create index outbox_failed on outbox (org_id, created_at) where status = 'failed';

-- An approval must come from an active approver or admin of the org, on the latest version of
-- the case's draft, for its exact content, with no blocking guardrail and every warning accepted.
create function approvals_check() returns trigger
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
    end if;
    return new;
  end
  $$;
create trigger approvals_gate before insert on approvals for each row execute function approvals_check();

-- The outbox row must carry exactly the approved text of exactly that version.
create function outbox_check() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    a approvals;
    d drafts;
    approver app_users;
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
    return new;
  end
  $$;
create trigger outbox_gate before insert on outbox for each row execute function outbox_check();

-- What was approved is what is sent: once queued, only delivery bookkeeping may change.
create function outbox_freeze() returns trigger
  language plpgsql
  as $$
  begin
    if (new.to_emails, new.subject, new.body, new.approval_id, new.draft_id, new.message_id, new.idempotency_key, new.case_id, new.org_id)
       is distinct from (old.to_emails, old.subject, old.body, old.approval_id, old.draft_id, old.message_id, old.idempotency_key, old.case_id, old.org_id) then
      raise exception 'outbox content is frozen once approved' using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;
create trigger outbox_frozen before update on outbox for each row execute function outbox_freeze();

-- Approvals are decisions on record: never rewritten.
create function refuse_rewrite() returns trigger
  language plpgsql
  as $$
  begin
    raise exception '% rows are append-only (% refused)', tg_table_name, tg_op using errcode = 'insufficient_privilege';
  end
  $$;
create trigger approvals_append_only before update or delete on approvals
  for each row execute function refuse_rewrite();

-- A newer draft version makes pending requests (and their links) stale.
create function drafts_void_requests() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    update approval_requests set voided_at = now(), void_reason = 'a newer version of the reply was saved'
    where case_id = new.case_id and draft_id <> new.id and decided_at is null and voided_at is null;
    return new;
  end
  $$;
create trigger drafts_void_requests after insert on drafts for each row execute function drafts_void_requests();

do $$
declare
  t text;
begin
  foreach t in array array['approval_requests', 'approvals', 'outbox']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())', t || '_isolation', t);
  end loop;
end
$$;

grant select, insert, update on approval_requests to desk_app;
grant select, insert on approvals to desk_app;
grant select, insert, update on outbox to desk_app;
