-- Sign-in: server-side sessions, single-use signed links, link-request rate limits, the dev
-- mailbox and the generated signing secret. Same rules as 00001: owned by the migration role,
-- row-level security on org_id for tenant tables, desk_app granted only what it uses.

-- Only a hash of the cookie's token is stored: a leaked table does not sign anyone in.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now(),
  revoked_at timestamptz,
  user_agent text
);
create index sessions_user_active on sessions (user_id) where revoked_at is null;

-- One row per signed link (sign-in now; approval and CSAT links reuse it). The link's jti is
-- consumed in the same transaction as the action it authorises, so a link works once.
create table link_tokens (
  jti text primary key,
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  purpose text not null check (purpose ~ '^[a-z][a-z_]*$'),
  expires_at timestamptz not null,
  consumed_at timestamptz,
  created_at timestamptz not null default now()
);
create index link_tokens_expiry on link_tokens (expires_at);

-- Fixed-window counters for sign-in link requests, per address (hashed, so addresses of people
-- without access are not kept) and per client IP. In the database, not in memory, because
-- several app processes may answer the same person. Not a tenant table: no org is known yet, and
-- desk_app has no access (the owner connection counts).
create table link_request_limits (
  bucket text not null,
  window_start timestamptz not null,
  hits integer not null default 0,
  primary key (bucket, window_start)
);
create index link_request_limits_window on link_request_limits (window_start);

-- Mail held by the dev transport (no RESEND_API_KEY). org_id is null for mail sent before an org
-- is known; such rows are visible to the owner only. "to"/"from" are reserved words, hence the
-- column names.
create table dev_mailbox (
  id uuid primary key default gen_random_uuid(),
  org_id uuid references orgs (id),
  to_addresses text[] not null,
  from_address text not null,
  reply_to text,
  subject text not null,
  text_body text not null,
  html_body text,
  headers jsonb not null default '{}',
  tags jsonb not null default '{}',
  idempotency_key text unique,
  created_at timestamptz not null default now()
);
create index dev_mailbox_created on dev_mailbox (created_at desc);

-- The link-signing secret generated on first use when LINK_SECRET is not set. Owner only: the
-- app role must never read it (no grant, and RLS on with no policy as a second lock).
create table app_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
alter table app_secrets enable row level security;
alter table link_request_limits enable row level security;
revoke all on app_secrets, link_request_limits from public;

do $$
declare
  t text;
begin
  foreach t in array array['sessions', 'link_tokens', 'dev_mailbox']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I using (org_id = app_org_id()) with check (org_id = app_org_id())',
                   t || '_isolation', t);
  end loop;
end
$$;

grant select, insert, update on sessions, link_tokens to desk_app;
grant select, insert on dev_mailbox to desk_app;
