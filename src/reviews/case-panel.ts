import { listCaseRatings, type CaseRating } from '../csat/csat.ts'
import type { DbOrTx } from '../db.ts'
import { recoverySuggestion, type RecoverySuggestion } from './recovery.ts'
import { reviewSeverities } from './review.ts'

/** What the case page shows about making it right: the recovery to offer, CSAT, the review. */
export type CaseReviewPanel = {
  recovery: RecoverySuggestion | null
  ratings: CaseRating[]
  /** SEV-1/SEV-2 (or a review already written): the review link is shown. */
  review: { exists: boolean; openActions: number; overdueActions: number } | null
}

export async function loadCaseReviewPanel(db: DbOrTx, caseId: string): Promise<CaseReviewPanel> {
  const recovery = await recoverySuggestion(db, caseId)
  const ratings = await listCaseRatings(db, caseId)
  const [row] = await db<{ severity: string; exists: boolean; openActions: number; overdueActions: number }[]>`
    select c.severity, exists (select 1 from incident_reviews r where r.case_id = c.id) as exists,
           (select count(*)::int from prevention_actions p where p.case_id = c.id and p.status = 'open') as "openActions",
           (select count(*)::int from prevention_actions p join orgs o on o.id = p.org_id
             where p.case_id = c.id and p.status = 'open' and p.due_on < (now() at time zone o.timezone)::date) as "overdueActions"
    from cases c where c.id = ${caseId}`
  const review =
    row && (reviewSeverities.has(row.severity) || row.exists)
      ? { exists: row.exists, openActions: row.openActions, overdueActions: row.overdueActions }
      : null
  return { recovery, ratings, review }
}
