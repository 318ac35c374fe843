import type { ScoreRow, ScoreStatus } from '../../src/playbook/scorecard.ts'

// The playbook's scorecard on the metrics page: one row per metric with its target and status.
// On a phone each row stacks into a card (the labels come from data-label), so nothing scrolls
// sideways.

const statusText: Record<ScoreStatus, string> = { met: 'On target', missed: 'Off target', no_data: 'No data' }

export function Scorecard({ rows, canEnterTickets }: { rows: ScoreRow[]; canEnterTickets: boolean }) {
  return (
    <section class="panel scorecard" id="scorecard" aria-labelledby="scorecard-heading">
      <h2 id="scorecard-heading">Playbook scorecard</h2>
      <table class="stack-on-phone">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Target</th>
            <th scope="col">This period</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr class={`score-${r.status}`}>
              <th scope="row" data-label="Metric">
                {r.metric}
                <span class="muted score-measures">{r.measures}</span>
              </th>
              <td data-label="Target">{r.target}</td>
              <td data-label="This period">
                {r.value}
                <span class="muted score-measures">{r.basis}</span>
              </td>
              <td data-label="Status">
                <span class={`badge score-badge score-badge-${r.status}`}>{statusText[r.status]}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canEnterTickets ? (
        <p class="muted">
          The escalation rate divides by your total tickets per month: <a href="/admin/ticket-counts">enter or import them</a>.
        </p>
      ) : null}
    </section>
  )
}
