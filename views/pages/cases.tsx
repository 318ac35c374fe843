import { caseLabel, severities, sourceLabel, sourceLabels, sources, statusLabel } from '../../src/cases/terms.ts'
import type { CaseListFilter, CaseListRow, SearchHit } from '../../src/cases/find.ts'
import { SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type CasesPageProps = {
  filter: CaseListFilter
  rows: CaseListRow[]
  /** The query string of the filter (no cursor), for the next page and the CSV link. */
  query: string
  next: string | null
  team: { id: string; name: string }[]
  /** Whether this is a later page (a link back to the first one is shown). */
  paged: boolean
}

const statusChoices: [CaseListFilter['status'], string][] = [
  ['all', 'All'],
  ['open', 'Open'],
  ['resolved', 'Resolved'],
  ['closed', 'Closed'],
]
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '')
const date = (d: Date) => d.toISOString().slice(0, 10)

/** Every case of the org, open or not, newest first: filters, pages by key, the filtered list as CSV. */
export function CasesPage({ filter, rows, query, next, team, paged }: CasesPageProps) {
  return (
    <Layout title="All cases">
      <div class="toolbar">
        <h1>All cases</h1>
        <a href={`/cases/export.csv${query}`} download>
          Download these as CSV
        </a>
      </div>
      <form class="filters" method="get" action="/cases" role="search" aria-label="Filter cases">
        <Choice name="status" label="Status" value={filter.status} choices={statusChoices} />
        <Choice
          name="source"
          label="Source"
          value={filter.source ?? ''}
          choices={[['', 'any'], ...sources.map((s) => [s, sourceLabels[s]] as [string, string])]}
        />
        <Choice
          name="severity"
          label="Severity"
          value={filter.severity ?? ''}
          choices={[['', 'any'], ...severities.map((s) => [s, s] as [string, string])]}
        />
        <Choice
          name="owner"
          label="Owner"
          value={filter.ownerId ?? ''}
          choices={[['', 'anyone'], ...team.map((u) => [u.id, u.name] as [string, string])]}
        />
        <label>
          Opened from <input type="date" name="from" value={day(filter.from)} />
        </label>
        <label>
          to <input type="date" name="to" value={day(filter.to)} />
        </label>
        <label>
          <input type="checkbox" name="breached" value="1" checked={filter.breached} /> Missed a deadline
        </label>
        <button type="submit">Show</button>
      </form>
      {rows.length === 0 ? (
        <div class="panel empty">No case matches these filters.</div>
      ) : (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Cases">
          <table class="queue">
            <thead>
              <tr>
                <th class="case-cell">Case</th>
                <th>Customer</th>
                <th>Owner</th>
                <th>Source</th>
                <th>Status</th>
                <th>Opened</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td class="case-cell">
                    <SeverityBadge severity={r.severity} /> <a href={`/cases/${r.id}`}>{caseLabel(r.number)}</a>
                    <span class="subject" title={r.subject}>
                      {r.subject}
                    </span>
                  </td>
                  <td>{r.customerName ?? r.customerEmail ?? 'unknown'}</td>
                  <td>{r.ownerName ?? <span class="muted">Unowned</span>}</td>
                  <td>{sourceLabel(r.source)}</td>
                  <td>
                    {statusLabel(r.status)}
                    {r.breached ? <span class="warn-text"> · missed a deadline</span> : null}
                  </td>
                  <td>{date(r.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {paged ? <a href={`/cases${query}`}>First page</a> : null}
        {next ? <a href={`/cases${query}${query ? '&' : '?'}after=${encodeURIComponent(next)}`}>Older cases</a> : null}
      </nav>
    </Layout>
  )
}

function Choice({ name, label, value, choices }: { name: string; label: string; value: string; choices: [string, string][] }) {
  return (
    <label>
      {label}{' '}
      <select name={name}>
        {choices.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

export type SearchPageProps = { query: string; hits: SearchHit[] }

/** The header search's results: best first, the found words marked. */
export function SearchPage({ query, hits }: SearchPageProps) {
  return (
    <Layout title={query ? `Search: ${query}` : 'Search'}>
      <h1>Search</h1>
      <form method="get" action="/search" role="search" class="filters">
        <label>
          Find <input type="search" name="q" value={query} placeholder="Customer, reference, words from the mail" />
        </label>
        <button type="submit">Search</button>
      </form>
      {query && hits.length === 0 ? <div class="panel empty">No case mentions “{query}”.</div> : null}
      <ol class="search-hits">
        {hits.map((h) => (
          <li class="panel">
            <p>
              <SeverityBadge severity={h.severity} /> <a href={`/cases/${h.id}`}>{caseLabel(h.number)}</a> · {statusLabel(h.status)} ·{' '}
              {date(h.openedAt)}
            </p>
            <p class="subject-line">{h.subject}</p>
            <p class="muted">
              <Marked text={h.snippet} />
            </p>
          </li>
        ))}
      </ol>
    </Layout>
  )
}

/** The snippet with its found words (between \u0001 and \u0002) in <mark>; everything else is text, escaped. */
function Marked({ text }: { text: string }) {
  const parts = text.split(/(\u0001[^\u0001\u0002]*\u0002)/u)
  return <>{parts.map((p) => (p.startsWith('\u0001') ? <mark>{p.slice(1, -1)}</mark> : p.replace(/[\u0001\u0002]/g, '')))}</>
}
