import { recordAudit, userActor } from '../audit/audit.ts'
import { findLinkTokenRow, findUserById } from '../auth/queries.ts'
import { consumeLinkToken, issueLinkToken, linkSigningKey, verifyLinkToken, type LinkClaims } from '../auth/tokens.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'

// "I'm on it" from an escalation mail: a signed, single-use link bound to one recipient and one
// step (so to its case and clock). Opening it shows a page and changes nothing (mail scanners
// follow links); the button POSTs, uses the link up and records who took the clock, in one
// transaction; the scan then sends no further step of that clock (src/escalation/claim.ts).

const PURPOSE = 'escalation_ack'
/** A chain runs for a day at most (MAX_STEP_MINUTES past the deadline): so does its link. */
const ACK_LINK_SECONDS = 24 * 3600

export async function issueAckLink(
  tx: Tx,
  key: Uint8Array,
  link: { orgId: string; userId: string; stepId: string; now: Date },
): Promise<string> {
  const { token } = await issueLinkToken(tx, key, {
    orgId: link.orgId,
    userId: link.userId,
    purpose: PURPOSE,
    ttlSeconds: ACK_LINK_SECONDS,
    now: link.now,
    bind: { step: link.stepId },
  })
  return token
}

export const ackUrl = (base: string, token: string) => `${base}/escalation/ack?token=${encodeURIComponent(token)}`

export type AckedBy = { name: string; at: Date }
export type AckLink = {
  ok: true
  token: string
  claims: LinkClaims
  step: { id: string; caseId: string; step: string; clock: string; deadline: Date }
  kase: { id: string; number: number; subject: string; severity: string; orgName: string; timeZone: string }
  user: { id: string; name: string }
  /** Someone took this clock already (perhaps from another recipient's link). */
  acked: AckedBy | null
}
export type AckProblem = { ok: false; reason: 'expired' | 'invalid' | 'used' }

/** What the link points at, read without changing anything (GET and POST share it). */
export async function readAckLink(db: Db, env: Pick<Env, 'LINK_SECRET'>, token: string): Promise<AckLink | AckProblem> {
  const verified = await verifyLinkToken(await linkSigningKey(db, env.LINK_SECRET), token, PURPOSE)
  if (!verified.ok) return { ok: false, reason: verified.reason === 'expired' ? 'expired' : 'invalid' }
  const { claims } = verified
  return withOrg(db, claims.orgId, async (tx): Promise<AckLink | AckProblem> => {
    // Under the link's org: a step, user or jti of another org is simply not found.
    const [step]: [AckLink['step']?] = await tx`
      select id, case_id as "caseId", step, clock, deadline from escalation_steps where id = ${uuidOrNull(claims.bind.step)}`
    const user = await findUserById(tx, claims.userId)
    const row = await findLinkTokenRow(tx, claims.jti)
    if (!step || !user || user.disabledAt || !row) return { ok: false, reason: 'invalid' }
    if (row.consumedAt) return { ok: false, reason: 'used' }
    if (row.expiresAt <= new Date()) return { ok: false, reason: 'expired' }
    const [kase]: [AckLink['kase']?] = await tx`
      select c.id, c.number, c.subject, c.severity, o.name as "orgName", org_time_zone(o.timezone) as "timeZone" from cases c join orgs o on o.id = c.org_id where c.id = ${step.caseId}`
    if (!kase) return { ok: false, reason: 'invalid' }
    return { ok: true, token, claims, step, kase, user: { id: user.id, name: user.name || user.email }, acked: await findAck(tx, step) }
  })
}

async function findAck(tx: Tx, step: { caseId: string; deadline: Date }): Promise<AckedBy | null> {
  const [row]: [AckedBy?] = await tx`
    select coalesce(nullif(u.name, ''), u.email) as name, a.acknowledged_at as at
    from escalation_acks a join app_users u on u.id = a.acknowledged_by
    where a.case_id = ${step.caseId} and a.deadline = ${step.deadline}`
  return row ?? null
}

const uuidOrNull = (v: string | undefined) => (v && /^[0-9a-f-]{36}$/i.test(v) ? v : null)

export type AckResult = { ok: true } | { ok: false; reason: 'used' } | { ok: false; reason: 'taken'; by: AckedBy }

/** Uses the link up and records the acknowledgement (audited), or says why not. */
export async function acknowledgeEscalation(db: Db, link: AckLink): Promise<AckResult> {
  return withOrg(db, link.claims.orgId, async (tx): Promise<AckResult> => {
    // Single use: the jti is consumed in the transaction that records the acknowledgement.
    if (!(await consumeLinkToken(tx, link.claims))) return { ok: false, reason: 'used' }
    const [row] = await tx`
      insert into escalation_acks (org_id, case_id, deadline, step_id, acknowledged_by)
      values (${link.claims.orgId}, ${link.step.caseId}, ${link.step.deadline}, ${link.step.id}, ${link.user.id})
      on conflict do nothing returning case_id`
    if (!row) return { ok: false, reason: 'taken', by: (await findAck(tx, link.step))! }
    await recordAudit(tx, link.claims.orgId, {
      actor: userActor(link.user),
      action: 'case.escalation_ack',
      caseId: link.step.caseId,
      details: { clock: link.step.clock, deadline: link.step.deadline.toISOString(), step: link.step.step },
    })
    return { ok: true }
  })
}
