// The review's prevention actions: the list with Mark done / Reopen and the add form, and the
// printed table.
import type { ReviewReport } from '../../src/reviews/review.ts'
import { formatTime } from '../components/parts.tsx'

const today = () => new Date().toISOString().slice(0, 10)

export function PrintedActions({ actions }: { actions: ReviewReport['actions'] }) {
  return actions.length ? (
    <table>
      <thead>
        <tr>
          <th>Action</th>
          <th>Owner</th>
          <th>Due</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {actions.map((a) => (
          <tr>
            <td>{a.title}</td>
            <td>{a.ownerName}</td>
            <td>{a.dueOn}</td>
            <td>{a.status === 'done' ? 'done' : a.overdue ? 'open, overdue' : 'open'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  ) : (
    <p class="muted">None recorded.</p>
  )
}

export function PreventionActions({ report }: { report: ReviewReport }) {
  const { kase } = report
  return (
    <section class="panel" id="prevention">
      <h2>Prevention actions</h2>
      {report.actions.length ? (
        <ul class="plain actions-list">
          {report.actions.map((a) => (
            <li class={a.status === 'done' ? 'done' : a.overdue ? 'overdue' : ''}>
              <strong>{a.title}</strong>
              <br />
              <span class="muted">
                {a.ownerName} · due {a.dueOn}
                {a.overdue ? ' · overdue' : ''}
                {a.status === 'done' && a.doneAt ? ` · done ${formatTime(a.doneAt, report.timezone)}` : ''}
              </span>
              <form method="post" action={`/cases/${kase.id}/review/actions/${a.id}`} class="inline">
                <input type="hidden" name="status" value={a.status === 'done' ? 'open' : 'done'} />
                <button type="submit" class="small">
                  {a.status === 'done' ? 'Reopen' : 'Mark done'}
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">None yet. Each action gets one owner and a due date; overdue ones appear in the daily digest.</p>
      )}
      <form method="post" action={`/cases/${kase.id}/review/actions`} class="stack">
        <label class="field">
          <span>Action</span>
          <input type="text" name="title" maxlength={300} required />
        </label>
        <label class="field">
          <span>Owner</span>
          <select name="ownerId" required>
            {report.team.map((m) => (
              <option value={m.id}>{m.name || m.email}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Due</span>
          <input type="date" name="dueOn" required min={today()} />
        </label>
        <button type="submit" class="small">
          Add action
        </button>
      </form>
    </section>
  )
}
