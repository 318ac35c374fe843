// What the case page renders: the case, its thread, timeline, team, earlier escalations, draft,
// approvals and review panel, for one signed-in user at one instant. Its own module, so the page's
// parts (views/case/*) and the page import it without importing one another.
import type { CaseDetail, TeamMember, ThreadMessage, TimelineEntry } from '../../src/cases/detail.ts'
import type { CaseDrafts } from '../../src/drafts/case-drafts.ts'
import type { CaseReviewPanel } from '../../src/reviews/case-panel.ts'
import type { CaseApprovals } from '../../src/approvals/case-approvals.ts'
import type { WarRoomPanel } from '../../src/warroom/case-panel.ts'
import type { HeaderUser } from '../components/layout.tsx'

export type CaseView = {
  kase: CaseDetail
  thread: ThreadMessage[]
  timeline: TimelineEntry[]
  team: TeamMember[]
  history: { id: string; number: number; subject: string; status: string; openedAt: Date }[]
  /** The reply draft (views/case/draft.tsx); absent where a caller does not load it. */
  draft?: CaseDrafts
  approval?: CaseApprovals
  /** Recovery suggestion, CSAT and the post-incident review link (views/case/review-panel.tsx). */
  reviewPanel?: CaseReviewPanel
  /** Commander, collaborators, next action, checklist and internal updates (views/case/war-room.tsx). */
  warRoom?: WarRoomPanel
  user: HeaderUser & { id: string }
  now: Date
  error?: string | null
  notice?: string | null
}
