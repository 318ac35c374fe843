import type { Child } from 'hono/jsx'
import { nextAction, type NextAction } from '../../src/cases/next-action.ts'
import type { CaseDetail, TeamMember } from '../../src/cases/detail.ts'
import type { CaseView } from './view.ts'
import { formatTime } from '../components/parts.tsx'
import { caseForm } from './actions.tsx'

/** Where an action's answer is shown: beside the control that was used (the request's path says which). */
export type FeedbackPlace = 'bar' | 'owner' | 'severity' | 'status' | 'note' | 'customer' | 'reached' | 'approval' | 'war-room'

export function feedbackPlace(
  method: string,
  path: string,
  query: (name: string) => string | undefined,
  kase: CaseDetail,
  action: NextAction,
): FeedbackPlace {
  // After a redirect: asking for approval is pressed in the bar; deciding, in the approval section.
  if (method !== 'POST') {
    if (query('notice') === 'internal-update') return 'war-room'
    return query('notice') === 'approval-requested' ? 'bar' : 'approval'
  }
  if (query('from') === 'next') return 'bar'
  const verb = path.split('/').slice(3).join('/')
  if (verb === 'assign') return kase.ownerId && action.kind !== 'acknowledge' ? 'owner' : 'bar'
  if (verb === 'acknowledge') return 'bar'
  if (verb === 'severity') return 'severity'
  if (verb === 'status') return 'status'
  if (verb === 'notes') return 'note'
  if (verb.startsWith('correct/')) return 'customer'
  if (verb === 'executive') return 'reached'
  if (verb.startsWith('war-room')) return 'war-room'
  return 'bar'
}

/** The case's state as the next-action rule reads it (src/cases/next-action.ts). */
export function caseNextAction(view: CaseView): NextAction {
  const { kase, draft, approval, user } = view
  const current = draft?.current ?? null
  const fourEyes = approval?.fourEyes
  return nextAction({
    ...kase,
    viewer: { id: user.id, canApprove: user.role === 'approver' || user.role === 'admin' },
    draft: {
      pending: draft?.pending ?? false,
      current: current
        ? {
            version: current.version,
            blocked: current.guardrailFlags.some((f) => f.severity === 'block'),
            approved: Boolean(approval?.decisions.some((d) => d.decision === 'approved' && d.version === current.version)),
          }
        : null,
    },
    approvals: {
      open: approval?.open ?? [],
      sends: approval?.sends ?? [],
      viewerIsAuthor: Boolean(fourEyes && !fourEyes.selfApprovalAllowed && fourEyes.authors.some((a) => a.id === user.id)),
    },
  })
}

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
