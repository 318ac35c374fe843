import { Secret, TOTP } from 'otpauth'
import type { AppDeps } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { openSecret, sealSecret } from '../secrets/sealed.ts'
import { findTotp, saveTotpEnrolment, takeTotpStep } from './second-factor-queries.ts'

// TOTP as authenticator apps speak it (RFC 6238): SHA-1, 6 digits, 30-second steps. A code is
// accepted one step either side of now (a phone's clock a little off), and each step only once.

type Deps = Pick<AppDeps, 'db' | 'env'>
export type FactorOwner = { orgId: string; userId: string }

const PERIOD = 30
const settings = { algorithm: 'SHA1', digits: 6, period: PERIOD } as const
export const TOTP_CODE = /^\d{6}$/

export type TotpEnrolment = { secret: string; uri: string }

/** A new seed, sealed and stored unconfirmed; null when the user already has a confirmed app. */
export async function startTotpEnrolment(
  deps: Deps,
  owner: FactorOwner & { email: string; orgName: string },
): Promise<TotpEnrolment | null> {
  const secret = new Secret({ size: 20 }).base32
  const secretSealed = await sealSecret(deps.db, deps.env, owner.orgId, secret)
  const saved = await withOrg(deps.db, owner.orgId, (tx) => saveTotpEnrolment(tx, { ...owner, secretSealed }))
  if (!saved) return null
  const totp = new TOTP({ ...settings, issuer: `Escalation Desk (${owner.orgName})`, label: owner.email, secret })
  return { secret, uri: totp.toString() }
}

/** The seed of the enrolment being set up (to show it again after a wrong first code), or null. */
export async function pendingTotpEnrolment(deps: Deps, owner: FactorOwner & { email: string; orgName: string }) {
  const row = await withOrg(deps.db, owner.orgId, (tx) => findTotp(tx, owner.userId))
  if (!row || row.confirmedAt) return null
  const secret = await openSecret(deps.db, deps.env, owner.orgId, row.secretSealed)
  const totp = new TOTP({ ...settings, issuer: `Escalation Desk (${owner.orgName})`, label: owner.email, secret })
  return { secret, uri: totp.toString() }
}

/**
 * Whether the code is the user's current one (confirming: of the enrolment being set up), and
 * takes its step so it never works again. The seed is opened before the transaction: opening may
 * read the sealing key through the pool, which must not wait inside a transaction.
 */
export async function acceptTotpCode(deps: Deps, owner: FactorOwner, code: string, confirming = false, now = Date.now()) {
  if (!TOTP_CODE.test(code)) return false
  const row = await withOrg(deps.db, owner.orgId, (tx) => findTotp(tx, owner.userId))
  if (!row || Boolean(row.confirmedAt) === confirming) return false
  const secret = Secret.fromBase32(await openSecret(deps.db, deps.env, owner.orgId, row.secretSealed))
  const delta = TOTP.validate({ ...settings, token: code, secret, timestamp: now, window: 1 })
  if (delta === null) return false
  const step = TOTP.counter({ period: PERIOD, timestamp: now }) + delta
  return withOrg(deps.db, owner.orgId, (tx) => takeTotpStep(tx, owner.userId, step, confirming))
}
