import type { AppDeps } from '../http/app-env.ts'
import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg, type Tx } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'
import { sha256Hex } from './crypto.ts'
import {
  clearFailures,
  countRecentFailures,
  findFactorSummary,
  insertFailure,
  replaceRecoveryCodes,
  setSessionPending,
  useRecoveryCode,
} from './second-factor-queries.ts'
import { acceptTotpCode, TOTP_CODE, type FactorOwner } from './second-factor-totp.ts'

// The second factor after the emailed link. A session made from a link is pending while its user
// has a factor to pass (or must enrol one): a pending session reaches the second-factor pages and
// sign-out only (src/auth/second-factor-gate.ts). A session from single sign-on owes nothing: the
// identity provider answers for how its people sign in (issue 22: a second factor when SSO is not used).

type Deps = Pick<AppDeps, 'db' | 'env'>

/** What the session lookup reads for the rule below (src/owner-queries.ts). */
export type SecondFactorState = { pending: boolean; required: boolean; enrolled: boolean; viaSso: boolean }
export type SecondFactorDue = 'verify' | 'enrol'
export type FactorMethod = 'totp' | 'passkey' | 'recovery_code'

/** The roles an org's requirement covers: the people who approve replies and change settings. */
export const coveredByRequirement = (role: UserRole | string) => role === 'admin' || role === 'approver'

/**
 * What the session must do before it is a full one: pass the factor the user has, or enrol one
 * when the org requires it of their role (also for a session that was full before the org turned
 * the requirement on, or before the user became an approver).
 */
export function secondFactorDue(state: SecondFactorState, role: UserRole | string): SecondFactorDue | null {
  if (state.viaSso) return null
  if (state.enrolled) return state.pending ? 'verify' : null
  return state.required && coveredByRequirement(role) ? 'enrol' : null
}

/** Called where a link makes a session: it starts pending when the user has a factor to pass or must enrol one. */
export async function startSecondFactor(tx: Tx, session: { sessionId: string }, user: { id: string; role: UserRole }) {
  const summary = await findFactorSummary(tx, user.id)
  const state = { pending: true, required: summary.required, enrolled: summary.totp || summary.passkeys > 0, viaSso: false }
  if (secondFactorDue(state, user.role)) await setSessionPending(tx, session.sessionId, true)
}

/** The session becomes a full one; the audit trail records how. */
export async function completeSecondFactor(deps: Deps, pending: { sessionId: string; user: FactorOwnerUser }, method: FactorMethod) {
  await withOrg(deps.db, pending.user.orgId, async (tx) => {
    await setSessionPending(tx, pending.sessionId, false)
    await clearFailures(tx, pending.user.id)
    await recordAudit(tx, pending.user.orgId, {
      actor: userActor(pending.user),
      action: 'user.second_factor_pass',
      details: { sessionId: pending.sessionId, method },
    })
  })
}

type FactorOwnerUser = { id: string; orgId: string }

/** Past this many wrong codes in the window, no code is tried: six digits must not be guessable. */
export const failureLimit = { attempts: 10, windowSeconds: 15 * 60 }

export type CodeCheck = { ok: true; method: 'totp' | 'recovery_code' } | { ok: false; reason: 'wrong' | 'locked' }

/**
 * A code typed by the user: six digits are a TOTP code, anything else a recovery code (used up).
 * A wrong one is counted in its own transaction, so it counts even when the caller's rolls back.
 */
export async function checkSecondFactorCode(deps: Deps, owner: FactorOwner, typed: string): Promise<CodeCheck> {
  const code = typed.replace(/[\s-]/g, '').toLowerCase()
  const failures = await withOrg(deps.db, owner.orgId, (tx) => countRecentFailures(tx, owner.userId, failureLimit.windowSeconds))
  if (failures >= failureLimit.attempts) return { ok: false, reason: 'locked' }
  if (TOTP_CODE.test(code)) {
    if (await acceptTotpCode(deps, owner, code)) return { ok: true, method: 'totp' }
  } else if (code.length > 0 && code.length <= 64) {
    const hash = await sha256Hex(code)
    if (await withOrg(deps.db, owner.orgId, (tx) => useRecoveryCode(tx, owner.userId, hash))) return { ok: true, method: 'recovery_code' }
  }
  await withOrg(deps.db, owner.orgId, (tx) => insertFailure(tx, owner))
  return { ok: false, reason: 'wrong' }
}

/** Counts a failed passkey answer like a wrong code. */
export async function countSecondFactorFailure(deps: Deps, owner: FactorOwner): Promise<void> {
  await withOrg(deps.db, owner.orgId, (tx) => insertFailure(tx, owner))
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
export const RECOVERY_CODE_COUNT = 10

/** Ten fresh codes (the old ones stop working), shown once: only their SHA-256 is kept. */
export async function issueRecoveryCodes(tx: Tx, owner: FactorOwner): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    // 10 characters of 31: about 50 bits each; the modulo bias of 256 % 31 is immaterial at this length.
    const chars = Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length])
    return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`
  })
  await replaceRecoveryCodes(tx, owner, await Promise.all(codes.map((code) => sha256Hex(code.replace('-', '')))))
  await recordAudit(tx, owner.orgId, {
    actor: { kind: 'user', id: owner.userId },
    action: 'user.recovery_codes_issue',
    details: { count: codes.length },
  })
  return codes
}

export type EnrolmentActor = { sessionId: string; user: { id: string; orgId: string } }

/**
 * A factor was just enrolled (proven by its first code or the passkey's signature): the session
 * that enrolled it is full, and a user's first factor (or one added when every recovery code is
 * used) comes with ten recovery codes.
 */
export async function completeEnrolment(deps: Deps, actor: EnrolmentActor, method: 'totp' | 'passkey'): Promise<string[] | null> {
  const owner = { orgId: actor.user.orgId, userId: actor.user.id }
  return withOrg(deps.db, owner.orgId, async (tx) => {
    const summary = await findFactorSummary(tx, owner.userId)
    await setSessionPending(tx, actor.sessionId, false)
    await recordAudit(tx, owner.orgId, {
      actor: userActor(actor.user),
      action: 'user.second_factor_enrol',
      details: { method, sessionId: actor.sessionId },
    })
    return summary.recoveryCodesLeft === 0 ? issueRecoveryCodes(tx, owner) : null
  })
}
