import { caseLabel } from '../../src/cases/terms.ts'
import type { NotEscalation } from '../../src/intake/queries.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type NotEscalationsProps = { rows: NotEscalation[]; isAdmin: boolean; error?: string | null }

/**
 * Mail intake kept without opening a case (auto-replies, delivery reports, bulk mail), each with
 * the reason. Nothing here was dropped: a person can still open a case from any of them.
 */
export function NotEscalationsPage({ rows, isAdmin, error }: NotEscalationsProps) {
  return (
    <Layout title="Not escalations">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Not escalations</h1>
      <p class="muted">
        Automatic mail that reached the desk: out-of-office and other auto-replies, delivery reports, newsletters and notifications. None of
        it opened a case or a draft; one that answers a case's thread is also on that case, as a note.
      </p>
      <Flash error={error} />
      {isAdmin ? (
        <p class="muted">
          Corrections people made to intake: <a href="/cases/intake-examples.jsonl">download as JSONL</a> ·{' '}
          <a href="/cases/intake-examples.csv">CSV</a>
        </p>
      ) : null}
      {rows.length ? (
        <table class="queue not-escalations">
          <thead>
            <tr>
              <th>Received</th>
              <th>From</th>
              <th>Subject</th>
              <th>Why it is not an escalation</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <NotEscalationRow r={r} />
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Nothing yet.</p>
      )}
    </Layout>
  )
}

/** One kept message: who, what, why, and the case it is on or the button that opens one. */
function NotEscalationRow({ r }: { r: NotEscalation }) {
  return (
    <tr data-raw={r.rawId}>
      <td>{formatTime(r.receivedAt)}</td>
      <td>
        {r.summary?.name ? (
          <>
            {r.summary.name} <span class="muted">&lt;{r.summary.from ?? 'unknown'}&gt;</span>
          </>
        ) : (
          (r.summary?.from ?? 'unknown')
        )}
      </td>
      <td>{r.summary?.subject ?? '(not read)'}</td>
      <td>{r.reason ?? ''}</td>
      <td>
        {r.caseId && r.caseNumber !== null ? (
          <a href={`/cases/${r.caseId}`}>on {caseLabel(r.caseNumber)}</a>
        ) : (
          <form method="post" action={`/not-escalations/${r.rawId}/open`} class="inline">
            <button type="submit">Open a case from this message</button>
          </form>
        )}
      </td>
    </tr>
  )
}
