-- The files of inbound mail, kept in the database (one database is one backup), and who each
-- message was addressed and copied to.
--
-- Every attachment intake sees gets a row, kept or not: its name, type, size and SHA-256 are
-- always recorded; its bytes only within the limits (src/attachments/limits.ts: files per
-- message, bytes per file and per message, bytes per organization), else `not_kept` says why.
-- The bytes are a copy of what the raw message (inbound_raw) already holds, decoded: served as
-- they are, never parsed again outside the analysis workers. A PDF's extracted text is kept
-- beside it (the same text intake's readers saw), for the case page and the drafting model.

create table message_attachments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  -- The case is the message's (no copy of it here: a merge moves messages, and their files with them).
  message_id uuid not null references messages (id),
  -- Order within the message: the mail's own files first, then those of messages attached to it.
  position integer not null check (position >= 0),
  -- 0: attached to the mail itself; 1 and more: inside a message attached to it (a forward).
  depth integer not null default 0 check (depth >= 0),
  filename text not null check (length(filename) between 1 and 255),
  -- As the mail declared it (lower case); what a download is served as is decided when serving.
  content_type text not null check (length(content_type) between 1 and 255),
  size bigint not null check (size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  disposition text check (disposition in ('attachment', 'inline')),
  -- An inline part the HTML refers to (cid:…), without the angle brackets.
  content_id text check (length(content_id) <= 998),
  content bytea,
  not_kept text check (length(not_kept) <= 500),
  -- The text of a PDF, as intake read it (bounded there: pages and characters).
  extracted_text text,
  created_at timestamptz not null default now(),
  unique (message_id, position),
  check ((content is null) <> (not_kept is null)),
  check (content is null or octet_length(content) = size)
);

-- Bytes of attachment content kept per organization: the organization's limit is checked and
-- raised in one statement under this row's lock, so concurrent deliveries cannot overshoot it.
create table attachment_usage (
  org_id uuid primary key references orgs (id),
  stored_bytes bigint not null default 0 check (stored_bytes >= 0),
  updated_at timestamptz not null default now()
);

alter table message_attachments enable row level security;
create policy message_attachments_isolation on message_attachments
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table attachment_usage enable row level security;
create policy attachment_usage_isolation on attachment_usage
  using (org_id = app_org_id()) with check (org_id = app_org_id());
-- No update or delete of a kept file: what arrived stays as it arrived.
grant select, insert on message_attachments to desk_app;
grant select, insert, update on attachment_usage to desk_app;

-- Who the mail was addressed and copied to (To is to_emails), and, for a forward, who the
-- original was addressed and copied to as the forward shows it.
alter table messages
  add column cc_emails text[] not null default '{}',
  add column original_to_emails text[] not null default '{}',
  add column original_cc_emails text[] not null default '{}';
