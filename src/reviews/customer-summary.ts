import { userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import { caseLabel } from '../cases/terms.ts'
import type { Tx } from '../db.ts'
import { loadDraftContext } from '../drafts/context.ts'
import { saveVersion } from '../drafts/drafts.ts'
import { replySubject } from '../drafts/templates.ts'
import { AppError } from '../http/errors.ts'
import { loadReview } from './review.ts'

// The review's customer-facing incident summary reaches the customer only as a version of the
// case's reply, through the approval gate like any reply: there is no path of its own.

/**
 * The saved customer-facing summary becomes the next version of the case's reply (purpose
 * incident_summary), to the case's recipient and in its thread; saveVersion runs the guardrails
 * and voids any pending approval. Nothing is sent here: an approver must approve that version.
 */
export async function draftCustomerSummary(tx: Tx, orgId: string, caseId: string, user: SessionUser): Promise<number> {
  await lockCase(tx, caseId)
  const report = await loadReview(tx, orgId, caseId)
  if (!report) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const body = report.saved?.customerSummary.trim() ?? ''
  if (!body) throw new AppError('BAD_INPUT', 'Write and save the customer-facing summary first.')
  const ctx = await loadDraftContext(tx, caseId)
  if (!ctx) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const saved = await saveVersion(
    tx,
    orgId,
    caseId,
    {
      authorKind: 'user',
      author: user.id,
      authorId: user.id,
      purpose: 'incident_summary',
      toEmails: ctx.replyRoute.to,
      ccEmails: [],
      files: [],
      subject: replySubject(ctx),
      body,
      toneNotes: `The customer-facing incident summary of the post-incident review of ${caseLabel(report.kase.number)}.`,
      missingFacts: [],
      recoveryAction: null,
      recoveryRationale: '',
      guardrailFlags: [],
      fallbackReason: null,
      instruction: null,
    },
    { actor: userActor(user), missingFacts: [], audit: { from: 'review' } },
  )
  return saved.version
}
