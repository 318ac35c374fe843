import type { DbOrTx, Tx } from '../db.ts'

// Org-scoped (sql/00039): every function here runs on a withOrg transaction handle, so RLS applies.

export type FactorSummary = { totp: boolean; passkeys: number; recoveryCodesLeft: number; required: boolean }

/** What a user has enrolled (a TOTP counts once confirmed), and whether their org requires a factor. */
export async function findFactorSummary(db: DbOrTx, userId: string): Promise<FactorSummary> {
  const [row]: [FactorSummary?] = await db`
    select exists (select 1 from totp_factors where user_id = ${userId} and confirmed_at is not null) as totp,
           (select count(*)::int from passkey_credentials where user_id = ${userId}) as passkeys,
           (select count(*)::int from recovery_codes where user_id = ${userId} and used_at is null) as "recoveryCodesLeft",
           (select o.require_second_factor from orgs o join app_users u on u.org_id = o.id where u.id = ${userId}) as required`
  return { ...row!, required: row!.required ?? false }
}

export async function setSessionPending(tx: Tx, sessionId: string, pending: boolean): Promise<void> {
  await tx`update sessions set second_factor_pending = ${pending} where id = ${sessionId}`
}

export type TotpRow = { secretSealed: string; confirmedAt: Date | null; lastUsedStep: number }

export async function findTotp(db: DbOrTx, userId: string): Promise<TotpRow | undefined> {
  const [row]: [TotpRow?] = await db`
    select secret_sealed as "secretSealed", confirmed_at as "confirmedAt", last_used_step::float8 as "lastUsedStep"
    from totp_factors where user_id = ${userId}`
  return row
}

/** A new seed for an enrolment not yet confirmed; false when the user already has a confirmed one. */
export async function saveTotpEnrolment(tx: Tx, row: { orgId: string; userId: string; secretSealed: string }): Promise<boolean> {
  const rows = await tx`
    insert into totp_factors (user_id, org_id, secret_sealed) values (${row.userId}, ${row.orgId}, ${row.secretSealed})
    on conflict (user_id) do update set secret_sealed = excluded.secret_sealed, created_at = now()
      where totp_factors.confirmed_at is null
    returning 1`
  return rows.length === 1
}

/**
 * Accepts one 30-second step: true only when it is later than the last accepted one, so a code
 * (or an older one) is never accepted twice, however many requests race with it. Confirms an
 * enrolment on its first code.
 */
export async function takeTotpStep(tx: Tx, userId: string, step: number, confirming: boolean): Promise<boolean> {
  const rows = await tx`
    update totp_factors set last_used_step = ${step}, confirmed_at = coalesce(confirmed_at, now())
    where user_id = ${userId} and last_used_step < ${step}
      and (case when ${confirming} then confirmed_at is null else confirmed_at is not null end)
    returning 1`
  return rows.length === 1
}

export type PasskeyRow = {
  id: string
  credentialId: string
  publicKey: Uint8Array
  signCount: number
  transports: string[]
  name: string
  createdAt: Date
  lastUsedAt: Date | null
}

export async function listPasskeys(db: DbOrTx, userId: string): Promise<PasskeyRow[]> {
  return db<PasskeyRow[]>`
    select id, credential_id as "credentialId", public_key as "publicKey", sign_count::float8 as "signCount", transports, name,
           created_at as "createdAt", last_used_at as "lastUsedAt"
    from passkey_credentials where user_id = ${userId} order by created_at`
}

export async function insertPasskey(
  tx: Tx,
  row: {
    orgId: string
    userId: string
    credentialId: string
    publicKey: Uint8Array
    signCount: number
    transports: string[]
    name: string
  },
): Promise<boolean> {
  const rows = await tx`
    insert into passkey_credentials (org_id, user_id, credential_id, public_key, sign_count, transports, name)
    values (${row.orgId}, ${row.userId}, ${row.credentialId}, ${row.publicKey}, ${row.signCount}, ${row.transports}, ${row.name})
    on conflict (credential_id) do nothing
    returning 1`
  return rows.length === 1
}

/** Records a use; false when another request moved the counter first (the same assertion twice). */
export async function recordPasskeyUse(tx: Tx, id: string, previousCount: number, signCount: number): Promise<boolean> {
  const rows = await tx`
    update passkey_credentials set sign_count = ${signCount}, last_used_at = now()
    where id = ${id} and sign_count = ${previousCount}
    returning 1`
  return rows.length === 1
}

export async function replaceRecoveryCodes(tx: Tx, owner: { orgId: string; userId: string }, hashes: string[]): Promise<void> {
  await tx`delete from recovery_codes where user_id = ${owner.userId}`
  const rows = hashes.map((hash) => ({ code_hash: hash, org_id: owner.orgId, user_id: owner.userId }))
  await tx`insert into recovery_codes ${tx(rows, 'code_hash', 'org_id', 'user_id')}`
}

/** Uses a code up; false when it is not one of the user's unused codes. */
export async function useRecoveryCode(tx: Tx, userId: string, hash: string): Promise<boolean> {
  const rows = await tx`
    update recovery_codes set used_at = now() where code_hash = ${hash} and user_id = ${userId} and used_at is null returning 1`
  return rows.length === 1
}

export type ChallengePurpose = 'register' | 'authenticate'

export async function saveChallenge(
  tx: Tx,
  row: { sessionId: string; purpose: ChallengePurpose; orgId: string; userId: string; challenge: string; expiresAt: Date },
): Promise<void> {
  await tx`
    insert into webauthn_challenges (session_id, purpose, org_id, user_id, challenge, expires_at)
    values (${row.sessionId}, ${row.purpose}, ${row.orgId}, ${row.userId}, ${row.challenge}, ${row.expiresAt})
    on conflict (session_id, purpose) do update set challenge = excluded.challenge, expires_at = excluded.expires_at`
}

/** The session's live challenge for that purpose, removed so it answers once. */
export async function takeChallenge(tx: Tx, sessionId: string, purpose: ChallengePurpose, userId: string): Promise<string | null> {
  const [row]: [{ challenge: string; live: boolean }?] = await tx`
    delete from webauthn_challenges where session_id = ${sessionId} and purpose = ${purpose} and user_id = ${userId}
    returning challenge, expires_at > now() as live`
  return row?.live ? row.challenge : null
}

export async function countRecentFailures(db: DbOrTx, userId: string, seconds: number): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from second_factor_failures
    where user_id = ${userId} and failed_at > now() - make_interval(secs => ${seconds})`
  return row!.n
}

export async function insertFailure(db: DbOrTx, owner: { orgId: string; userId: string }): Promise<void> {
  await db`insert into second_factor_failures (org_id, user_id) values (${owner.orgId}, ${owner.userId})`
}

export async function clearFailures(tx: Tx, userId: string): Promise<void> {
  await tx`delete from second_factor_failures where user_id = ${userId}`
}

/** Removes every factor of a user (an admin's reset), with their challenges and failures. */
export async function deleteFactors(tx: Tx, userId: string): Promise<{ totp: number; passkeys: number }> {
  const totp = await tx`delete from totp_factors where user_id = ${userId} and confirmed_at is not null returning 1`
  await tx`delete from totp_factors where user_id = ${userId}`
  const passkeys = await tx`delete from passkey_credentials where user_id = ${userId} returning 1`
  await tx`delete from recovery_codes where user_id = ${userId}`
  await tx`delete from webauthn_challenges where user_id = ${userId}`
  await tx`delete from second_factor_failures where user_id = ${userId}`
  return { totp: totp.length, passkeys: passkeys.length }
}

export type UserFactorRow = { id: string; name: string; email: string; role: string; totp: boolean; passkeys: number; disabled: boolean }

/** The admin page's list: every user with what they have enrolled. */
export async function listUserFactors(db: DbOrTx): Promise<UserFactorRow[]> {
  return db<UserFactorRow[]>`
    select u.id, u.name, u.email, u.role, u.disabled_at is not null as disabled,
           exists (select 1 from totp_factors t where t.user_id = u.id and t.confirmed_at is not null) as totp,
           (select count(*)::int from passkey_credentials p where p.user_id = u.id) as passkeys
    from app_users u order by u.disabled_at is not null, u.email`
}

/** The policy changes only through the security-definer function (sql/00039), which audits it. */
export async function setSecondFactorPolicy(tx: Tx, actorId: string, required: boolean): Promise<boolean> {
  const [row] = await tx<{ changed: boolean }[]>`select set_second_factor_policy(${actorId}, ${required}) as changed`
  return row!.changed
}
