-- Single sign-on per organization (OpenID Connect, src/auth/oidc*.ts) and sessions people can
-- review: where a session came from, how it was started, and an idle timeout per organization.

-- One provider per organization. The client secret is stored sealed (src/secrets/sealed.ts:
-- "v1:<iv>:<ciphertext>", bound to the organization); the clear value never reaches this table.
create table sso_settings (
  org_id uuid primary key references orgs (id),
  enabled boolean not null default false,
  issuer_url text check (length(issuer_url) <= 500 and issuer_url ~ '^https?://'),
  client_id text check (length(client_id) between 1 and 300),
  client_secret_sealed text check (client_secret_sealed ~ '^v1:'),
  -- Email domains whose people sign in here; lower case, like orgs.domains.
  allowed_domains text[] not null default '{}'
    check (array_to_string(allowed_domains, ',') = lower(array_to_string(allowed_domains, ','))
           and cardinality(allowed_domains) <= 50),
  -- When on, people of the allowed domains sign in only through the provider; the break-glass
  -- admin and people of other domains (approvers outside the company) keep emailed links.
  require_sso boolean not null default false,
  break_glass_user_id uuid references app_users (id),
  updated_at timestamptz not null default now(),
  check (not enabled or (issuer_url is not null and client_id is not null and cardinality(allowed_domains) > 0)),
  check (not require_sso or enabled)
);

-- One row per sign-in started at the provider: the browser holds a random token (cookie
-- desk_sso), this table its SHA-256 with the state, nonce and PKCE verifier. Single use (consumed
-- in the transaction that starts the session) and short-lived.
create table sso_sign_ins (
  token_hash text primary key,
  org_id uuid not null references orgs (id),
  state text not null,
  nonce text not null,
  code_verifier text not null,
  expires_at timestamptz not null,
  consumed_at timestamptz,
  created_at timestamptz not null default now()
);
create index sso_sign_ins_expiry on sso_sign_ins (expires_at);

alter table sso_settings enable row level security;
create policy sso_settings_isolation on sso_settings
  using (org_id = app_org_id()) with check (org_id = app_org_id());
alter table sso_sign_ins enable row level security;
create policy sso_sign_ins_isolation on sso_sign_ins
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select, insert, update on sso_settings to desk_app;
grant select, insert, update, delete on sso_sign_ins to desk_app;

-- Sessions: how each started (an emailed link or the provider) and a coarse network (an IPv4
-- /24 or IPv6 /48, enough to recognise "that was me at the office", not to locate anyone).
alter table sessions
  add column method text not null default 'link' check (method in ('link', 'sso')),
  add column network text check (length(network) <= 60);

-- Minutes without a request after which a session ends; null: only the 14-day lifetime.
alter table orgs
  add column session_idle_minutes integer check (session_idle_minutes between 5 and 43200);

-- Just-in-time users: the one way a person without an acting admin becomes a user. It creates
-- only an agent (admins still set roles), only in the organization of the transaction, only while
-- its SSO is enabled and only for an address of an allowed domain; audited as the system.
create function create_sso_user(p_email text, p_name text, p_issuer text) returns uuid
  language plpgsql security definer set search_path = public
  as $$
  declare
    s sso_settings;
    v_email text := lower(p_email);
    created uuid;
  begin
    select * into s from sso_settings where org_id = app_org_id();
    if s.org_id is null or not s.enabled or s.issuer_url is distinct from p_issuer
       or split_part(v_email, '@', 2) <> all(s.allowed_domains) or v_email !~ '^[^@\s]+@[^@\s]+$' then
      raise exception 'refused: single sign-on does not admit this address' using errcode = 'insufficient_privilege';
    end if;
    insert into app_users (org_id, email, name, role) values (s.org_id, v_email, left(p_name, 200), 'agent')
      on conflict (org_id, email) do nothing
      returning id into created;
    if created is not null then
      insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
      values (s.org_id, 'system', null, 'user.create',
              jsonb_build_object('userId', created, 'email', v_email, 'role', 'agent', 'via', 'sso', 'issuer', p_issuer), '', '');
    end if;
    return created;
  end
  $$;
revoke execute on function create_sso_user(text, text, text) from public;
grant execute on function create_sso_user(text, text, text) to desk_app;
