-- Sign-in limits that never lock the owner out. A request for someone's address no longer
-- counts toward a refusal: per address, the first few links are mailed, then at most one every
-- few minutes (the page answers the same either way), and a browser that signed in as that
-- address before carries a device cookie whose requests have a small budget of their own.
-- Owner tables like link_request_limits: no org is known at sign-in, and desk_app has no access.

-- One row per budget (`address:<sha256 of the address>`, or `device:<sha256 of the cookie>:<…>`):
-- links mailed since it was last quiet for a whole window, and when the last one went.
create table sign_in_mail_budget (
  bucket text primary key,
  mailed integer not null check (mailed >= 1),
  last_mailed_at timestamptz not null
);
create index sign_in_mail_budget_last on sign_in_mail_budget (last_mailed_at);

-- Browsers that signed in as an address: the SHA-256 of the device cookie's random token and of
-- the address (so addresses are not kept in the clear). One cookie may have signed in as several.
create table sign_in_devices (
  token_hash text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  address_hash text not null check (address_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  last_signed_in_at timestamptz not null default now(),
  primary key (token_hash, address_hash)
);
create index sign_in_devices_last on sign_in_devices (last_signed_in_at);

alter table sign_in_mail_budget enable row level security;
alter table sign_in_devices enable row level security;
revoke all on sign_in_mail_budget, sign_in_devices from public;
