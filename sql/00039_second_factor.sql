-- A second factor after the emailed link (issue 22): TOTP (an authenticator app) or passkeys
-- (WebAuthn), with ten single-use recovery codes; an org may require one of admins and approvers.

-- A session made from a link stays pending until its user passes their factor (src/auth/second-factor*.ts):
-- it reaches the second-factor pages and sign-out, nothing else.
alter table sessions add column second_factor_pending boolean not null default false;

-- One authenticator app per user. The seed is sealed (src/secrets/sealed.ts, bound to the org);
-- an unconfirmed row is an enrolment started but not yet proven with a code. last_used_step is
-- the 30-second step of the last accepted code: a code is accepted once, and never one older.
create table totp_factors (
  user_id uuid primary key references app_users (id),
  org_id uuid not null references orgs (id),
  secret_sealed text not null,
  confirmed_at timestamptz,
  last_used_step bigint not null default 0,
  created_at timestamptz not null default now()
);

create table passkey_credentials (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  -- base64url, as the browser names it; unique across orgs as WebAuthn makes them
  credential_id text not null unique,
  public_key bytea not null,
  -- the signature counter the authenticator last reported; a lower one is a cloned key
  sign_count bigint not null default 0,
  transports text[] not null default '{}',
  name text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index passkey_credentials_user on passkey_credentials (user_id);

-- SHA-256 of each code (they are random, 50 bits each: a slow hash adds nothing).
create table recovery_codes (
  code_hash text primary key,
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index recovery_codes_user on recovery_codes (user_id);

-- The one outstanding WebAuthn challenge of a session and purpose, taken (deleted) by its answer.
create table webauthn_challenges (
  session_id uuid not null references sessions (id) on delete cascade,
  purpose text not null check (purpose in ('register', 'authenticate')),
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  challenge text not null,
  expires_at timestamptz not null,
  primary key (session_id, purpose)
);

-- Wrong codes per user, kept 15 minutes: past 10 no code is tried (6 digits must not be guessable
-- by a holder of an emailed link); a passed factor clears them.
create table second_factor_failures (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  user_id uuid not null references app_users (id),
  failed_at timestamptz not null default now()
);
create index second_factor_failures_user on second_factor_failures (user_id, failed_at);

alter table totp_factors enable row level security;
create policy totp_factors_isolation on totp_factors using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table passkey_credentials enable row level security;
create policy passkey_credentials_isolation on passkey_credentials using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table recovery_codes enable row level security;
create policy recovery_codes_isolation on recovery_codes using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table webauthn_challenges enable row level security;
create policy webauthn_challenges_isolation on webauthn_challenges using (org_id = app_org_id()) with check (org_id = app_org_id());

alter table second_factor_failures enable row level security;
create policy second_factor_failures_isolation on second_factor_failures using (org_id = app_org_id()) with check (org_id = app_org_id());

grant select, insert, update, delete on totp_factors, passkey_credentials, recovery_codes, webauthn_challenges, second_factor_failures to desk_app;

-- Whether admins and approvers must have a factor. Like the self-approval policy (sql/00011), a
-- trigger keeps desk_app from changing it directly: it changes only through the function below,
-- which requires an active admin and writes the audit event in the same transaction.
alter table orgs add column require_second_factor boolean not null default false;

create function orgs_guard_second_factor_policy() returns trigger
  language plpgsql
  as $$
  begin
    if new.require_second_factor is distinct from old.require_second_factor
       and current_user <> (select pg_get_userbyid(relowner) from pg_class where oid = 'orgs'::regclass) then
      raise exception 'refused: the second-factor policy changes only through set_second_factor_policy()' using errcode = 'insufficient_privilege';
    end if;
    return new;
  end
  $$;
create trigger orgs_guard_second_factor_policy before update on orgs for each row execute function orgs_guard_second_factor_policy();

create function set_second_factor_policy(p_actor uuid, p_required boolean) returns boolean
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    o orgs;
  begin
    a := assert_acting_admin(p_actor);
    select * into o from orgs where id = a.org_id for update;
    if o.require_second_factor = p_required then return false; end if;
    update orgs set require_second_factor = p_required where id = o.id;
    insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (o.id, 'user', a.id::text, 'org.second_factor_policy_change',
      jsonb_build_object('before', o.require_second_factor, 'after', p_required), '', '');
    return true;
  end
  $$;
revoke execute on function set_second_factor_policy(uuid, boolean) from public;
grant execute on function set_second_factor_policy(uuid, boolean) to desk_app;
