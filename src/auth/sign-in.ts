import type { AppDeps } from '../http/app-env.ts'
import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg } from '../db.ts'
import {
  countLinkRequest,
  deleteOldLinkRequestWindows,
  deleteOldSignInDevices,
  deleteQuietMailBudgets,
  findEnabledUsersByEmail,
  takeMailSlot,
} from '../owner-queries.ts'
import { sha256Hex } from './crypto.ts'
import { DEVICE_SECONDS, knownDeviceHash } from './devices.ts'
import { startSecondFactor } from './second-factor.ts'
import { magicLinkAllowed } from './oidc-policy.ts'
import { findLinkTokenRow, findUserById } from './queries.ts'
import { createSession, type SessionUser } from './sessions.ts'
import { consumeLinkToken, issueLinkToken, linkSigningKey, verifyLinkToken } from './tokens.ts'
import { signInMail } from '../../views/mail/sign-in.tsx'

type Deps = Pick<AppDeps, 'db' | 'env' | 'mailer'>

export const SIGN_IN_LINK_SECONDS = 15 * 60
/**
 * Per client IP: at most 20 requests every 15 minutes (fixed windows), then 429. Per address
 * nothing is ever refused, only not mailed: the first 3 links go out, then at most one every 3
 * minutes, so the owner's inbox always holds a link under 3 minutes old (links last 15); the
 * count starts again after 15 minutes without a link. A browser that signed in as the address
 * before has 5 links of its own per 15 minutes before that budget applies to it too.
 */
export const signInLimits = { windowSeconds: 15 * 60, perIp: 20, burst: 3, spacingSeconds: 3 * 60, perDevice: 5 }

export function signInUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/sign-in/confirm?token=${encodeURIComponent(token)}`
}

/** A fresh single-use sign-in link for one user of one org (mailed, or printed by the CLI). */
export async function issueSignInLink(deps: Pick<Deps, 'db' | 'env'>, access: { userId: string; orgId: string }) {
  const key = await linkSigningKey(deps.db, deps.env.LINK_SECRET)
  const link = await withOrg(deps.db, access.orgId, (tx) =>
    issueLinkToken(tx, key, { orgId: access.orgId, userId: access.userId, purpose: 'sign_in', ttlSeconds: SIGN_IN_LINK_SECONDS }),
  )
  return { url: signInUrl(deps.env.PUBLIC_URL, link.token), jti: link.jti, expiresAt: link.expiresAt }
}

type LinkFor = { ok: true; url: string; orgSlug: string; expiresAt: Date } | { ok: false; reason: string }

/** A sign-in link for an enabled user, chosen by address (and org when the address has several). */
export async function signInLinkFor(deps: Pick<Deps, 'db' | 'env'>, email: string, orgSlug?: string): Promise<LinkFor> {
  const accesses = (await findEnabledUsersByEmail(deps.db, email)).filter((a) => !orgSlug || a.orgSlug === orgSlug)
  if (accesses.length === 0) {
    return { ok: false, reason: `no enabled user ${email.toLowerCase()}${orgSlug ? ` in organization "${orgSlug}"` : ''}` }
  }
  if (accesses.length > 1) {
    return {
      ok: false,
      reason: `${email.toLowerCase()} is a user of several organizations (${accesses.map((a) => a.orgSlug).join(', ')}); pick one with --org SLUG`,
    }
  }
  const access = accesses[0]!
  const link = await issueSignInLink(deps, access)
  return { ok: true, url: link.url, orgSlug: access.orgSlug, expiresAt: link.expiresAt }
}

export type SignInRequest = { ok: true; delivery: Promise<void> } | { ok: false; reason: 'rate_limited' }

/**
 * Counts the request against the client IP, takes a mailing from the address's budget (or the
 * browser's own, for a browser that signed in as that address before), then starts delivery.
 * The caller answers without awaiting `delivery`, and the same way whether anything is mailed,
 * so a known address and an unknown one, or a mailed request and a held-back one, get the same
 * page: the form reveals neither who has access nor how often someone asked.
 */
export async function requestSignInLinks(
  deps: Deps,
  request: { email: string; ip: string | null; deviceToken?: string },
): Promise<SignInRequest> {
  const email = request.email.trim().toLowerCase()
  const { windowSeconds, perIp } = signInLimits
  await forgetStaleLimits(deps.db)
  // Without a known client IP (no socket, no trusted proxy) there is nothing fair to count.
  const ipHits = request.ip ? await countLinkRequest(deps.db, `ip:${request.ip}`, windowSeconds) : 0
  if (ipHits > perIp) return { ok: false, reason: 'rate_limited' }
  const mailed = await takeLinkMailing(deps.db, email, request.deviceToken)
  return { ok: true, delivery: mailed ? deliverSignInLinks(deps, email) : Promise.resolve() }
}

/** Whether this request's link is mailed: from the browser's own budget first, then the address's. */
async function takeLinkMailing(db: Deps['db'], email: string, deviceToken: string | undefined): Promise<boolean> {
  const { windowSeconds, burst, spacingSeconds, perDevice } = signInLimits
  const addressHash = await sha256Hex(email)
  const device = await knownDeviceHash(db, deviceToken, email)
  if (
    device &&
    (await takeMailSlot(db, `device:${device}:${addressHash}`, {
      burst: perDevice,
      spacingSeconds: windowSeconds,
      quietSeconds: windowSeconds,
    }))
  ) {
    return true
  }
  return takeMailSlot(db, `address:${addressHash}`, { burst, spacingSeconds, quietSeconds: windowSeconds })
}

async function forgetStaleLimits(db: Deps['db']): Promise<void> {
  await deleteOldLinkRequestWindows(db, 24 * 60 * 60)
  await deleteQuietMailBudgets(db, 24 * 60 * 60)
  await deleteOldSignInDevices(db, DEVICE_SECONDS)
}

/** One link per org the address has access to, each in its own mail naming the org. */
async function deliverSignInLinks(deps: Deps, email: string): Promise<void> {
  const accesses = await findEnabledUsersByEmail(deps.db, email)
  for (const access of accesses) {
    const link = await issueSignInLink(deps, access)
    await deps.mailer.send({
      orgId: access.orgId,
      to: access.email,
      ...(await signInMail({
        name: access.name,
        email: access.email,
        orgName: access.orgName,
        url: link.url,
        minutes: SIGN_IN_LINK_SECONDS / 60,
      })),
      tags: { purpose: 'sign_in' },
      idempotencyKey: `sign-in/${link.jti}`,
    })
  }
}

export type RedeemResult =
  | { ok: true; session: { token: string; expiresAt: Date; sessionId: string }; user: Pick<SessionUser, 'id' | 'orgId' | 'email'> }
  | { ok: false; reason: 'expired' | 'invalid' | 'used' | 'no_access' | 'sso_required' }

/**
 * Verifies the link, uses it up and creates the session in one transaction of the org the link
 * names; RLS then only finds the user if they belong to that org, so a link cannot cross orgs.
 */
export async function redeemSignInLink(deps: Deps, token: string, context: { userAgent?: string | null }): Promise<RedeemResult> {
  const key = await linkSigningKey(deps.db, deps.env.LINK_SECRET)
  const verified = await verifyLinkToken(key, token, 'sign_in')
  if (!verified.ok) return { ok: false, reason: verified.reason === 'expired' ? 'expired' : 'invalid' }
  const claims = verified.claims
  return withOrg(deps.db, claims.orgId, async (tx): Promise<RedeemResult> => {
    const user = await findUserById(tx, claims.userId)
    if (!user || user.orgId !== claims.orgId || user.disabledAt) return { ok: false, reason: 'no_access' }
    // Checked here, where every link (mailed, invitation, `desk login-link`) becomes a session.
    if (!(await magicLinkAllowed(tx, user))) return { ok: false, reason: 'sso_required' }
    if (!(await consumeLinkToken(tx, claims))) {
      const row = await findLinkTokenRow(tx, claims.jti)
      return { ok: false, reason: row?.consumedAt ? 'used' : row ? 'expired' : 'invalid' }
    }
    const session = await createSession(tx, { orgId: user.orgId, userId: user.id, userAgent: context.userAgent })
    // Pending until the second factor is passed, when the user has one or must enrol one.
    await startSecondFactor(tx, session, user)
    await recordAudit(tx, user.orgId, { actor: userActor(user), action: 'user.sign_in', details: { sessionId: session.sessionId } })
    return { ok: true, session, user: { id: user.id, orgId: user.orgId, email: user.email } }
  })
}
