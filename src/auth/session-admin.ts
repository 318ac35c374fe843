import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { SessionUser } from './sessions.ts'

// Sessions people can review and end: everyone their own, admins everyone's in their org.

export type SessionRow = {
  id: string
  userId: string
  email: string
  name: string
  method: 'link' | 'sso'
  userAgent: string | null
  network: string | null
  createdAt: Date
  lastSeenAt: Date
}

/**
 * A coarse network for the sessions page: the IPv4 /24 or the IPv6 /48, enough to recognise
 * "that was me at the office" without keeping anyone's exact address.
 */
export function networkSummary(ip: string | null): string | null {
  if (!ip) return null
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip)
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`
  if (!/^[0-9a-f:]+$/i.test(ip) || !ip.includes(':')) return null
  const [head = '', tail = ''] = ip.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left
  return `${groups
    .slice(0, 3)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/48`
}

/** Where a new session came from, for the sessions page (set in the transaction that created it). */
export async function recordSessionOrigin(tx: Tx, sessionId: string, origin: { network: string | null; method: 'link' | 'sso' }) {
  await tx`update sessions set network = ${origin.network}, method = ${origin.method} where id = ${sessionId}`
}

/** Live sessions (not revoked, not expired, not idle past the org's timeout), newest activity first; one user's or everyone's. */
async function listLiveSessions(tx: Tx, orgId: string, userId: string | null): Promise<SessionRow[]> {
  return tx<SessionRow[]>`
    select s.id, s.user_id as "userId", u.email, u.name, s.method, s.user_agent as "userAgent", s.network,
           s.created_at as "createdAt", s.last_seen_at as "lastSeenAt"
    from sessions s join app_users u on u.id = s.user_id join orgs o on o.id = s.org_id
    where s.revoked_at is null and s.expires_at > now() and u.disabled_at is null and o.id = ${orgId}
      and (o.session_idle_minutes is null or s.last_seen_at > now() - make_interval(mins => o.session_idle_minutes))
      ${userId ? tx`and s.user_id = ${userId}` : tx``}
    order by s.last_seen_at desc
    limit 500`
}

export type SessionsView = {
  mine: SessionRow[]
  everyone: SessionRow[] | null
}

/** The viewer's own sessions, and for an admin everyone's. */
export async function sessionsFor(db: Db, viewer: SessionUser): Promise<SessionsView> {
  return withOrg(db, viewer.orgId, async (tx) => ({
    mine: await listLiveSessions(tx, viewer.orgId, viewer.id),
    everyone: viewer.role === 'admin' ? await listLiveSessions(tx, viewer.orgId, null) : null,
  }))
}

/**
 * Ends a session: the viewer's own, or anyone's in the org for an admin. Someone else's session
 * for a non-admin is 'not_found', like another org's (RLS), so the answer confirms nothing.
 */
export async function revokeSessionAs(db: Db, viewer: SessionUser, sessionId: string): Promise<'revoked' | 'not_found'> {
  return withOrg(db, viewer.orgId, async (tx) => {
    const [row] = await tx<{ userId: string }[]>`
      update sessions set revoked_at = now()
      where id = ${sessionId} and revoked_at is null
        and (user_id = ${viewer.id} or ${viewer.role === 'admin'})
      returning user_id as "userId"`
    if (!row) return 'not_found'
    await recordAudit(tx, viewer.orgId, {
      actor: userActor(viewer),
      action: 'session.revoke',
      details: { sessionId, userId: row.userId },
    })
    return 'revoked'
  })
}
