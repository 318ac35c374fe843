import type { CaseReviewPanel } from '../../src/reviews/case-panel.ts'
import { ratingLabels } from '../../src/csat/csat.ts'
import { formatTime } from '../components/parts.tsx'
import { RecoveryPlanPanel } from './recovery-panel.tsx'

/** Side panel of the case page: the proportional recovery, the customer's rating, the review. */
export function ReviewPanel({ caseId, reviewPanel }: { caseId: string; reviewPanel: CaseReviewPanel }) {
  const { recovery, ratings, review } = reviewPanel
  const latest = ratings[0]
  return (
    <section class="panel" id="aftercare">
      <h2>Making it right</h2>
      {recovery ? (
        <>
          <h3>Recovery suggestion</h3>
          <p>
            <strong>{recovery.label}</strong>
            <br />
            <span class="muted">{recovery.rationale}</span>
          </p>
        </>
      ) : null}
      <RecoveryPlanPanel caseId={caseId} panel={reviewPanel} />
      <h3>Customer satisfaction</h3>
      {latest ? (
        <div class="csat-latest">
          <p>
            <strong class={`rating rating-${latest.rating}`}>{latest.rating}/5</strong> {ratingLabels[latest.rating]}{' '}
            <span class="muted">· {formatTime(latest.createdAt)}</span>
          </p>
          {latest.comment ? <blockquote class="prewrap">{latest.comment}</blockquote> : null}
          {ratings.length > 1 ? (
            <p class="muted">
              Earlier:{' '}
              {ratings
                .slice(1)
                .map((r) => `${r.rating}/5`)
                .join(', ')}
            </p>
          ) : null}
        </div>
      ) : (
        <p class="muted">No rating yet. The resolution message carries a one-click rating link.</p>
      )}
      {review ? (
        <>
          <h3>Post-incident review</h3>
          <p>
            <a href={`/cases/${caseId}/review`}>{review.exists ? 'Open the review' : 'Write the review'}</a>
            {review.completed ? <span class="muted"> · complete</span> : null}
            {!review.completed && review.requiredToClose ? <span class="warn-text"> · needed before closing</span> : null}
            {review.openActions ? (
              <span class="muted">
                {' '}
                · {review.openActions} prevention action{review.openActions === 1 ? '' : 's'} open
              </span>
            ) : null}
            {review.overdueActions ? <span class="warn-text"> · {review.overdueActions} overdue</span> : null}
          </p>
        </>
      ) : null}
    </section>
  )
}
