-- Slack and Microsoft Teams (src/integrations/chat): where an organization's case notifications
-- go, the Slack app that lets people escalate a Slack message to the desk, and the Slack thread
-- of each case born that way, so the case can post back into it.
--
-- Every secret (bot token, webhook URLs, signing secret) is stored sealed (src/secrets/sealed.ts:
-- "v1:<iv>:<ciphertext>", bound to the organization); the clear value never reaches this table.

create table chat_settings (
  org_id uuid primary key references orgs (id),
  slack_enabled boolean not null default false,
  -- A bot token (xoxb-…, chat.postMessage) or an incoming-webhook URL; the token wins when both are set.
  slack_bot_token_sealed text check (slack_bot_token_sealed ~ '^v1:'),
  slack_webhook_url_sealed text check (slack_webhook_url_sealed ~ '^v1:'),
  -- The channel notifications go to with a bot token (an id like C0123ABCD, or #name).
  slack_channel text check (slack_channel ~ '^[#A-Za-z0-9_.-]{1,80}$'),
  -- Other channels for some severities or sources: [{"severity": "SEV-1"|null, "source": "lawyer"|null, "channel": "C…"}],
  -- tried in order, the first match wins (bot token only: an incoming webhook is bound to one channel).
  slack_routes jsonb not null default '[]' check (jsonb_typeof(slack_routes) = 'array' and jsonb_array_length(slack_routes) <= 50),
  -- The Slack app's signing secret: with it, POST /integrations/slack/interactivity takes "Escalate to desk".
  slack_signing_secret_sealed text check (slack_signing_secret_sealed ~ '^v1:'),
  teams_enabled boolean not null default false,
  -- An incoming webhook or a Workflows ("When a Teams webhook request is received") URL.
  teams_webhook_url_sealed text check (teams_webhook_url_sealed ~ '^v1:'),
  -- Off by default: a notification is the summary line (case number, severity, source, customer
  -- name, clock) and a link, never what the customer wrote; on, the subject line is added too.
  include_subject boolean not null default false,
  updated_at timestamptz not null default now()
);

-- The Slack message a case was escalated from: one case per message (the unique key is the dedupe),
-- and the thread the case posts back into when it is owned and when it is answered.
create table slack_threads (
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  team_id text check (length(team_id) <= 40),
  channel_id text not null check (channel_id ~ '^[A-Za-z0-9]{1,40}$'),
  message_ts text not null check (message_ts ~ '^\d{1,12}\.\d{1,8}$'),
  -- The thread to reply in: the message's own thread when it was a reply, else the message itself.
  thread_ts text not null check (thread_ts ~ '^\d{1,12}\.\d{1,8}$'),
  permalink text check (length(permalink) <= 1000),
  created_at timestamptz not null default now(),
  primary key (org_id, channel_id, message_ts)
);
create index slack_threads_case on slack_threads (case_id);

-- What each notification came to: sent, or refused for good (with the destination's answer), for
-- the settings page. A notification being retried has no row until it ends.
create table chat_deliveries (
  id bigint generated always as identity primary key,
  org_id uuid not null references orgs (id),
  case_id uuid references cases (id),
  destination text not null check (destination in ('slack', 'slack_thread', 'teams')),
  event_type text not null check (length(event_type) <= 40),
  outcome text not null check (outcome in ('sent', 'failed')),
  detail text check (length(detail) <= 500),
  created_at timestamptz not null default now()
);
create index chat_deliveries_org_recent on chat_deliveries (org_id, created_at desc);

alter table chat_settings enable row level security;
create policy chat_settings_isolation on chat_settings
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table slack_threads enable row level security;
create policy slack_threads_isolation on slack_threads
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table chat_deliveries enable row level security;
create policy chat_deliveries_isolation on chat_deliveries
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, update on chat_settings to desk_app;
grant select, insert on slack_threads, chat_deliveries to desk_app;
