import { caseLabel, statusLabel } from '../../src/cases/terms.ts'
import { formatPercent, formatSeconds } from '../../src/metrics/format.ts'
import { compliance, type OwnerCoaching } from '../../src/metrics/metrics.ts'
import { periodQuery } from '../../src/metrics/period.ts'
import type { CaseAggregate } from '../../src/metrics/queries.ts'
import { formatTime, SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'
import { formatRating, PeriodForm } from './metrics.tsx'
import { Trends } from '../components/trend-charts.tsx'

type Row = {
  label: string
  value: (a: CaseAggregate) => number | null
  format: (v: number | null) => string
  /** Which way is better: lower durations, higher shares and ratings. */
  better: 'lower' | 'higher'
}

const rows: Row[] = [
  { label: 'First response (median)', value: (a) => a.frMedian, format: formatSeconds, better: 'lower' },
  { label: 'First response within target', value: (a) => compliance(a.frMet, a.frBreached), format: formatPercent, better: 'higher' },
  { label: 'Resolution (median)', value: (a) => a.resMedian, format: formatSeconds, better: 'lower' },
  { label: 'Resolution within target', value: (a) => compliance(a.resMet, a.resBreached), format: formatPercent, better: 'higher' },
  { label: 'CSAT average', value: (a) => a.csatAverage, format: formatRating, better: 'higher' },
]

/**
 * One owner beside the team, for a coaching conversation: each figure large with the team's
 * next to it, their weeks as charts, and the cases that missed a deadline or got a low rating.
 */
export function OwnerMetricsPage({ coaching }: { coaching: OwnerCoaching }) {
  const { report, owner, trend, cases } = coaching
  const name = coaching.ownerName ?? 'Unowned cases'
  const team = report.overall
  const path = `/metrics/owners/${coaching.ownerId ?? 'unowned'}`
  return (
    <Layout title={`Metrics · ${name}`}>
      <p class="crumbs">
        <a href={`/metrics?${periodQuery(report.period)}`}>← All metrics</a>
      </p>
      <h1>{name}</h1>
      <PeriodForm report={report} action={path} />
      <p class="muted clock-note">
        Cases opened {report.period.fromDate} to {report.period.toDate} ({report.period.timezone}):{' '}
        {owner ? `${owner.cases} of the team's ${team.cases}, ${owner.open} still open` : `none of the team's ${team.cases}`}.
      </p>
      <section class="metric-grid coaching" aria-label={`${name} beside the team`}>
        {rows.map((r) => {
          const mine = owner ? r.value(owner) : null
          const theirs = r.value(team)
          const tone =
            mine === null || theirs === null || mine === theirs
              ? 'even'
              : (r.better === 'lower' ? mine < theirs : mine > theirs)
                ? 'better'
                : 'worse'
          return (
            <section class={`panel figure compare ${tone}`}>
              <h2>{r.label}</h2>
              <p class="big">{r.format(mine)}</p>
              <p>
                Team: <strong>{r.format(theirs)}</strong>
                {tone === 'better' ? ' · better than the team' : tone === 'worse' ? ' · behind the team' : ''}
              </p>
            </section>
          )
        })}
      </section>
      <section class="panel" id="to-discuss" aria-labelledby="to-discuss-heading">
        <h2 id="to-discuss-heading">Cases to talk about</h2>
        {cases.length ? (
          <ul class="plain discuss">
            {cases.map((k) => (
              <li>
                <a href={`/cases/${k.id}`}>{caseLabel(k.number)}</a> <SeverityBadge severity={k.severity} />{' '}
                <span class="discuss-subject" title={k.subject}>
                  {k.subject}
                </span>
                <br />
                <span class="muted">
                  opened {formatTime(k.openedAt)} · {statusLabel(k.status)}
                  {k.frBreached ? ' · first response late' : ''}
                  {k.resBreached ? ' · resolution late' : ''}
                  {k.rating !== null && k.rating <= 3 ? ` · rated ${k.rating}/5` : ''}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No missed deadline and no low rating in this period.</p>
        )}
      </section>
      <Trends trend={trend} heading={`${name}: last 12 weeks`} />
    </Layout>
  )
}
