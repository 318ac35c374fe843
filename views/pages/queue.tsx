import { caseLabel, severities, sourceLabel, sourceLabels, sources, statusLabel } from '../../src/cases/terms.ts'
import type { ClockState, QueueFilter, QueueRow } from '../../src/queue/queries.ts'
import { Countdown, Health, Money, SeverityBadge } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'

export type QueueProps = {
  rows: QueueRow[]
  counts: Record<ClockState, number>
  filter: QueueFilter
  query: string
  now: Date
}

const views: [NonNullable<QueueFilter['view']>, string][] = [
  ['all', 'All open'],
  ['mine', 'Mine'],
  ['unowned', 'Unowned'],
  ['awaiting_approval', 'Awaiting approval'],
  ['at_risk', 'At risk or breached'],
]

export function QueuePage(props: QueueProps) {
  const { filter } = props
  return (
    <Layout title="Queue">
      <div class="toolbar">
        <h1>Escalations</h1>
        <a class="button" href="/cases/new">
          New escalation
        </a>
        <a href="/import">Import CSV</a>
        <a href="/not-escalations">Not escalations</a>
      </div>
      {/* Changing a filter reloads only the rows and keeps the URL shareable. */}
      <form
        class="filters"
        method="get"
        action="/"
        hx-get="/queue/rows"
        hx-trigger="change"
        hx-target="#queue-body"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-nonce={useNonce()}
      >
        <label>
          Show{' '}
          <select name="view">
            {views.map(([v, label]) => (
              <option value={v} selected={(filter.view ?? 'all') === v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source{' '}
          <select name="source">
            <option value="">any</option>
            {sources.map((v) => (
              <option value={v} selected={filter.source === v}>
                {sourceLabels[v]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity{' '}
          <select name="severity">
            <option value="">any</option>
            {severities.map((s) => (
              <option value={s} selected={filter.severity === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit">Apply</button>
        </noscript>
      </form>
      <QueueBody {...props} />
    </Layout>
  )
}

/**
 * The rows, refreshed every 15 s with the same filters; morphing keeps the page's scroll and
 * focus, and the countdowns tick in between (views/static/desk.js).
 */
export function QueueBody({ rows, counts, query, now }: QueueProps) {
  return (
    <div id="queue-body" hx-get={`/queue/rows${query}`} hx-trigger="every 15s" hx-swap="outerMorph" hx-nonce={useNonce()}>
      <p class="counts">
        <span class="countdown breached">{counts.breached} breached</span>
        <span class="countdown at_risk">{counts.at_risk} at risk</span>
        <span class="muted">{counts.ok + counts.none + counts.at_risk + counts.breached} open</span>
      </p>
      {rows.length === 0 ? (
        <div class="panel empty">
          Nothing here. Forward a complaint to the desk, or run <code>npx desk ingest message.eml</code>.
        </div>
      ) : (
        <table class="queue">
          <thead>
            <tr>
              <th>Due</th>
              <th>Case</th>
              <th>Customer</th>
              <th>Owner</th>
              <th>Source</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr id={`case-${r.id}`} class={r.clock}>
                <td>
                  <Countdown due={r.nextDeadlineAt} atRisk={r.nextAtRiskAt} now={now} label={r.nextClock ?? undefined} />
                </td>
                <td>
                  <SeverityBadge severity={r.severity} /> <a href={`/cases/${r.id}`}>{caseLabel(r.number)}</a>
                  <br />
                  {r.subject}
                </td>
                <td>
                  {r.customerName ?? r.customerEmail ?? 'unknown'}
                  {r.accountName ? (
                    <>
                      <br />
                      <span class="muted">
                        {r.accountName}
                        {r.accountPlan ? ` · ${r.accountPlan}` : ''} · <Money value={r.accountRevenue} />
                      </span>{' '}
                      <Health value={r.accountHealth} />
                    </>
                  ) : null}
                </td>
                <td>{r.ownerName ?? <span class="warn-text">Unowned</span>}</td>
                <td>{sourceLabel(r.source)}</td>
                <td>{statusLabel(r.status)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
