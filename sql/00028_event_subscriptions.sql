-- Which organizations have somewhere to send case events (Slack, Teams, outgoing webhooks): one
-- row per organization and sink while that sink is set up and on. Case events are queued only for
-- an organization with a row (src/events/events.ts), so an organization with no integration pays
-- nothing for them. Each sink's settings keep their own row in step, in the transaction that
-- turns the sink on or off.
create table event_subscriptions (
  org_id uuid not null references orgs (id),
  sink text not null check (sink ~ '^[a-z][a-z0-9_]{0,39}$'),
  created_at timestamptz not null default now(),
  primary key (org_id, sink)
);
alter table event_subscriptions enable row level security;
create policy event_subscriptions_isolation on event_subscriptions
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, delete on event_subscriptions to desk_app;
