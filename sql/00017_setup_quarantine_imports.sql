-- The set-up checklist's test message, mail that is marked as no escalation from the quarantine
-- page, and spreadsheet imports that keep what a team's export holds.

-- A test message proves the whole way in (provider, webhook, signature, routing, a case) on one
-- screen. It is sent to the org's inbound address with a "+setup-<tag>" suffix; the tag is random
-- per org, so nobody outside can guess an address whose mail would be set aside as a test.
alter table orgs add column setup_test_tag text not null default substr(md5(gen_random_uuid()::text), 1, 12)
  check (setup_test_tag ~ '^[a-z0-9]{6,32}$');

-- A case opened by such a message is a test case: metrics and the digest leave it out, and the
-- set-up page can discard it. Cases cannot be deleted (the audit trail, append-only, refers to
-- them), so a discarded test case is closed and stays marked.
alter table cases add column setup_test boolean not null default false;
create index cases_setup_test on cases (org_id, created_at desc) where setup_test;

-- Marked where the message is stored, whichever way it arrived (webhook, SMTP, CLI, Email
-- Worker), and only for the message that opened its case: a test address in the Cc of a reply on
-- a real case never turns that case into a test.
create function mark_setup_test_case() returns trigger
  language plpgsql
  as $$
  begin
    if new.direction = 'inbound'
       and exists (select 1 from orgs o, unnest(new.to_emails) as a
                   where o.id = new.org_id and a like '%+setup-' || o.setup_test_tag || '@%')
       and not exists (select 1 from messages m where m.case_id = new.case_id and m.id <> new.id) then
      update cases set setup_test = true where id = new.case_id and not setup_test;
    end if;
    return new;
  end
  $$;
create trigger messages_mark_setup_test after insert on messages
  for each row execute function mark_setup_test_case();

-- The set-up page's "last delivery" per provider, without reading an org's whole history.
create index inbound_raw_org_provider on inbound_raw (org_id, provider, received_at desc);

-- "Mark as not an escalation" on the quarantine page keeps the message with status
-- not_escalation, next to the auto-replies and bulk mail intake sets aside. Added to whatever the
-- status list is by now (another migration may have added it, or other statuses, already).
do $$
declare
  current_check text;
  statuses text[];
begin
  select pg_get_constraintdef(c.oid) into current_check
  from pg_constraint c
  where c.conrelid = 'inbound_raw'::regclass and c.contype = 'c' and c.conname = 'inbound_raw_status_check';
  if current_check is null or current_check like '%''not_escalation''%' then
    return;
  end if;
  select array_agg(m[1]) into statuses from regexp_matches(current_check, '''([a-z_]+)''', 'g') as m;
  alter table inbound_raw drop constraint inbound_raw_status_check;
  execute format('alter table inbound_raw add constraint inbound_raw_status_check check (status = any (%L::text[]))',
                 statuses || array['not_escalation']);
end
$$;

-- Imports: which run made a case, and the columns of its row that have no field of their own
-- ("Ticket #", "Tags", "Region"…), kept in the order of the file as [{"name", "value"}].
alter table cases
  add column import_run_id bigint references import_runs (id),
  add column import_fields jsonb check (import_fields is null or jsonb_typeof(import_fields) = 'array');
create index cases_import_run on cases (org_id, import_run_id, number) where import_run_id is not null;

-- What the person chose when they started the run: drafts or "no draft: imported history", and
-- whether SEV-1 rows alert like new mail.
alter table import_runs add column options jsonb not null default '{}';
