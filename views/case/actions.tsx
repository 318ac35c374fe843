import { severities, statusLabel } from '../../src/cases/terms.ts'
import type { CaseView } from './view.ts'
import { transitions } from '../../src/cases/lifecycle.ts'
import { useNonce } from '../components/layout.tsx'
import type { Child } from 'hono/jsx'

/** Forms post normally and, with htmx, swap #case in place (hx-nonce: htmx's CSP gate). */
export function caseForm(caseId: string, action: string) {
  return {
    method: 'post' as const,
    action: `/cases/${caseId}/${action}`,
    'hx-post': `/cases/${caseId}/${action}`,
    'hx-target': '#case',
    'hx-swap': 'outerHTML',
    'hx-nonce': useNonce(),
  }
}

/** Where an action's answer is shown: next to the form that was sent (see CaseBody). */
export type FeedbackSlots = Partial<Record<'owner' | 'severity' | 'status' | 'note', Child>>

/**
 * The case's secondary actions (owner, severity, status, note). The next step's own control
 * (assigning an unowned case, acknowledging) lives in the next-action bar, not here, so each
 * control is on the page once.
 */
export function CaseActions({ kase, team, user, reviewPanel, feedback = {} }: CaseView & { feedback?: FeedbackSlots }) {
  const canOverride = user.role === 'approver' || user.role === 'admin'
  const ownerLocked = Boolean(kase.ownerId) && !canOverride
  const next = transitions[kase.status] ?? []
  return (
    <section class="panel actions" id="actions" aria-labelledby="owner-heading">
      <h2 id="owner-heading">Owner</h2>
      <p>
        {kase.ownerId ? <strong>{kase.ownerName || kase.ownerEmail}</strong> : <span class="warn-text">Unowned</span>}
        {kase.ownerId ? <span class="muted"> · {kase.acknowledgedAt ? 'acknowledged' : 'not yet acknowledged'}</span> : null}
      </p>
      {feedback.owner}
      {!kase.ownerId ? (
        <p class="muted">Choose the owner in the bar at the top of the case.</p>
      ) : ownerLocked ? (
        <p class="muted">Ownership is locked; an approver or admin can reassign with a reason.</p>
      ) : (
        <form {...caseForm(kase.id, 'assign')} class="stack" id="owner">
          <select name="ownerId" required aria-label="Owner">
            <option value="">Choose the accountable owner…</option>
            {team.map((m) => (
              <option value={m.id} selected={m.id === kase.ownerId}>
                {m.name || m.email} ({m.role})
              </option>
            ))}
          </select>
          <input name="reason" required placeholder="Reason for reassigning (required)" aria-label="Reason for reassigning" />
          <button type="submit">Reassign</button>
        </form>
      )}

      <h2 id="severity">Severity</h2>
      {feedback.severity}
      <form {...caseForm(kase.id, 'severity')} class="stack">
        <select name="severity" aria-label="Severity">
          {severities.map((s) => (
            <option value={s} selected={s === kase.severity}>
              {s}
            </option>
          ))}
        </select>
        {kase.status !== 'new' ? (
          <input name="reason" placeholder="Reason for the change (required after triage)" aria-label="Reason for the severity change" />
        ) : null}
        <button type="submit">Change severity</button>
      </form>

      <h2 id="status">Status</h2>
      {feedback.status}
      {next.length ? (
        <form {...caseForm(kase.id, 'status')} class="stack">
          <select name="status" aria-label="New status" required>
            <option value="">Move to…</option>
            {next.map((s) => (
              <option value={s}>{statusLabel(s)}</option>
            ))}
          </select>
          <input
            name="reason"
            placeholder="Reason (needed to close without the customer's confirmation)"
            aria-label="Reason for the status change"
          />
          {next.includes('closed') && reviewPanel?.review.requiredToClose && !reviewPanel.review.completed ? (
            <input
              name="reviewOverride"
              maxlength={1000}
              placeholder="Why close without a completed post-incident review (audited)"
              aria-label="Reason to close without a completed review"
            />
          ) : null}
          <button type="submit">Move</button>
        </form>
      ) : (
        <p class="muted">No further moves.</p>
      )}

      <h2 id="note">Internal note</h2>
      {feedback.note}
      <form {...caseForm(kase.id, 'notes')} class="stack">
        <textarea
          name="text"
          rows={3}
          required
          placeholder="Visible to your team only; never sent to the customer."
          aria-label="Internal note"
        ></textarea>
        <button type="submit">Add note</button>
      </form>
      <p>
        <a href={`/cases/${kase.id}/audit.csv`}>Download this case's audit trail (CSV)</a>
      </p>
    </section>
  )
}
