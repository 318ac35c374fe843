import type { DbOrTx, Tx } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'

// Org-scoped: every function here runs on a withOrg transaction handle, so RLS applies.

export type LinkTokenRow = { jti: string; orgId: string; userId: string; purpose: string; expiresAt: Date }

export async function insertLinkToken(tx: Tx, row: LinkTokenRow): Promise<void> {
  await tx`
    insert into link_tokens (jti, org_id, user_id, purpose, expires_at)
    values (${row.jti}, ${row.orgId}, ${row.userId}, ${row.purpose}, ${row.expiresAt})`
}

/** Marks the link used; false when it was used already, expired, or is not this user's. */
export async function consumeLinkTokenRow(tx: Tx, claims: { jti: string; userId: string; purpose: string }): Promise<boolean> {
  const rows = await tx`
    update link_tokens set consumed_at = now()
    where jti = ${claims.jti} and user_id = ${claims.userId} and purpose = ${claims.purpose}
      and consumed_at is null and expires_at > now()
    returning jti`
  return rows.length === 1
}

export async function findLinkTokenRow(db: DbOrTx, jti: string): Promise<{ consumedAt: Date | null; expiresAt: Date } | undefined> {
  const [row]: [{ consumedAt: Date | null; expiresAt: Date }?] = await db`
    select consumed_at as "consumedAt", expires_at as "expiresAt" from link_tokens where jti = ${jti}`
  return row
}

export type OrgUser = { id: string; orgId: string; email: string; name: string; role: UserRole; disabledAt: Date | null }

export async function findUserById(db: DbOrTx, id: string): Promise<OrgUser | undefined> {
  const [row]: [OrgUser?] = await db`
    select id, org_id as "orgId", email, name, role, disabled_at as "disabledAt" from app_users where id = ${id}`
  return row
}

export async function insertSession(
  tx: Tx,
  s: { orgId: string; userId: string; tokenHash: string; expiresAt: Date; userAgent: string | null },
) {
  const [row] = await tx<{ id: string }[]>`
    insert into sessions (org_id, user_id, token_hash, expires_at, user_agent)
    values (${s.orgId}, ${s.userId}, ${s.tokenHash}, ${s.expiresAt}, ${s.userAgent})
    returning id`
  return row!
}

export async function touchSession(tx: Tx, id: string): Promise<void> {
  await tx`update sessions set last_seen_at = now() where id = ${id}`
}

export async function revokeSession(tx: Tx, id: string): Promise<void> {
  await tx`update sessions set revoked_at = now() where id = ${id} and revoked_at is null`
}

export async function revokeUserSessions(tx: Tx, userId: string): Promise<number> {
  const rows = await tx`update sessions set revoked_at = now() where user_id = ${userId} and revoked_at is null returning id`
  return rows.length
}
