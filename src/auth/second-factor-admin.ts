import type { AppDeps } from '../http/app-env.ts'
import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'
import { findUserById, revokeUserSessions } from './queries.ts'
import { checkSecondFactorCode, coveredByRequirement } from './second-factor.ts'
import { deleteFactors, findFactorSummary, setSecondFactorPolicy } from './second-factor-queries.ts'

// What admins do about second factors (the org's requirement, a user's lost phone), and the
// second factor an approval link asks for.

type Deps = Pick<AppDeps, 'db' | 'env'>
type Admin = { id: string; orgId: string }

export type ResetResult = { ok: true; email: string } | { ok: false; reason: 'not_found' | 'self' }

/**
 * Removes every factor and recovery code of a user and signs them out everywhere (the lost phone
 * may be in someone's hands); at their next sign-in they enrol again if they must. An admin
 * cannot reset their own: another admin does, as for roles.
 */
export async function resetSecondFactors(deps: Deps, admin: Admin, userId: string): Promise<ResetResult> {
  if (userId === admin.id) return { ok: false, reason: 'self' }
  return withOrg(deps.db, admin.orgId, async (tx): Promise<ResetResult> => {
    const user = await findUserById(tx, userId)
    if (!user) return { ok: false, reason: 'not_found' }
    const removed = await deleteFactors(tx, user.id)
    const sessionsRevoked = await revokeUserSessions(tx, user.id)
    await recordAudit(tx, admin.orgId, {
      actor: userActor(admin),
      action: 'user.second_factor_reset',
      details: { userId: user.id, email: user.email, totp: removed.totp > 0, passkeys: removed.passkeys, sessionsRevoked },
    })
    return { ok: true, email: user.email }
  })
}

/** Turns the org's requirement on or off (audited by the database function); false when unchanged. */
export async function setSecondFactorRequired(deps: Deps, admin: Admin, required: boolean): Promise<boolean> {
  return withOrg(deps.db, admin.orgId, (tx) => setSecondFactorPolicy(tx, admin.id, required))
}

export type Approver = { id: string; orgId: string; role: UserRole | string }
export type ApprovalFactorAsk = 'code' | 'enrol' | null

/**
 * What an approval link must ask before it decides: nothing for an approver without a factor in
 * an org that does not require one, or for one signed in as themselves in this browser (their
 * session passed the factor); else a code ('code'); 'enrol' when the org requires a factor the
 * approver has not set up, which no link can stand in for.
 */
export async function approvalFactorAsk(deps: Deps, approver: Approver, signedInAs: string | undefined): Promise<ApprovalFactorAsk> {
  const summary = await withOrg(deps.db, approver.orgId, (tx) => findFactorSummary(tx, approver.id))
  if (!summary.totp && summary.passkeys === 0) return summary.required && coveredByRequirement(approver.role) ? 'enrol' : null
  return signedInAs === approver.id ? null : 'code'
}

export type ApprovalFactorCheck = { ok: true } | { ok: false; message: string }

/** The approval link's second factor, checked before the decision (see approvalFactorAsk). */
export async function checkApprovalFactor(
  deps: Deps,
  approver: Approver,
  ask: ApprovalFactorAsk,
  code: string,
): Promise<ApprovalFactorCheck> {
  if (ask === null) return { ok: true }
  if (ask === 'enrol') {
    return { ok: false, message: 'Your organization requires a second factor to approve: sign in and set one up first.' }
  }
  if (!code.trim()) return { ok: false, message: 'Enter the code from your authenticator app (or a recovery code) to decide.' }
  const checked = await checkSecondFactorCode(deps, { orgId: approver.orgId, userId: approver.id }, code)
  if (checked.ok) return { ok: true }
  return {
    ok: false,
    message:
      checked.reason === 'locked'
        ? 'Too many wrong codes: wait 15 minutes, or sign in with your passkey in this browser and reload this page.'
        : 'That code is not right (or was used already). Enter the current code from your authenticator app.',
  }
}
