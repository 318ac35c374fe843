-- Outgoing webhooks and escalations from a helpdesk (issue 19).
--
-- An organization's webhook endpoints hear the case events they subscribe to, signed with
-- Standard Webhooks; each event for an endpoint is one delivery (its id is the webhook-id, the
-- same on every attempt and replay), and each attempt is kept, so the settings page shows what
-- the receiver answered. Signing and verification secrets are sealed (src/secrets/sealed.ts).

create table webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  url text not null check (url ~ '^https?://' and length(url) <= 2000),
  description text not null default '' check (length(description) <= 200),
  event_types text[] not null check (cardinality(event_types) between 1 and 20),
  -- whsec_…, sealed; shown once when the endpoint is added.
  secret_sealed text not null,
  enabled boolean not null default true,
  created_by uuid references app_users (id),
  created_at timestamptz not null default now()
);
create index webhook_endpoints_org on webhook_endpoints (org_id, created_at);

create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  event_type text not null check (length(event_type) <= 60),
  case_id uuid references cases (id),
  -- Exactly the JSON posted (no customer text); a replay posts it again, byte for byte.
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0 check (attempts >= 0),
  last_status_code integer,
  last_error text check (length(last_error) <= 500),
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz not null default now()
);
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc);

create table webhook_attempts (
  id bigint generated always as identity primary key,
  org_id uuid not null references orgs (id),
  delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  status_code integer,
  duration_ms integer not null check (duration_ms >= 0),
  error text check (length(error) <= 500)
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempted_at);

-- One connection per organization and helpdesk: the secret its posts are checked with and how
-- its priorities read as a suggested severity.
create table helpdesk_connections (
  org_id uuid not null references orgs (id),
  provider text not null check (provider in ('zendesk', 'freshdesk', 'intercom', 'helpscout', 'generic')),
  secret_sealed text not null,
  priority_map jsonb not null default '{"urgent": "SEV-2", "high": "SEV-3", "normal": "SEV-4", "low": "SEV-4"}',
  created_by uuid references app_users (id),
  created_at timestamptz not null default now(),
  last_ticket_at timestamptz,
  primary key (org_id, provider)
);

-- A ticket is one case: a redelivery or a second escalation of the same ticket finds it.
create table helpdesk_tickets (
  org_id uuid not null references orgs (id),
  provider text not null check (provider in ('zendesk', 'freshdesk', 'intercom', 'helpscout', 'generic')),
  ticket_id text not null check (length(ticket_id) between 1 and 100),
  case_id uuid not null references cases (id),
  ticket_url text check (length(ticket_url) <= 2000),
  created_at timestamptz not null default now(),
  primary key (org_id, provider, ticket_id)
);
create index helpdesk_tickets_case on helpdesk_tickets (case_id);

alter table webhook_endpoints enable row level security;
create policy webhook_endpoints_isolation on webhook_endpoints
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table webhook_deliveries enable row level security;
create policy webhook_deliveries_isolation on webhook_deliveries
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table webhook_attempts enable row level security;
create policy webhook_attempts_isolation on webhook_attempts
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table helpdesk_connections enable row level security;
create policy helpdesk_connections_isolation on helpdesk_connections
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table helpdesk_tickets enable row level security;
create policy helpdesk_tickets_isolation on helpdesk_tickets
  using (org_id = app_org_id()) with check (org_id = app_org_id());

-- Deleting an endpoint takes its log with it (the audit trail keeps that it existed).
grant select, insert, update, delete on webhook_endpoints to desk_app;
grant select, insert, update, delete on webhook_deliveries to desk_app;
grant select, insert, delete on webhook_attempts to desk_app;
grant select, insert, update, delete on helpdesk_connections to desk_app;
grant select, insert on helpdesk_tickets to desk_app;
