import type { Db } from './db.ts'
import type { UserRole } from './orgs/queries.ts'

// The few queries that run on the owner connection, outside withOrg, because no org is known yet
// (a session cookie, a sign-in address that may belong to several orgs, rate limits, the signing
// secret) or because the data spans orgs by design (the dev mailbox). Everything else goes
// through withOrg so row-level security applies. Keep this file short and every query narrow.

export type SessionLookup = {
  sessionId: string
  tokenHash: string
  lastSeenAt: Date
  expiresAt: Date
  /** orgs.session_idle_minutes: how often last_seen_at must move (src/auth/sessions.ts). */
  idleMinutes: number | null
  user: { id: string; orgId: string; email: string; name: string; role: UserRole; orgName: string; orgSlug: string }
  /** For the second-factor rule (src/auth/second-factor.ts), read in the same query. */
  secondFactor: { pending: boolean; required: boolean; enrolled: boolean; viaSso: boolean }
}

/** A live session of an enabled user, by the hash of its cookie token; idle past the org's timeout is not live. */
export async function findLiveSessionByTokenHash(db: Db, tokenHash: string): Promise<SessionLookup | undefined> {
  const [row] = await db<
    (Omit<SessionLookup, 'user' | 'secondFactor'> & SessionLookup['user'] & { userId: string } & SessionLookup['secondFactor'])[]
  >`
    select s.id as "sessionId", s.token_hash as "tokenHash", s.last_seen_at as "lastSeenAt", s.expires_at as "expiresAt",
           o.session_idle_minutes as "idleMinutes",
           u.id as "userId", u.org_id as "orgId", u.email, u.name, u.role, o.name as "orgName", o.slug as "orgSlug",
           s.second_factor_pending as pending, o.require_second_factor as required, s.method = 'sso' as "viaSso",
           (exists (select 1 from totp_factors t where t.user_id = u.id and t.confirmed_at is not null)
             or exists (select 1 from passkey_credentials p where p.user_id = u.id)) as enrolled
    from sessions s
    join app_users u on u.id = s.user_id and u.org_id = s.org_id
    join orgs o on o.id = s.org_id
    where s.token_hash = ${tokenHash} and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null
      and (o.session_idle_minutes is null or s.last_seen_at > now() - make_interval(mins => o.session_idle_minutes))`
  if (!row) return undefined
  const { sessionId, tokenHash: hash, lastSeenAt, expiresAt, idleMinutes, userId, orgId, email, name, role, orgName, orgSlug } = row
  const secondFactor = { pending: row.pending, required: row.required, enrolled: row.enrolled, viaSso: row.viaSso }
  return {
    sessionId,
    tokenHash: hash,
    lastSeenAt,
    expiresAt,
    idleMinutes,
    user: { id: userId, orgId, email, name, role, orgName, orgSlug },
    secondFactor,
  }
}

export type UserAccess = { userId: string; orgId: string; orgSlug: string; orgName: string; email: string; name: string }

/** Every org where this address is an enabled user: a sign-in request does not name the org. */
export async function findEnabledUsersByEmail(db: Db, email: string): Promise<UserAccess[]> {
  return db<UserAccess[]>`
    select u.id as "userId", u.org_id as "orgId", o.slug as "orgSlug", o.name as "orgName", u.email, u.name
    from app_users u join orgs o on o.id = u.org_id
    where u.email = ${email.toLowerCase()} and u.disabled_at is null
    order by o.slug`
}

/**
 * Counts one hit in the current fixed window of a bucket and returns the window's total. The
 * upsert is atomic, so concurrent requests on several processes count exactly.
 */
export async function countLinkRequest(db: Db, bucket: string, windowSeconds: number): Promise<number> {
  const [row] = await db<{ hits: number }[]>`
    insert into link_request_limits (bucket, window_start, hits)
    values (${bucket}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
    on conflict (bucket, window_start) do update set hits = link_request_limits.hits + 1
    returning hits`
  return row!.hits
}

export async function deleteOldLinkRequestWindows(db: Db, olderThanSeconds: number): Promise<void> {
  await db`delete from link_request_limits where window_start < now() - make_interval(secs => ${olderThanSeconds})`
}

export type MailBudget = { burst: number; spacingSeconds: number; quietSeconds: number }

/**
 * Takes one mailing from a budget and says whether there was one: the first `burst` mailings,
 * then one per `spacingSeconds`; after `quietSeconds` without a mailing the burst is whole
 * again. One upsert on a locked row, so concurrent requests on several processes take exactly.
 */
export async function takeMailSlot(db: Db, bucket: string, budget: MailBudget): Promise<boolean> {
  const rows = await db`
    insert into sign_in_mail_budget as b (bucket, mailed, last_mailed_at) values (${bucket}, 1, now())
    on conflict (bucket) do update set
      mailed = case when b.last_mailed_at < now() - make_interval(secs => ${budget.quietSeconds}) then 1 else b.mailed + 1 end,
      last_mailed_at = now()
    where b.last_mailed_at < now() - make_interval(secs => ${budget.quietSeconds})
       or b.mailed < ${budget.burst}
       or b.last_mailed_at <= now() - make_interval(secs => ${budget.spacingSeconds})
    returning 1`
  return rows.length === 1
}

export async function deleteQuietMailBudgets(db: Db, olderThanSeconds: number): Promise<void> {
  await db`delete from sign_in_mail_budget where last_mailed_at < now() - make_interval(secs => ${olderThanSeconds})`
}

/** Records that the browser holding this device token signed in as this address. */
export async function rememberSignInDevice(db: Db, tokenHash: string, addressHash: string): Promise<void> {
  await db`
    insert into sign_in_devices (token_hash, address_hash) values (${tokenHash}, ${addressHash})
    on conflict (token_hash, address_hash) do update set last_signed_in_at = now()`
}

/** Hands what one device token was known for over to its replacement. */
export async function moveSignInDevice(db: Db, fromHash: string, toHash: string): Promise<void> {
  await db`update sign_in_devices set token_hash = ${toHash} where token_hash = ${fromHash}`
}

/** True when that browser signed in as this address within the last `withinSeconds`. */
export async function isKnownSignInDevice(db: Db, tokenHash: string, addressHash: string, withinSeconds: number): Promise<boolean> {
  const rows = await db`
    select 1 from sign_in_devices
    where token_hash = ${tokenHash} and address_hash = ${addressHash}
      and last_signed_in_at > now() - make_interval(secs => ${withinSeconds})`
  return rows.length === 1
}

export async function deleteOldSignInDevices(db: Db, olderThanSeconds: number): Promise<void> {
  await db`delete from sign_in_devices where last_signed_in_at < now() - make_interval(secs => ${olderThanSeconds})`
}

/** The stored secret, creating it with `generated` on first use (the first writer wins). */
export async function readOrCreateSecret(db: Db, name: string, generated: string): Promise<string> {
  await db`insert into app_secrets (name, value) values (${name}, ${generated}) on conflict (name) do nothing`
  const [row] = await db<{ value: string }[]>`select value from app_secrets where name = ${name}`
  return row!.value
}

export type HeldMail = { id: string; orgId: string | null; to: string[]; from: string; subject: string; text: string; createdAt: Date }

const heldMailColumns = (db: Db) =>
  db`id, org_id as "orgId", to_addresses as "to", from_address as "from", subject, text_body as "text", created_at as "createdAt"`

/** The dev mailbox, newest first, across orgs: it is the developer's own outbox. */
export async function listHeldMail(db: Db, limit = 100): Promise<HeldMail[]> {
  return db<HeldMail[]>`select ${heldMailColumns(db)} from dev_mailbox order by created_at desc, id limit ${limit}`
}

export async function findHeldMail(db: Db, id: string): Promise<HeldMail | undefined> {
  const [row]: [HeldMail?] = await db`select ${heldMailColumns(db)} from dev_mailbox where id = ${id}`
  return row
}
