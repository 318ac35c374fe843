import { html } from 'hono/html'
import type { AppDeps } from '../app.ts'
import { recordAudit } from '../audit/audit.ts'
import { withOrg } from '../db.ts'
import { countLinkRequest, deleteOldLinkRequestWindows, findEnabledUsersByEmail, type UserAccess } from '../owner-queries.ts'
import { sha256Hex } from './crypto.ts'
import { findLinkTokenRow, findUserById } from './queries.ts'
import { createSession, type SessionUser } from './sessions.ts'
import { consumeLinkToken, issueLinkToken, linkSigningKey, verifyLinkToken } from './tokens.ts'

type Deps = Pick<AppDeps, 'db' | 'env' | 'mailer'>

export const SIGN_IN_LINK_SECONDS = 15 * 60
/** Fixed windows: at most 5 link requests per address and 20 per client IP every 15 minutes. */
export const signInLimits = { windowSeconds: 15 * 60, perAddress: 5, perIp: 20 }

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
    return { ok: false, reason: `${email.toLowerCase()} is a user of several organizations (${accesses.map((a) => a.orgSlug).join(', ')}); pick one with --org SLUG` }
  }
  const access = accesses[0]!
  const link = await issueSignInLink(deps, access)
  return { ok: true, url: link.url, orgSlug: access.orgSlug, expiresAt: link.expiresAt }
}

export type SignInRequest = { ok: true; delivery: Promise<void> } | { ok: false; reason: 'rate_limited' }

/**
 * Counts the request against the address and the client IP, then starts delivery. The caller
 * answers without awaiting `delivery`, so a known address and an unknown one take the same time
 * and get the same page: the form does not reveal who has access.
 */
export async function requestSignInLinks(deps: Deps, request: { email: string; ip: string | null }): Promise<SignInRequest> {
  const email = request.email.trim().toLowerCase()
  const { windowSeconds, perAddress, perIp } = signInLimits
  await deleteOldLinkRequestWindows(deps.db, 24 * 60 * 60)
  const addressHits = await countLinkRequest(deps.db, `address:${await sha256Hex(email)}`, windowSeconds)
  // Without a known client IP (no socket, no trusted proxy) there is nothing fair to count.
  const ipHits = request.ip ? await countLinkRequest(deps.db, `ip:${request.ip}`, windowSeconds) : 0
  if (addressHits > perAddress || ipHits > perIp) return { ok: false, reason: 'rate_limited' }
  return { ok: true, delivery: deliverSignInLinks(deps, email) }
}

/** One link per org the address has access to, each in its own mail naming the org. */
async function deliverSignInLinks(deps: Deps, email: string): Promise<void> {
  const accesses = await findEnabledUsersByEmail(deps.db, email)
  for (const access of accesses) {
    const link = await issueSignInLink(deps, access)
    await deps.mailer.send({
      orgId: access.orgId,
      to: access.email,
      subject: `Sign in to Escalation Desk (${access.orgName})`,
      ...(await signInMail(access, link.url)),
      tags: { purpose: 'sign_in' },
      idempotencyKey: `sign-in/${link.jti}`,
    })
  }
}

async function signInMail(access: UserAccess, url: string) {
  const minutes = SIGN_IN_LINK_SECONDS / 60
  const text = [
    `Hello ${access.name || access.email},`,
    '',
    `Use this link to sign in to ${access.orgName} on Escalation Desk:`,
    '',
    url,
    '',
    `It works once and expires in ${minutes} minutes. If you did not ask for it, ignore this email.`,
  ].join('\n')
  const body = html`<p>Hello ${access.name || access.email},</p>
<p>Use this link to sign in to <strong>${access.orgName}</strong> on Escalation Desk:</p>
<p><a href="${url}">Sign in to ${access.orgName}</a></p>
<p>It works once and expires in ${minutes} minutes. If you did not ask for it, ignore this email.</p>`
  return { text, html: String(await body) }
}

export type RedeemResult =
  | { ok: true; session: { token: string; expiresAt: Date; sessionId: string }; user: Pick<SessionUser, 'id' | 'orgId'> }
  | { ok: false; reason: 'expired' | 'invalid' | 'used' | 'no_access' }

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
    if (!(await consumeLinkToken(tx, claims))) {
      const row = await findLinkTokenRow(tx, claims.jti)
      return { ok: false, reason: row?.consumedAt ? 'used' : row ? 'expired' : 'invalid' }
    }
    const session = await createSession(tx, { orgId: user.orgId, userId: user.id, userAgent: context.userAgent })
    await recordAudit(tx, user.orgId, { actor: { kind: 'user', id: user.id }, action: 'user.sign_in', details: { sessionId: session.sessionId } })
    return { ok: true, session, user: { id: user.id, orgId: user.orgId } }
  })
}
