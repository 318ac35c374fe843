import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { processPrompts } from './process.ts'
import { markReviewComplete } from './queries.ts'
import { loadReview, type ReviewReport } from './review.ts'

// Finishing a review: marking it complete, which is what closing a case that needs a review
// waits for (src/reviews/requirement.ts).

/** What a saved review still lacks before it can be marked complete (empty: nothing). */
export function missingForCompletion(r: Pick<ReviewReport, 'kind' | 'saved'>): string[] {
  const s = r.saved
  if (!s) return ['the review has not been saved']
  const blank = (v: string | undefined) => !v?.trim()
  const missing: string[] = []
  if (blank(s.summary)) missing.push(r.kind === 'short' ? 'what happened' : 'the summary')
  if (r.kind === 'full') {
    if (blank(s.whys[0])) missing.push('the first of the five whys')
    if (blank(s.rootCause)) missing.push('the root cause')
    const unanswered = processPrompts.filter((_, i) => blank(s.process[i])).length
    if (unanswered) missing.push(`${unanswered} process review question${unanswered === 1 ? '' : 's'}`)
  } else {
    if (blank(s.rootCause)) missing.push('why it happened')
    if (blank(s.prevention)) missing.push('how it is prevented')
  }
  return missing
}

export async function completeReview(tx: Tx, orgId: string, caseId: string, user: SessionUser): Promise<void> {
  await lockCase(tx, caseId)
  const report = await loadReview(tx, orgId, caseId)
  if (!report) throw new AppError('NOT_FOUND', 'That case does not exist.')
  if (report.saved?.completedAt) throw new AppError('INVALID_STATE', 'The review is already complete.')
  const missing = missingForCompletion(report)
  if (missing.length) throw new AppError('BAD_INPUT', `Before the review is complete, write ${missing.join(', ')}.`)
  if (!(await markReviewComplete(tx, caseId, user.id))) throw new AppError('INVALID_STATE', 'The review is already complete.')
  await recordAudit(tx, orgId, { actor: userActor(user), action: 'review.complete', caseId, details: { kind: report.kind } })
}
