-- Intake reads mail the way a careful person does.
--
-- * Not every message is a case: auto-replies, delivery reports and bulk mail are kept with
--   status `not_escalation`, their reason and a short summary (sender, subject) for the list of
--   them. One that answers a case's thread is attached to that case as a flagged note.
-- * A bounce of a reply we sent fails that send after the fact (sent -> failed).
-- * The case knows the channel a notice or letter came through, the customer's language, the
--   executive it reached, and what intake read (kept unchanged, so a person's correction can be
--   stored as a labelled example against it).
-- * Every dedupe key of a case's mail is kept, so any copy of the same original finds the case.

-- ---------------------------------------------------------------------------------------------
-- Automatic mail.

alter table inbound_raw drop constraint inbound_raw_status_check;
alter table inbound_raw add constraint inbound_raw_status_check
  check (status in ('received', 'processed', 'threaded', 'duplicate', 'quarantined', 'not_escalation'));
-- What the list of not-escalations shows without parsing stored mail again: {from, name, subject, kind}.
alter table inbound_raw add column summary jsonb;
create index inbound_raw_org_not_escalation on inbound_raw (org_id, received_at desc) where status = 'not_escalation';

-- An automatic message attached to a case is a note (it never reopens the case or lapses an
-- approval, as a customer's mail does), flagged with its kind and the reason.
alter table messages
  add column automatic text
    check (automatic in ('auto_reply', 'delivery_report', 'read_receipt', 'bulk', 'automated', 'calendar', 'ticket_acknowledgement')),
  add column automatic_reason text check (length(automatic_reason) <= 500),
  add constraint messages_automatic_is_note check (automatic is null or direction = 'note');

-- A reply can fail after it was sent: the customer's server returned it. Everything else about
-- the transitions stays as it was (pending -> sending -> sent, failed and cancelled final).
create or replace function outbox_transition() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  declare
    stale text;
  begin
    if new.status is distinct from old.status and not (
         (old.status = 'pending' and new.status in ('sending', 'sent', 'failed', 'cancelled'))
      or (old.status = 'sending' and new.status in ('sent', 'failed', 'cancelled'))
      or (old.status = 'sent' and new.status = 'failed')) then
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

-- ---------------------------------------------------------------------------------------------
-- What the case knows about how it reached us.

alter table cases
  -- The body a notice came through, or counsel: where a reply through it goes.
  add column channel_kind text
    check (channel_kind in ('bbb', 'cfpb', 'attorney_general', 'ombudsman', 'data_protection_authority',
                            'consumer_affairs', 'review_platform', 'counsel')),
  add column channel_name text check (length(channel_name) <= 300),
  add column channel_email text check (channel_email = lower(channel_email) and length(channel_email) <= 320),
  add column channel_reference text check (length(channel_reference) <= 200),
  -- ISO 639-1 code of the customer's own words: drafts answer in it.
  add column language text check (language ~ '^[a-z]{2,3}$'),
  -- The executive the complaint reached: {email, name, title, configured, reason}.
  add column executive jsonb,
  -- What intake read, as it read it: source, customer, severity, reference, reasons, the model's
  -- reading and where it disagreed. Never updated: corrections are compared against it.
  add column intake jsonb;

-- Every key a copy of the case's mail can be recognised by (the original's Message-ID, the
-- sender/subject/minute as each client quotes it, the text). One key, one case: the first case
-- to claim it keeps it.
create table case_keys (
  org_id uuid not null references orgs (id),
  key text not null check (length(key) <= 600),
  case_id uuid not null references cases (id),
  created_at timestamptz not null default now(),
  primary key (org_id, key)
);
create index case_keys_case on case_keys (case_id);
alter table case_keys enable row level security;
create policy case_keys_isolation on case_keys using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert on case_keys to desk_app;

insert into case_keys (org_id, key, case_id)
select org_id, original_key, id from cases where original_key is not null and length(original_key) <= 600
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- Corrections as labelled examples: the message, the field, what intake said, what a person
-- decided. Append-only, like the decisions they record.

create table intake_examples (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  raw_id uuid references inbound_raw (id),
  field text not null check (field in ('customer', 'source', 'severity', 'externalRef', 'executive')),
  intake_value jsonb,
  decided_value jsonb,
  decided_by uuid references app_users (id),
  created_at timestamptz not null default now()
);
create index intake_examples_org on intake_examples (org_id, created_at);
alter table intake_examples enable row level security;
create policy intake_examples_isolation on intake_examples using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert on intake_examples to desk_app;
