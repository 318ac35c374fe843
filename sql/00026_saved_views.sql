-- Saved views: a named queue filter, the user's own or shared with the org, listed beside the
-- queue's built-in views. The filter is stored as the queue's own query string (what the
-- address bar shows, e.g. "view=at_risk&severity=SEV-1"), read back through the same parser as
-- the address bar, so a saved view can never ask for more than a URL can.

create table saved_views (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  owner_id uuid not null references app_users (id),
  name text not null check (length(btrim(name)) between 1 and 60 and name !~ '[\x00-\x1f\x7f]'),
  query text not null check (length(query) <= 500 and query !~ '[\x00-\x20#]'),
  -- Shared views are listed for everyone in the org; only an approver or admin shares one.
  shared boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index saved_views_owner_name on saved_views (org_id, owner_id, lower(name));
create index saved_views_org on saved_views (org_id, shared);

alter table saved_views enable row level security;
create policy saved_views_isolation on saved_views
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, delete on saved_views to desk_app;
