-- Every state-changing form is sent once, however often it arrives. The browser script
-- (views/static/desk.js) gives each submission a random key; a double click, a retry or a
-- back-button resubmit sends the same key again, and the middleware (src/http/idempotency.ts)
-- answers it with the first answer instead of running the action twice.
--
-- The primary key is the guarantee: of two requests with one key, exactly one inserts its row
-- and runs; the other waits for that row's answer. Keys are scoped to the organization and the
-- signed-in user (one user cannot replay, or learn, another's answer) and expire after a day.

create table form_submissions (
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  key text not null check (key ~ '^[A-Za-z0-9_-]{16,100}$'),
  method text not null check (method in ('POST', 'PUT', 'PATCH', 'DELETE')),
  -- The path the key was first sent to: the same key sent elsewhere is refused, not replayed.
  path text not null check (length(path) <= 2000),
  -- 'running' until the first request has answered; then its answer, kept to be replayed.
  state text not null default 'running' check (state in ('running', 'answered')),
  claimed_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '1 day',
  response_status integer check (response_status between 100 and 599),
  -- Content-Type, Location and htmx's HX-* headers: what the browser acts on.
  response_headers jsonb not null default '{}' check (jsonb_typeof(response_headers) = 'object'),
  -- The page or fragment, when small enough to keep (else a replay redirects), and the CSP
  -- nonce it was rendered with, which a replay swaps for its own.
  response_body text check (length(response_body) <= 262144),
  response_nonce text,
  primary key (org_id, user_id, key),
  check (state = 'running' or response_status is not null)
);
create index form_submissions_expiry on form_submissions (org_id, expires_at);

alter table form_submissions enable row level security;
create policy form_submissions_isolation on form_submissions
  using (org_id = app_org_id()) with check (org_id = app_org_id());
-- Delete: expired keys are removed as new ones arrive, and a request that failed gives its key
-- back so the retry runs.
grant select, insert, update, delete on form_submissions to desk_app;
