import { recordAudit, type Actor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { insertJob } from '../jobs/queries.ts'
import { lockCase, type CaseRecord } from './case-record.ts'
import { caseLabel, statusLabel, type CaseStatus } from './terms.ts'
import { pauseResolutionClock, recomputeClocks, resumeResolutionClock } from '../sla/clocks.ts'
import { assertReviewBeforeClose } from '../reviews/requirement.ts'

// new → triaged (owner set) → awaiting_approval → responded → waiting_customer ⇄
// in_progress → resolved → closed. Replies from the customer reopen resolved/closed cases.
export const transitions: Record<CaseStatus, CaseStatus[]> = {
  new: ['triaged', 'awaiting_approval', 'in_progress', 'closed'],
  triaged: ['awaiting_approval', 'in_progress', 'waiting_customer', 'resolved', 'closed'],
  awaiting_approval: ['responded', 'triaged', 'in_progress'],
  responded: ['waiting_customer', 'in_progress', 'awaiting_approval', 'resolved'],
  waiting_customer: ['in_progress', 'awaiting_approval', 'resolved'],
  in_progress: ['awaiting_approval', 'waiting_customer', 'responded', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
}

export function assertTransition(c: CaseRecord, to: CaseStatus): void {
  if (c.status === to) throw new AppError('INVALID_STATE', `${caseLabel(c.number)} is already ${statusLabel(to)}.`)
  const allowed = transitions[c.status]
  if (!allowed.includes(to)) {
    const options = allowed.map(statusLabel).join(', ')
    throw new AppError(
      'INVALID_STATE',
      `${caseLabel(c.number)} is ${statusLabel(c.status)}; from there it can move to ${options}, not ${statusLabel(to)}.`,
    )
  }
}

export type StatusChange = {
  to: CaseStatus
  reason?: string | null
  at?: Date
  /** Why a case that needs a completed review is closed without one (src/reviews/requirement.ts). */
  reviewOverride?: string | null
}

/**
 * Moves a case to another status, keeping the clocks honest: waiting on the customer pauses the
 * resolution clock, leaving that state resumes it. Resolving does not close the case: it asks
 * the customer to confirm (a resolution notice drafted for approval). Closing without the
 * customer's confirmation needs a written reason.
 */
export async function changeStatus(tx: Tx, orgId: string, caseId: string, actor: Actor, change: StatusChange): Promise<CaseRecord> {
  const c = await lockCase(tx, caseId)
  const to = change.to
  const at = change.at ?? new Date()
  const reason = change.reason?.trim() || null
  assertTransition(c, to)
  if (to === 'triaged' && !c.ownerId) {
    throw new AppError('INVALID_STATE', `${caseLabel(c.number)} needs an owner before it is triaged; assign one.`)
  }
  if (to === 'closed' && !c.customerConfirmedAt && !reason) {
    throw new AppError(
      'BAD_INPUT',
      `The customer has not confirmed the resolution of ${caseLabel(c.number)}; give a reason to close it anyway.`,
    )
  }

  if (to === 'closed') await assertReviewBeforeClose(tx, orgId, c, actor, change.reviewOverride)

  if (to === 'waiting_customer') await pauseResolutionClock(tx, caseId, at)
  if (c.status === 'waiting_customer') await resumeResolutionClock(tx, orgId, caseId, at)

  await tx`
    update cases set status = ${to},
      resolved_at = case when ${to} = 'resolved' then ${at}::timestamptz when ${to} = 'in_progress' then null else resolved_at end,
      closed_at = case when ${to} = 'closed' then ${at}::timestamptz when ${to} = 'in_progress' then null else closed_at end,
      close_reason = case when ${to} = 'closed' then ${reason} else close_reason end
    where id = ${caseId}`
  await recomputeClocks(tx, orgId, caseId)
  const action =
    { resolved: 'case.resolve', closed: 'case.close' }[to as string] ??
    (c.status === 'resolved' || c.status === 'closed' ? 'case.reopen' : 'case.status_change')
  await recordAudit(tx, orgId, { actor, action, caseId, details: { from: c.status, to, ...(reason ? { reason } : {}) } })
  if (to === 'resolved') {
    // The customer is asked to confirm; the notice is drafted and goes through approval like any reply.
    await insertJob(tx, orgId, 'draft', { caseId, purpose: 'resolution' })
  }
  return { ...c, status: to }
}

/** The customer confirmed the resolution (through a signed link or a reply): the case closes. */
export async function confirmResolution(tx: Tx, orgId: string, caseId: string, actor: Actor, at = new Date()) {
  const c = await lockCase(tx, caseId)
  if (c.status !== 'resolved')
    throw new AppError('INVALID_STATE', `${caseLabel(c.number)} is ${statusLabel(c.status)}, not awaiting confirmation.`)
  await tx`update cases set customer_confirmed_at = ${at}, status = 'closed', closed_at = ${at} where id = ${caseId}`
  await recomputeClocks(tx, orgId, caseId)
  await recordAudit(tx, orgId, { actor, action: 'case.confirm', caseId, details: { from: 'resolved', to: 'closed' } })
}

/**
 * Called by the outbound worker once an approved reply was accepted by the provider: the first
 * one stops the first-response clock; every one restarts the update cadence. Only a sent,
 * approved reply may call this (never a draft).
 */
export async function recordOutboundSent(
  tx: Tx,
  orgId: string,
  caseId: string,
  sentAt: Date,
  actor: Actor,
  details: Record<string, unknown> = {},
) {
  const c = await lockCase(tx, caseId)
  const first = !c.firstResponseAt
  const moveTo: CaseStatus | null = ['new', 'triaged', 'awaiting_approval', 'in_progress'].includes(c.status) ? 'responded' : null
  await tx`
    update cases set
      first_response_at = coalesce(first_response_at, ${sentAt}),
      last_outbound_at = ${sentAt},
      status = coalesce(${moveTo}, status)
    where id = ${caseId}`
  await recomputeClocks(tx, orgId, caseId)
  if (first) {
    await recordAudit(tx, orgId, { actor, action: 'case.first_response', caseId, details: { at: sentAt.toISOString(), ...details } })
  }
  if (moveTo) await recordAudit(tx, orgId, { actor, action: 'case.status_change', caseId, details: { from: c.status, to: moveTo } })
}

/** A customer's reply on a waiting or finished case puts it back in progress. */
export async function reopenOnCustomerReply(tx: Tx, orgId: string, caseId: string, at = new Date()) {
  const c = await lockCase(tx, caseId)
  if (!['waiting_customer', 'responded', 'resolved', 'closed'].includes(c.status)) return
  await changeStatus(tx, orgId, caseId, { kind: 'customer', id: c.customerEmail }, { to: 'in_progress', at })
}
