-- Bearer tokens for /api/v1 (src/api). An admin creates one, sees it once; only its SHA-256 is
-- kept, with its first characters and last four for people to recognise it by. A token acts as
-- the admin who created it (audited as that user, with `via: api` and the token's prefix), so it
-- is as strong as an admin's session: like users (sql/00011), tokens are created and revoked only
-- through functions that check the actor is an active admin of the org; desk_app may read its
-- own org's rows and nothing else.
create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs (id),
  name text not null check (length(name) between 1 and 100),
  -- 'read': the list, search and a case; 'write': those and the case changes (never approve or send).
  scope text not null check (scope in ('read', 'write')),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  prefix text not null check (prefix ~ '^desk_[A-Za-z0-9_-]{6}$'),
  last4 text not null check (last4 ~ '^[A-Za-z0-9_-]{4}$'),
  -- A fixed window of one minute per token (api_token_windows), counted in the database so the
  -- limit holds across any number of app processes.
  requests_per_minute integer not null default 120 check (requests_per_minute between 1 and 6000),
  created_by uuid not null references app_users (id),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references app_users (id),
  check ((revoked_at is null) = (revoked_by is null))
);
create index api_tokens_org on api_tokens (org_id, created_at desc);

alter table api_tokens enable row level security;
create policy api_tokens_isolation on api_tokens
  using (org_id = app_org_id()) with check (org_id = app_org_id());
grant select on api_tokens to desk_app;

-- Requests per token and minute. Owner only, like link_request_limits: reached through
-- use_api_token alone, which also drops the token's past windows.
create table api_token_windows (
  token_id uuid not null references api_tokens (id),
  window_start timestamptz not null,
  hits integer not null check (hits >= 1),
  primary key (token_id, window_start)
);
alter table api_token_windows enable row level security;
revoke all on api_token_windows from public;

create function create_api_token(p_actor uuid, p_name text, p_scope text, p_hash text, p_prefix text, p_last4 text, p_rate integer)
  returns uuid
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
    t_id uuid;
  begin
    a := assert_acting_admin(p_actor);
    insert into api_tokens (org_id, name, scope, token_hash, prefix, last4, requests_per_minute, created_by)
    values (a.org_id, p_name, p_scope, p_hash, p_prefix, p_last4, p_rate, a.id)
    returning id into t_id;
    return t_id;
  end
  $$;
revoke execute on function create_api_token(uuid, text, text, text, text, text, integer) from public;
grant execute on function create_api_token(uuid, text, text, text, text, text, integer) to desk_app;

-- True when this call revoked it; false when it was revoked already or is not this org's.
create function revoke_api_token(p_actor uuid, p_token uuid) returns boolean
  language plpgsql security definer set search_path = public
  as $$
  declare
    a app_users;
  begin
    a := assert_acting_admin(p_actor);
    update api_tokens set revoked_at = now(), revoked_by = a.id
    where id = p_token and org_id = a.org_id and revoked_at is null;
    return found;
  end
  $$;
revoke execute on function revoke_api_token(uuid, uuid) from public;
grant execute on function revoke_api_token(uuid, uuid) to desk_app;

-- The one lookup across orgs: a live token by the hash of what the caller presented (no org is
-- known before it). Nothing else can be asked of it: no listing, no lookup by prefix. A token
-- whose creator is disabled is dead with them. Counts the request in the token's current
-- minute and says how many it has made there and when the window ends.
create function use_api_token(p_hash text)
  returns table (token_id uuid, org_id uuid, scope text, prefix text, requests_per_minute integer,
                 user_id uuid, user_role text, hits integer, retry_after integer)
  language plpgsql security definer set search_path = public
  as $$
  declare
    t api_tokens;
    u app_users;
    w timestamptz := to_timestamp(floor(extract(epoch from now()) / 60) * 60);
    n integer;
  begin
    select * into t from api_tokens k where k.token_hash = p_hash and k.revoked_at is null;
    if t.id is null then return; end if;
    select * into u from app_users x where x.id = t.created_by and x.org_id = t.org_id and x.disabled_at is null;
    if u.id is null then return; end if;
    insert into api_token_windows as tw (token_id, window_start, hits) values (t.id, w, 1)
      on conflict on constraint api_token_windows_pkey do update set hits = tw.hits + 1
      returning tw.hits into n;
    delete from api_token_windows d where d.token_id = t.id and d.window_start < w;
    -- For the admin page, not for security: at most one write a minute per token.
    update api_tokens k set last_used_at = now()
    where k.id = t.id and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute');
    return query select t.id, t.org_id, t.scope, t.prefix, t.requests_per_minute, u.id, u.role, n,
      greatest(1, ceil(extract(epoch from (w + interval '1 minute' - now()))))::integer;
  end
  $$;
revoke execute on function use_api_token(text) from public;
grant execute on function use_api_token(text) to desk_app;
