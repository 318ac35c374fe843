-- A reply's copies (CC) and files. Both are part of what an approver approves: the approval hash
-- covers the CC list and each file's name, type and SHA-256, and a reply whose file's bytes no
-- longer hash to what was approved is held back, never sent.

-- Who a draft version copies, as the approver sees it.
alter table drafts add column cc_emails text[] not null default '{}';

-- Files a person of the team uploaded on a case to send with a reply. Kept as uploaded: the app
-- role may add them, never change or remove one (an approved reply names its bytes).
create table case_uploads (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  filename text not null check (length(filename) between 1 and 255),
  content_type text not null check (length(content_type) between 1 and 255),
  size bigint not null check (size > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea not null,
  uploaded_by uuid not null references app_users (id),
  created_at timestamptz not null default now(),
  check (octet_length(content) = size)
);
create index case_uploads_case on case_uploads (case_id, created_at);

-- The files of one draft version, in order: an upload, or a file the thread holds. Name, type,
-- size and hash are copied from the file when the version is saved (what the approver is shown).
create table draft_attachments (
  draft_id uuid not null references drafts (id),
  org_id uuid not null references orgs (id),
  position integer not null check (position between 0 and 99),
  upload_id uuid references case_uploads (id),
  message_attachment_id uuid references message_attachments (id),
  filename text not null,
  content_type text not null,
  size bigint not null,
  sha256 text not null,
  primary key (draft_id, position),
  check ((upload_id is null) <> (message_attachment_id is null))
);

alter table case_uploads enable row level security;
create policy case_uploads_isolation on case_uploads using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table draft_attachments enable row level security;
create policy draft_attachments_isolation on draft_attachments using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert on case_uploads, draft_attachments to desk_app;

-- A file may only go with a version of its own case, and only a file the desk kept.
create function draft_attachments_check() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    d drafts;
    source_case uuid;
  begin
    select * into d from drafts where id = new.draft_id;
    if new.upload_id is not null then
      select case_id into source_case from case_uploads where id = new.upload_id and org_id = d.org_id;
    else
      select m.case_id into source_case from message_attachments a join messages m on m.id = a.message_id
        where a.id = new.message_attachment_id and a.org_id = d.org_id and a.content is not null;
    end if;
    if d.id is null or new.org_id <> d.org_id or source_case is distinct from d.case_id then
      raise exception 'attachment refused: the file is not one of this case''s kept files' using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;
create trigger draft_attachments_gate before insert on draft_attachments for each row execute function draft_attachments_check();

-- What the approval covers of a version's files: [[name, type, sha256], …] in order.
create function draft_files_manifest(p_draft uuid) returns jsonb
  language sql stable
  as $$
    select coalesce(jsonb_agg(jsonb_build_array(filename, content_type, sha256) order by position), '[]'::jsonb)
    from draft_attachments where draft_id = p_draft
  $$;

-- The whole of what is approved. A reply with no copies and no files hashes as it did before
-- (reply_content_hash), so approvals given before this migration still match.
create function reply_hash(to_emails text[], cc_emails text[], subject text, body text, from_address text, files jsonb) returns text
  language sql immutable
  as $$
    select case when cardinality(cc_emails) = 0 and files = '[]'::jsonb then reply_content_hash(to_emails, subject, body, from_address)
      else encode(sha256(convert_to(jsonb_build_array(to_emails, subject, body, from_address, cc_emails, files)::text, 'UTF8')), 'hex') end
  $$;

create function draft_reply_hash(d drafts, from_address text) returns text
  language sql stable
  as $$ select reply_hash(d.to_emails, d.cc_emails, d.subject, d.body, from_address, draft_files_manifest(d.id)) $$;

-- Whether the bytes of a version's files still hash to what was recorded when it was saved.
create function draft_files_intact(p_draft uuid) returns boolean
  language sql stable security definer set search_path = public
  as $$
    select not exists (
      select 1 from draft_attachments f
        left join case_uploads u on u.id = f.upload_id
        left join message_attachments a on a.id = f.message_attachment_id
      where f.draft_id = p_draft
        and encode(sha256(coalesce(u.content, a.content, ''::bytea)), 'hex') is distinct from f.sha256)
  $$;

alter table outbox
  add column cc_emails text[] not null default '{}',
  add column attachments jsonb not null default '[]';
alter table dev_mailbox
  add column cc_addresses text[] not null default '{}',
  add column attachments jsonb not null default '[]';

-- As in 00011, with a third reason: a file of the reply changed since it was approved.
create or replace function outbox_stale_reason(o outbox) returns text
  language sql stable
  as $$
    select case
      when (select version from drafts where id = o.draft_id) <> (select max(version) from drafts where case_id = o.case_id)
        then 'a newer version of the reply was saved'
      when exists (select 1 from messages m
                   where m.case_id = o.case_id and m.direction = 'inbound'
                     and m.threaded_by is distinct from 'forward_copy' and m.created_at > o.created_at)
        then 'the customer wrote again'
      when not draft_files_intact(o.draft_id)
        then 'a file attached to the reply changed since it was approved'
    end
  $$;

-- As in 00018, with the copies and files in the hash.
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
    if new.content_hash <> draft_reply_hash(d, new.from_address) then
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
      if not draft_files_intact(d.id) then
        raise exception 'approval refused: a file of the reply does not match what was attached' using errcode = 'check_violation';
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

-- As in 00018, with the copies and the files: the outbox row sends exactly what was approved.
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
       or a.content_hash <> draft_reply_hash(d, a.from_address)
       or new.from_address is distinct from a.from_address
       or new.to_emails <> d.to_emails or new.cc_emails <> d.cc_emails or new.subject <> d.subject or new.body <> d.body
       or new.attachments <> draft_files_manifest(d.id) then
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
    if (new.to_emails, new.cc_emails, new.subject, new.body, new.from_address, new.attachments, new.approval_id, new.draft_id, new.message_id,
        new.idempotency_key, new.case_id, new.org_id)
       is distinct from (old.to_emails, old.cc_emails, old.subject, old.body, old.from_address, old.attachments, old.approval_id, old.draft_id,
        old.message_id, old.idempotency_key, old.case_id, old.org_id) then
      raise exception 'outbox content is frozen once approved' using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;
