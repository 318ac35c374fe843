-- Audit checkpoints posted by the scheduler, and the sweep that finishes raw messages a crash
-- left behind.

-- A raw message is committed before it is parsed, so a process killed in between leaves it
-- 'received' with nobody coming back for it. The scheduler's sweep re-runs those rows through
-- intake. It claims a row with a lease (claimed_until), so two processes never take the same
-- one and a sweeper that dies mid-row lets it go again when the lease runs out; it counts its
-- attempts, so a message that kills its process every time ends quarantined with the last error,
-- not retried forever.
alter table inbound_raw
  add column process_attempts integer not null default 0,
  add column claimed_until timestamptz,
  add column last_error text;

-- The sweep's scan: only unfinished rows, oldest first, however large the table grows.
create index inbound_raw_stranded on inbound_raw (received_at) where status = 'received';

-- One checkpoint post per org and UTC day (AUDIT_CHECKPOINT_URL). The row is the claim: any
-- number of schedulers may tick, one posts. A failed post is tried again on later ticks.
-- Owner-level, like the other scheduler bookkeeping that spans orgs: desk_app gets nothing here.
-- Keeping the posted head here proves nothing (a superuser could change it too); the copy that
-- counts is the one the URL received.
create table audit_checkpoint_posts (
  org_id uuid not null references orgs (id),
  day date not null,
  attempts integer not null default 0,
  claimed_until timestamptz,
  posted_at timestamptz,
  seq bigint,
  hash text,
  last_error text,
  primary key (org_id, day)
);
create index audit_checkpoint_posts_due on audit_checkpoint_posts (day) where posted_at is null;

alter table audit_checkpoint_posts enable row level security;
revoke all on audit_checkpoint_posts from public;
