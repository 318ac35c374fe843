import type { CookieOptions } from 'hono/utils/cookie'
import { recordAudit } from '../audit/audit.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'
import { findLiveSessionByTokenHash } from '../owner-queries.ts'
import type { SecondFactorState } from './second-factor.ts'
import { constantTimeEqual, randomToken, sha256Hex } from './crypto.ts'
import { insertSession, revokeSession, touchSession } from './queries.ts'

// Server-side sessions: the cookie holds a random token, the database only its SHA-256, so a
// session can be revoked at any time and a copy of the table signs nobody in.

export const SESSION_COOKIE = 'desk_session'
const SESSION_SECONDS = 14 * 24 * 60 * 60
// last_seen_at is what the sessions page shows and the idle timeout's clock; a write per request
// is waste, so it moves every 5 minutes, or every tenth of the org's idle timeout (at least a
// minute): a session then ends after its idle time to within that tenth.
const TOUCH_AFTER_MS = 5 * 60 * 1000
const touchAfterMs = (idleMinutes: number | null) =>
  idleMinutes === null ? TOUCH_AFTER_MS : Math.min(TOUCH_AFTER_MS, Math.max(60 * 1000, (idleMinutes * 60 * 1000) / 10))
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

export type SessionUser = { id: string; orgId: string; email: string; name: string; role: UserRole; orgName: string; orgSlug: string }
/** secondFactor: what src/auth/second-factor.ts decides a pending session still owes. */
export type ValidSession = { sessionId: string; user: SessionUser; secondFactor: SecondFactorState }

export async function createSession(tx: Tx, s: { orgId: string; userId: string; userAgent?: string | null }) {
  const token = randomToken(32)
  const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000)
  const { id } = await insertSession(tx, {
    orgId: s.orgId,
    userId: s.userId,
    tokenHash: await sha256Hex(token),
    expiresAt,
    userAgent: s.userAgent?.slice(0, 300) ?? null,
  })
  return { token, sessionId: id, expiresAt }
}

/** The signed-in user for a cookie token, or null (unknown, expired, revoked, or user disabled). */
export async function validateSession(db: Db, token: string | undefined): Promise<ValidSession | null> {
  if (!token || !TOKEN_SHAPE.test(token)) return null
  const tokenHash = await sha256Hex(token)
  const found = await findLiveSessionByTokenHash(db, tokenHash)
  if (!found || !constantTimeEqual(found.tokenHash, tokenHash)) return null
  if (Date.now() - found.lastSeenAt.getTime() > touchAfterMs(found.idleMinutes)) {
    await withOrg(db, found.user.orgId, (tx) => touchSession(tx, found.sessionId))
  }
  return { sessionId: found.sessionId, user: found.user, secondFactor: found.secondFactor }
}

/** Signs one session out (the cookie stops working at once, on every process). */
export async function invalidateSession(db: Db, session: { sessionId: string; orgId: string; userId: string }): Promise<void> {
  await withOrg(db, session.orgId, async (tx) => {
    await revokeSession(tx, session.sessionId)
    await recordAudit(tx, session.orgId, {
      actor: { kind: 'user', id: session.userId },
      action: 'user.sign_out',
      details: { sessionId: session.sessionId },
    })
  })
}

/** HttpOnly (no script reads it), Secure, SameSite=Lax (sent on top-level navigation only). */
export function sessionCookieOptions(expiresAt: Date): CookieOptions {
  return { httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: expiresAt }
}
