-- Drafts: versioned replies, never sent from here. Each save is a new row (append-only for the
-- app role): an edit after approval is a new version, so an approval of version N can never
-- silently cover different text. Plus what the job runner needs to lease and retry jobs.

create table drafts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  case_id uuid not null references cases (id),
  version integer not null check (version >= 1),
  author_kind text not null check (author_kind in ('ai', 'template', 'user')),
  -- 'ai:<model>', 'template', or the user's id (author_id then references the user).
  author text not null check (length(author) between 1 and 200),
  author_id uuid references app_users (id),
  purpose text not null check (purpose in ('reply', 'update', 'resolution')),
  to_emails text[] not null default '{}',
  subject text not null check (length(subject) <= 300),
  body text not null check (length(body) <= 20000),
  tone_notes text not null default '',
  -- Facts the writer needed and did not have (to add before approval).
  missing_facts text[] not null default '{}',
  recovery_action text check (recovery_action in ('apology', 'apology_credit', 'executive_call_credit_roadmap', 'in_person_gesture')),
  recovery_rationale text not null default '',
  -- [{code, severity: 'block'|'warn', message, evidence, source: 'rules'|'model'}], computed for
  -- every version; approval (issue 7) refuses blockers and records the acknowledged warnings.
  guardrail_flags jsonb not null default '[]' check (jsonb_typeof(guardrail_flags) = 'array'),
  -- Why a template was used instead of the model (no key, AI off, timeout, refusal, …).
  fallback_reason text,
  -- The user's instruction when the version came from "Redraft".
  instruction text,
  created_at timestamptz not null default now(),
  unique (case_id, version),
  check ((author_kind = 'user') = (author_id is not null))
);
create index drafts_case_version on drafts (case_id, version desc);

alter table drafts enable row level security;
create policy drafts_isolation on drafts
  using (org_id = app_org_id()) with check (org_id = app_org_id());
-- No update or delete: versions are immutable.
grant select, insert on drafts to desk_app;

-- Jobs: who holds the lease, and when a job was given up after its last attempt.
alter table jobs
  add column locked_by text,
  add column failed_at timestamptz;

drop index jobs_due;
create index jobs_ready on jobs (run_at, id) where done_at is null and failed_at is null;
-- "Is a draft on its way for this case?" (the case page polls while one is).
create index jobs_pending_case on jobs ((payload->>'caseId')) where done_at is null and failed_at is null;

-- Org settings used by drafting live in orgs.settings (jsonb), read with defaults:
--   ai_enabled (boolean, default true): false = template drafts only, no request leaves the desk.
--   signature (text): the sign-off block of every draft; sender_name (text): who signs.
