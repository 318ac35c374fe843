import { caseLabel, severities, sourceLabel, sourceLabels, sources, statusLabel } from '../../src/cases/terms.ts'
import type { ClockState, QueueFilter, QueueRow } from '../../src/queue/queries.ts'
import { Countdown, Health, Money, SeverityBadge } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'
import { RedFlagChips } from '../playbook/red-flags.tsx'
import type { SavedView } from '../../src/queue/saved-views.ts'

export type QueueProps = {
  rows: QueueRow[]
  counts: Record<ClockState, number>
  filter: QueueFilter
  query: string
  now: Date
  savedViews?: SavedView[]
  /** Whether the user may share a view with the org (approvers and admins). */
  canShare?: boolean
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
      {/*
        Changing a filter asks for the page itself (/?view=…) and swaps in only its rows, so the
        address bar holds a real page URL: reload, bookmark or share it and the full page comes
        back. A newer change replaces a request still on its way.
      */}
      <form
        class="filters"
        method="get"
        action="/"
        role="search"
        hx-get="/"
        hx-trigger="input delay:300ms"
        hx-select="#queue-body"
        hx-target="#queue-body"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-sync="this:replace"
        hx-nonce={useNonce()}
      >
        <label>
          Search{' '}
          <input
            type="search"
            name="q"
            id="queue-search"
            value={filter.search ?? ''}
            placeholder="Case, subject, customer"
            aria-keyshortcuts="/"
            autocomplete="off"
          />
        </label>
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
      <SavedViews views={props.savedViews ?? []} query={props.query} canShare={!!props.canShare} />
      {/* Both need views/static/desk.js, which shows them; it keeps the density in this browser. */}
      <div class="queue-tools" id="queue-tools" hidden>
        <span class="muted queue-keys">
          Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>/</kbd> searches.
        </span>
        <label>
          Rows{' '}
          <select id="queue-density">
            <option value="comfortable">Comfortable</option>
            <option value="compact">Compact</option>
          </select>
        </label>
      </div>
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
              <th class="due-cell">Due</th>
              <th class="case-cell">Case</th>
              <th>Customer</th>
              <th>Owner</th>
              <th>Source</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr id={`case-${r.id}`} class={r.clock}>
                <td class="due-cell">
                  <Countdown due={r.nextDeadlineAt} atRisk={r.nextAtRiskAt} now={now} label={r.nextClock ?? undefined} />
                </td>
                <td class="case-cell">
                  <SeverityBadge severity={r.severity} /> <a href={`/cases/${r.id}`}>{caseLabel(r.number)}</a>
                  {/* One line, cut with an ellipsis; the whole subject on hover and in the case page. */}
                  <span class="subject" title={r.subject}>
                    {r.subject}
                  </span>
                  <RedFlagChips flags={r.redFlags} />
                </td>
                <td>
                  {r.customerName ?? r.customerEmail ?? 'unknown'}
                  {r.accountName ? (
                    <span class="account">
                      <span class="muted">
                        {r.accountName}
                        {r.accountPlan ? ` · ${r.accountPlan}` : ''} · <Money value={r.accountRevenue} />
                      </span>{' '}
                      <Health value={r.accountHealth} />
                    </span>
                  ) : null}
                </td>
                <td>{r.ownerName ?? <span class="warn-text">Unowned</span>}</td>
                <td>{sourceLabel(r.source)}</td>
                <td>
                  {statusLabel(r.status)}
                  {r.nextUpdateDueAt ? (
                    <span class="customer-update">
                      <Countdown due={r.nextUpdateDueAt} atRisk={r.nextUpdateAtRiskAt} now={now} label="customer update" />
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

/** The user's saved views and the org's shared ones, beside the built-in ones; the current filter can be saved. */
function SavedViews({ views, query, canShare }: { views: SavedView[]; query: string; canShare: boolean }) {
  return (
    <div class="saved-views">
      {views.length ? (
        <nav aria-label="Saved views">
          <span class="muted">Saved views:</span>{' '}
          {views.map((v) => (
            <span class="saved-view">
              <a href={v.query ? `/?${v.query}` : '/'}>{v.name}</a>
              {v.shared ? <span class="muted"> (shared)</span> : null}
              {v.mine ? (
                <form method="post" action={`/views/${v.id}/delete`} class="inline">
                  <button type="submit" class="link" aria-label={`Delete the view ${v.name}`}>
                    ×
                  </button>
                </form>
              ) : null}
            </span>
          ))}
        </nav>
      ) : null}
      {query ? (
        <form method="post" action="/views" class="inline save-view">
          <input type="hidden" name="query" value={query} />
          <label>
            Save this view as <input name="name" required maxlength={60} size={16} />
          </label>
          {canShare ? (
            <label>
              <input type="checkbox" name="shared" value="1" /> share with everyone
            </label>
          ) : null}
          <button type="submit">Save</button>
        </form>
      ) : null}
    </div>
  )
}
