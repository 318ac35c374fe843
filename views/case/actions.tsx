import { severities, statusLabel } from '../../src/cases/terms.ts'
import type { CaseView } from '../pages/case.tsx'
import { transitions } from '../../src/cases/lifecycle.ts'
import { useNonce } from '../components/layout.tsx'

/** Forms post normally and, with htmx, swap #case in place (hx-nonce: htmx's CSP gate). */
function hx(caseId: string, action: string) {
  return {
    method: 'post' as const,
    action: `/cases/${caseId}/${action}`,
    'hx-post': `/cases/${caseId}/${action}`,
    'hx-target': '#case',
    'hx-swap': 'outerHTML',
    'hx-nonce': useNonce(),
  }
}

export function CaseActions({ kase, team, user }: CaseView) {
  const canOverride = user.role === 'approver' || user.role === 'admin'
  const ownerLocked = Boolean(kase.ownerId) && !canOverride
  const next = transitions[kase.status] ?? []
  return (
    <section class="panel actions">
      <h2>Owner</h2>
      <p>
        {kase.ownerId ? <strong>{kase.ownerName || kase.ownerEmail}</strong> : <span class="warn-text">Unowned</span>}
        {kase.ownerId ? <span class="muted"> · {kase.acknowledgedAt ? 'acknowledged' : 'not yet acknowledged'}</span> : null}
      </p>
      {kase.ownerId === user.id && !kase.acknowledgedAt ? (
        <form {...hx(kase.id, 'acknowledge')}>
          <button type="submit">I have it (acknowledge)</button>
        </form>
      ) : null}
      {ownerLocked ? (
        <p class="muted">Ownership is locked; an approver or admin can reassign with a reason.</p>
      ) : (
        <form {...hx(kase.id, 'assign')} class="stack">
          <select name="ownerId" required aria-label="Owner">
            <option value="">Choose the accountable owner…</option>
            {team.map((m) => (
              <option value={m.id} selected={m.id === kase.ownerId}>
                {m.name || m.email} ({m.role})
              </option>
            ))}
          </select>
          {kase.ownerId ? <input name="reason" required placeholder="Reason for reassigning (required)" /> : null}
          <button type="submit">{kase.ownerId ? 'Reassign' : 'Assign owner'}</button>
        </form>
      )}

      <h2>Severity</h2>
      <form {...hx(kase.id, 'severity')} class="stack">
        <select name="severity" aria-label="Severity">
          {severities.map((s) => (
            <option value={s} selected={s === kase.severity}>
              {s}
            </option>
          ))}
        </select>
        {kase.status !== 'new' ? <input name="reason" placeholder="Reason for the change (required after triage)" /> : null}
        <button type="submit">Change severity</button>
      </form>

      <h2>Status</h2>
      {next.length ? (
        <form {...hx(kase.id, 'status')} class="stack">
          <select name="status" aria-label="New status" required>
            <option value="">Move to…</option>
            {next.map((s) => (
              <option value={s}>{statusLabel(s)}</option>
            ))}
          </select>
          <input name="reason" placeholder="Reason (needed to close without the customer's confirmation)" />
          <button type="submit">Move</button>
        </form>
      ) : (
        <p class="muted">No further moves.</p>
      )}

      <h2>Internal note</h2>
      <form {...hx(kase.id, 'notes')} class="stack">
        <textarea name="text" rows={3} required placeholder="Visible to your team only; never sent to the customer."></textarea>
        <button type="submit">Add note</button>
      </form>
      <p>
        <a href={`/cases/${kase.id}/audit.csv`}>Download this case's audit trail (CSV)</a>
      </p>
    </section>
  )
}
