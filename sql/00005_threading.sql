-- Threading and forward dedupe (DESIGN.md "Email threading", invariant 2).

alter table cases
  -- Fingerprint of the original complaint inside a forward (customer, subject, date or body):
  -- copies forwarded by several executives find one case through this unique index.
  add column original_key text,
  -- What an outbound reply threads on: the customer's Message-ID and its References chain.
  add column reply_to_message_id text,
  add column reply_references text[] not null default '{}',
  add column original_subject text;

create unique index cases_org_original_key on cases (org_id, original_key) where original_key is not null;

alter table messages
  add column threaded_by text check (threaded_by in ('reply_token', 'in_reply_to', 'external_ref', 'forward_copy')),
  add column forwarded_by text[] not null default '{}';

create index cases_reply_token on cases (reply_token);
