import { recordAudit, systemActor, type Actor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'

/** Why approvals on a case lapse; each one is shown to the people whose links stopped working. */
export type VoidReason =
  | 'a newer version of the reply was saved'
  | 'the customer wrote again'
  | 'a file attached to the reply changed since it was approved'
  | 'a new approval request was sent'
  | 'the case was merged into another case'
  | 'another case was merged into this one'

export type Voided = { requests: number; cancelled: number }

/**
 * An approval covers one version of the reply as things stood when it was given. When that
 * changes (a newer version, new mail from the customer, a fresh request), the open approval
 * requests lapse and every approved reply that has not left yet is held back: pending, or
 * `sending` while it waits for a retry. One audit event says why. Call it with the case row
 * locked: the send job holds that lock while it hands a reply to the provider, so a reply is
 * either cancelled here or already on its way, never both.
 */
export async function voidPendingApprovals(
  tx: Tx,
  orgId: string,
  caseId: string,
  reason: VoidReason,
  actor: Actor = systemActor,
): Promise<Voided> {
  const requests = await tx`
    update approval_requests set voided_at = now(), void_reason = ${reason}
    where case_id = ${caseId} and decided_at is null and voided_at is null returning id`
  const cancelled = await tx<{ id: string }[]>`
    update outbox set status = 'cancelled', last_error = ${`Held back before it was sent: ${reason}.`}
    where case_id = ${caseId} and status in ('pending', 'sending') returning id`
  if (requests.length || cancelled.length) {
    await recordAudit(tx, orgId, {
      actor,
      action: 'approval.void',
      caseId,
      details: {
        reason,
        requests: requests.length,
        cancelledSends: cancelled.length,
        ...(cancelled.length ? { outboxIds: cancelled.map((o) => o.id) } : {}),
      },
    })
  }
  return { requests: requests.length, cancelled: cancelled.length }
}
