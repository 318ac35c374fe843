import { listTeam, type TeamMember } from '../cases/detail.ts'
import { listCaseRatings, type CaseRating } from '../csat/csat.ts'
import type { DbOrTx } from '../db.ts'
import { getRecoveryPlan, listRecoveryItems, requiredReviewSeverities, type RecoveryItem, type RecoveryPlan } from '../recovery/queries.ts'
import { recoverySuggestion, type RecoverySuggestion } from './recovery.ts'

/** What the case page shows about making it right: the recovery to offer and the plan, CSAT, the review. */
export type CaseReviewPanel = {
  recovery: RecoverySuggestion | null
  plan: RecoveryPlan | null
  items: RecoveryItem[]
  team: TeamMember[]
  ratings: CaseRating[]
  review: {
    exists: boolean
    completed: boolean
    /** Closing by the team waits for a completed review (src/reviews/requirement.ts). */
    requiredToClose: boolean
    openActions: number
    overdueActions: number
  }
}

export async function loadCaseReviewPanel(db: DbOrTx, caseId: string, now = new Date()): Promise<CaseReviewPanel> {
  const recovery = await recoverySuggestion(db, caseId)
  const ratings = await listCaseRatings(db, caseId)
  const required = await requiredReviewSeverities(db)
  const [row] = await db<{ severity: string; exists: boolean; completed: boolean; openActions: number; overdueActions: number }[]>`
    select c.severity, r.id is not null as exists, r.completed_at is not null as completed,
           (select count(*)::int from prevention_actions p where p.case_id = c.id and p.status = 'open') as "openActions",
           (select count(*)::int from prevention_actions p join orgs o on o.id = p.org_id
             where p.case_id = c.id and p.status = 'open' and p.due_on < (${now}::timestamptz at time zone o.timezone)::date) as "overdueActions"
    from cases c left join incident_reviews r on r.case_id = c.id where c.id = ${caseId}`
  return {
    recovery,
    plan: (await getRecoveryPlan(db, caseId, now)) ?? null,
    items: await listRecoveryItems(db, caseId, now),
    team: await listTeam(db),
    ratings,
    review: {
      exists: row?.exists ?? false,
      completed: row?.completed ?? false,
      requiredToClose: !!row && required.includes(row.severity),
      openActions: row?.openActions ?? 0,
      overdueActions: row?.overdueActions ?? 0,
    },
  }
}
