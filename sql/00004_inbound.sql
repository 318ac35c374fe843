-- Webhook deliveries we have seen, so a replayed or retried delivery is answered from its first
-- outcome instead of being processed again (invariant 7), and a Mailgun token is used once.
--
-- Owner-level on purpose, not a tenant table: a delivery is claimed before we know which org the
-- mail belongs to (routing needs the message, and the message needs the claim first), and a
-- replay must be recognised whichever org it targets. desk_app gets no privileges here; only the
-- intake, running as the owner outside withOrg, reads and writes it. No message content is kept.
create table inbound_deliveries (
  id bigint generated always as identity primary key,
  provider text not null check (provider ~ '^[a-z0-9-]{1,40}$'),
  -- The provider's id of this delivery: Svix webhook-id, Mailgun token, Postmark MessageID.
  delivery_id text not null check (length(delivery_id) between 1 and 512),
  -- The provider's id of the email itself (Resend email_id), when it has one: a second delivery
  -- of the same email under a new webhook id is still a duplicate.
  email_id text check (length(email_id) between 1 and 512),
  -- pending while one request works on it; done once the raw message is durable.
  state text not null default 'pending' check (state in ('pending', 'done')),
  claimed_at timestamptz not null default now(),
  first_seen_at timestamptz not null default now(),
  completed_at timestamptz,
  raw_id uuid references inbound_raw (id),
  -- The answer given the first time ({status, case, reason?}), repeated to replays.
  outcome jsonb,
  unique (provider, delivery_id)
);
create unique index inbound_deliveries_email on inbound_deliveries (provider, email_id) where email_id is not null;
-- Rows older than every provider's retry window can be pruned by age.
create index inbound_deliveries_seen on inbound_deliveries (first_seen_at);

-- Belt and braces: RLS on with no policy, so even a stray grant would show desk_app nothing.
alter table inbound_deliveries enable row level security;
