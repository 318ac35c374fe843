// The review page's finishing parts: marking it complete, and the customer-facing summary
// drafted as a reply version (which only the approval gate lets out).
import { missingForCompletion } from '../../src/reviews/completion.ts'
import type { ReviewReport } from '../../src/reviews/review.ts'
import { formatTime } from '../components/parts.tsx'

/** Complete: what closing the case waits for (SEV-1/2 by default). */
export function ReviewCompletion({ report }: { report: ReviewReport }) {
  const saved = report.saved
  if (saved?.completedAt) {
    return (
      <section class="panel" id="completion">
        <h2>Complete</h2>
        <p>
          Marked complete {formatTime(saved.completedAt, report.timezone)}
          {saved.completedByName ? ` by ${saved.completedByName}` : ''}.
        </p>
      </section>
    )
  }
  const missing = missingForCompletion(report)
  return (
    <section class="panel" id="completion">
      <h2>Not complete</h2>
      {missing.length ? (
        <p class="muted">Still to write: {missing.join(', ')}.</p>
      ) : (
        <form method="post" action={`/cases/${report.kase.id}/review/complete`}>
          <button type="submit" class="primary">
            Mark the review complete
          </button>
        </form>
      )}
    </section>
  )
}

/** The saved summary becomes a reply version; the approval gate decides whether it leaves. */
export function CustomerSummary({ report }: { report: ReviewReport }) {
  const text = report.saved?.customerSummary.trim() ?? ''
  return (
    <section class="panel" id="customer-summary">
      <h2>Customer-facing summary</h2>
      {text ? (
        <form method="post" action={`/cases/${report.kase.id}/review/summary-draft`} class="stack">
          <p class="muted">Makes the saved summary the next version of the case's reply, for an approver to approve.</p>
          <button type="submit">Draft it for approval</button>
        </form>
      ) : (
        <p class="muted">Write the summary in the review and save it; then it can be drafted for approval.</p>
      )}
    </section>
  )
}
