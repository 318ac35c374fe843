import { recordAudit, type Actor } from '../audit/audit.ts'
import type { CaseRecord } from '../cases/case-record.ts'
import { caseLabel } from '../cases/terms.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { requiredReviewSeverities } from '../recovery/queries.ts'

// "Missing RCA" is a red flag of the playbook: a case of a severity the org requires a review for
// (SEV-1 and SEV-2 unless set otherwise, sql/00035 review_settings) is not closed by the team
// until its post-incident review is marked complete, or someone writes why it is closed without
// one (audited as review.override, which the red-flags view reads). The customer confirming a
// resolution still closes the case: the customer is never refused, and the case is then listed
// as finished without a review (finishedWithoutCompletedReview).

export const MAX_OVERRIDE_CHARS = 1000

/** Throws unless the case may be closed as far as its review goes; an override is audited in the same transaction. */
export async function assertReviewBeforeClose(
  tx: Tx,
  orgId: string,
  c: CaseRecord,
  actor: Actor,
  override: string | null | undefined,
): Promise<void> {
  const required = await requiredReviewSeverities(tx)
  if (!required.includes(c.severity)) return
  const [review]: [{ completedAt: Date | null }?] = await tx`
    select completed_at as "completedAt" from incident_reviews where case_id = ${c.id}`
  if (review?.completedAt) return
  const reason = override?.trim() ?? ''
  if (!reason) {
    throw new AppError(
      'INVALID_STATE',
      `${caseLabel(c.number)} is ${c.severity}: closing it needs a completed post-incident review. Complete the review, or give a reason to close it without one.`,
    )
  }
  if (reason.length > MAX_OVERRIDE_CHARS)
    throw new AppError('BAD_INPUT', `Keep the reason under ${MAX_OVERRIDE_CHARS.toLocaleString('en-US')} characters.`)
  await recordAudit(tx, orgId, {
    actor,
    action: 'review.override',
    caseId: c.id,
    details: { severity: c.severity, reason, review: review ? 'not completed' : 'none' },
  })
}
