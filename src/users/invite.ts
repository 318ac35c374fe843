import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { signInUrl } from '../auth/sign-in.ts'
import { issueLinkToken, linkSigningKey } from '../auth/tokens.ts'
import { withOrg } from '../db.ts'
import type { AppDeps } from '../http/app-env.ts'
import { invitationMail } from '../../views/mail/invitation.tsx'
import { findOrgUser } from './queries.ts'

/**
 * An invitation is a sign-in link like any other (signed, bound to the user and the org, used
 * once, redeemed by the same page), that lasts long enough for someone who is not expecting it.
 */
export const INVITATION_HOURS = 72

export type Invitation = { ok: true; email: string } | { ok: false; reason: 'not_found' | 'disabled' | 'not_sent'; message: string }

/** Mails the user a fresh invitation naming the org and who invited them; audited as user.invite. */
export async function inviteUser(deps: Pick<AppDeps, 'db' | 'env' | 'mailer'>, admin: SessionUser, userId: string): Promise<Invitation> {
  const key = await linkSigningKey(deps.db, deps.env.LINK_SECRET)
  const issued = await withOrg(deps.db, admin.orgId, async (tx) => {
    const user = await findOrgUser(tx, userId)
    if (!user || user.disabledAt) return user ? ('disabled' as const) : ('not_found' as const)
    const link = await issueLinkToken(tx, key, { orgId: admin.orgId, userId, purpose: 'sign_in', ttlSeconds: INVITATION_HOURS * 3600 })
    await recordAudit(tx, admin.orgId, {
      actor: userActor(admin),
      action: 'user.invite',
      details: { userId, email: user.email, expiresAt: link.expiresAt },
    })
    return { user, link }
  })
  if (issued === 'not_found') return { ok: false, reason: 'not_found', message: 'That user does not exist.' }
  if (issued === 'disabled') return { ok: false, reason: 'disabled', message: 'That user is disabled; they cannot be invited.' }
  const base = deps.env.PUBLIC_URL.replace(/\/+$/, '')
  const mail = await invitationMail({
    invitee: issued.user,
    inviter: admin,
    orgName: admin.orgName,
    role: issued.user.role,
    url: signInUrl(base, issued.link.token),
    signInPage: `${base}/sign-in`,
    hours: INVITATION_HOURS,
  })
  try {
    await deps.mailer.send({
      orgId: admin.orgId,
      to: issued.user.email,
      ...mail,
      tags: { purpose: 'invitation' },
      idempotencyKey: `invitation/${issued.link.jti}`,
    })
  } catch (error) {
    return {
      ok: false,
      reason: 'not_sent',
      message: `${issued.user.email} was added, but the invitation could not be sent (${(error as Error).message}). Try "Send invitation" again.`,
    }
  }
  return { ok: true, email: issued.user.email }
}
