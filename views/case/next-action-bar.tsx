import type { Child } from 'hono/jsx'
import type { NextAction } from '../../src/cases/next-action.ts'
import type { CaseDetail, TeamMember } from '../../src/cases/detail.ts'
import { formatTime } from '../components/parts.tsx'
import { caseForm } from './actions.tsx'

/**
 * "What do I do now?": the case's next step (src/cases/next-action.ts) and its one primary
 * control, at the top of the case, under the clocks. Feedback from that control shows here.
 */
export function NextActionBar({
  action,
  kase,
  team,
  feedback,
}: {
  action: NextAction
  kase: CaseDetail
  team: TeamMember[]
  feedback?: Child
}) {
  const control = action.control
  return (
    <section class={`next-action next-${action.kind}`} id="next-action" aria-labelledby="next-action-title" data-next={action.kind}>
      <div class="next-text">
        <p class="next-label">Next step</p>
        <h2 id="next-action-title">
          {action.title}
          {action.due ? <> by {formatTime(action.due)}</> : null}
          {action.since ? <> since {formatTime(action.since)}</> : null}
        </h2>
        <p class="next-detail">{action.detail}</p>
      </div>
      <div class="next-control">
        {control?.kind === 'assign' ? (
          <form {...caseForm(kase.id, 'assign')} class="next-form">
            <select name="ownerId" required aria-label="Owner">
              <option value="">Choose the accountable owner…</option>
              {team.map((m) => (
                <option value={m.id}>
                  {m.name || m.email} ({m.role})
                </option>
              ))}
            </select>
            <button type="submit" class="primary">
              Assign owner
            </button>
          </form>
        ) : control?.kind === 'acknowledge' ? (
          <form {...caseForm(kase.id, 'acknowledge')} class="next-form">
            <button type="submit" class="primary">
              I have it (acknowledge)
            </button>
          </form>
        ) : control?.kind === 'request_approval' ? (
          <form method="post" action={`/cases/${kase.id}/approval/request`} class="next-form">
            <button type="submit" class="primary">
              Request approval of version {control.version}
            </button>
          </form>
        ) : control?.kind === 'resolve' ? (
          // ?from=next: the answer shows here, not beside the Status form (views/pages/case.tsx).
          <form {...caseForm(kase.id, 'status?from=next')} class="next-form">
            <input type="hidden" name="status" value="resolved" />
            <button type="submit" class="primary">
              Resolve: ask the customer to confirm
            </button>
          </form>
        ) : control?.kind === 'jump' ? (
          <a class="button primary" href={control.href}>
            {control.label}
          </a>
        ) : null}
        {feedback}
      </div>
    </section>
  )
}

/** On a phone: the case's actions within a thumb's reach, whatever is scrolled into view. */
export function CaseActionBar({ action }: { action: NextAction }) {
  return (
    <nav class="case-bar" aria-label="Case actions">
      <a href="#next-action" class="next">
        {action.control ? 'Next' : 'Status'}
      </a>
      <a href="#draft">Reply</a>
      <a href="#note">Note</a>
      <a href="#owner-heading">Owner</a>
      <a href="#status">Move</a>
    </nav>
  )
}
