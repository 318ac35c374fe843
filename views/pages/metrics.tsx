import { sourceLabel } from '../../src/cases/terms.ts'
import type { Child } from 'hono/jsx'
import { formatPercent, formatSeconds } from '../../src/metrics/format.ts'
import { compliance, ratio, type MetricsReport, type SeverityFigures } from '../../src/metrics/metrics.ts'
import { presetLabels, periodQuery, type Preset } from '../../src/metrics/period.ts'
import { Trends } from '../components/trend-charts.tsx'
import { SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'
import { Scorecard } from '../playbook/scorecard.tsx'
import type { ScoreRow } from '../../src/playbook/scorecard.ts'

/** `scorecard`: the playbook's metrics and targets (src/playbook/scorecard.ts). */
export type MetricsProps = { report: MetricsReport; scorecard?: ScoreRow[]; canEnterTickets?: boolean }

export const formatRating = (value: number | null) => (value === null ? '—' : value.toFixed(2))
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

export function MetricsPage({ report, scorecard, canEnterTickets = false }: MetricsProps) {
  const { period, overall } = report
  const csv = `/metrics.csv?${periodQuery(period)}`
  return (
    <Layout title="Metrics">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <div class="toolbar">
        <h1>Metrics</h1>
        <a href={csv} download>
          Download CSV
        </a>
        <a href="/metrics/patterns">Patterns</a>
      </div>
      <PeriodForm report={report} />
      {period.problem ? (
        <div class="flash error" role="alert">
          {period.problem}
        </div>
      ) : null}
      <p class="muted clock-note">
        Cases opened {period.fromDate} to {period.toDate} ({period.timezone}): {plural(overall.cases, 'case')}.{' '}
        {report.clock === 'working'
          ? 'Durations are working time under your business calendar, the clock your SLA targets are set in; compliance compares each case with its stored deadline.'
          : 'Durations are wall-clock time (no business calendar: the SLA clock runs 24/7); compliance compares each case with its stored deadline.'}
      </p>

      <FirstResponseHero report={report} />
      {scorecard ? <Scorecard rows={scorecard} canEnterTickets={canEnterTickets} /> : null}

      <section class="metric-grid">
        <Figure title="SLA compliance" id="sla">
          <div class="figure-pair">
            <div>
              <p class="big">{formatPercent(compliance(overall.frMet, overall.frBreached))}</p>
              <p>
                First response{' '}
                <span class="muted">
                  ({overall.frMet} met, {overall.frBreached} breached)
                </span>
              </p>
            </div>
            <div>
              <p class="big">{formatPercent(compliance(overall.resMet, overall.resBreached))}</p>
              <p>
                Resolution{' '}
                <span class="muted">
                  ({overall.resMet} met, {overall.resBreached} breached)
                </span>
              </p>
            </div>
          </div>
          <p class="muted">Cases still inside their deadline count neither way until they are answered or resolved.</p>
        </Figure>
        <Figure title="Waiting for approval" id="approval">
          <p class="big">
            {formatSeconds(report.approval.median)} <span class="muted">median</span>
          </p>
          <dl class="facts">
            <dt>90th percentile</dt>
            <dd>{formatSeconds(report.approval.p90)}</dd>
            <dt>Decided</dt>
            <dd>
              {plural(report.approval.decided, 'ask')} of {report.approval.asks}
            </dd>
            <dt>Waiting now</dt>
            <dd>
              {report.approval.pending}
              {report.approval.longestPending !== null ? (
                <span class="muted"> (longest {formatSeconds(report.approval.longestPending)})</span>
              ) : null}
            </dd>
          </dl>
          <p class="muted">From the approval request to the first approver's decision.</p>
        </Figure>
        <Figure title="Time to resolution" id="resolution">
          <p class="big">
            {formatSeconds(overall.resMedian)} <span class="muted">median</span>
          </p>
          <dl class="facts">
            <dt>90th percentile</dt>
            <dd>{formatSeconds(overall.resP90)}</dd>
            <dt>Resolved</dt>
            <dd>
              {overall.resolved} of {overall.cases}
            </dd>
            <dt>Still open</dt>
            <dd>{overall.open}</dd>
          </dl>
          <p class="muted">Time waiting on the customer is not counted, as for the deadline.</p>
        </Figure>
        <Figure title="Repeat escalations" id="repeats">
          <p class="big">
            {report.repeats.repeats}{' '}
            <span class="muted">
              of {report.repeats.cases} ({formatPercent(ratio(report.repeats.repeats, report.repeats.cases))})
            </span>
          </p>
          <p class="muted">Cases whose customer (same address or same account) escalated within the 90 days before.</p>
        </Figure>
        <Figure title="Customer satisfaction" id="csat">
          <p class="big">
            {formatRating(overall.csatAverage)} <span class="muted">/ 5 average</span>
          </p>
          <dl class="facts">
            <dt>Responses</dt>
            <dd>
              {overall.csatCount} of {overall.surveyed} asked ({formatPercent(ratio(overall.csatCount, overall.surveyed))})
            </dd>
          </dl>
          <table class="mini">
            <tbody>
              {report.csat.map((r) => (
                <tr>
                  <th scope="row">{r.rating}</th>
                  <td>{r.cases}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">The latest rating of each case; "asked" = a resolution message with the rating link was sent.</p>
        </Figure>
        <Figure title="Volume by source" id="sources">
          {report.bySource.length ? (
            <table class="mini">
              <tbody>
                {report.bySource.map((s) => (
                  <tr>
                    <th scope="row">{sourceLabel(s.source)}</th>
                    <td>{s.cases}</td>
                    <td class="muted">{formatPercent(ratio(s.cases, overall.cases))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No cases in this period.</p>
          )}
        </Figure>
      </section>

      <OwnerTable report={report} />
      <Trends trend={report.trend} />
    </Layout>
  )
}

export function PeriodForm({ report, action = '/metrics' }: { report: Pick<MetricsReport, 'period'>; action?: string }) {
  const { period } = report
  return (
    <form class="filters period" method="get" action={action}>
      <label>
        Period{' '}
        <select name="period">
          {(Object.keys(presetLabels) as Preset[]).map((p) => (
            <option value={p} selected={period.preset === p}>
              {presetLabels[p]}
            </option>
          ))}
        </select>
      </label>
      <label>
        From <input type="date" name="from" value={period.fromDate} />
      </label>
      <label>
        To <input type="date" name="to" value={period.toDate} />
      </label>
      <button type="submit" class="small">
        Show
      </button>
      <span class="muted">(dates apply with “Custom”)</span>
    </form>
  )
}

function Figure({ title, id, children }: { title: string; id: string; children: Child }) {
  return (
    <section class="panel figure" id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  )
}

/** Time to first response, front and center: the median as a large figure, then each severity against its target. */
function FirstResponseHero({ report }: { report: MetricsReport }) {
  const { overall } = report
  const waiting = overall.cases - overall.responded
  return (
    <section class="panel hero" id="first-response" aria-labelledby="first-response-heading">
      <h2 id="first-response-heading">Time to first response</h2>
      <div class="hero-grid">
        <div class="hero-main">
          <p class="hero-number">{formatSeconds(overall.frMedian)}</p>
          <p>
            median · 90th percentile <strong>{formatSeconds(overall.frP90)}</strong>
          </p>
          <p>
            <strong>{formatPercent(compliance(overall.frMet, overall.frBreached))}</strong> within target · {overall.responded} answered of{' '}
            {overall.cases}
            {waiting ? `, ${waiting} not yet` : ''}
          </p>
          {report.clock === 'working' && overall.frWallMedian !== null ? (
            <p class="muted">The customer's wait on the wall clock: median {formatSeconds(overall.frWallMedian)}.</p>
          ) : null}
        </div>
        <ul class="target-figures" aria-label="Median first response by severity, against its target">
          {report.bySeverity.map((s) => (
            <TargetFigure severity={s} />
          ))}
        </ul>
      </div>
      <details class="numbers">
        <summary>Every severity in a table</summary>
        <div class="table-scroll" tabindex={0} role="region" aria-label="First response by severity">
          <table class="hero-table">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Median</th>
                <th>90th pct</th>
                <th>Target</th>
                <th>Within target</th>
                <th>Answered</th>
              </tr>
            </thead>
            <tbody>
              {report.bySeverity.map((s) => {
                const over = s.frMedian !== null && s.frMedian > s.frTargetSeconds
                return (
                  <tr data-severity={s.severity}>
                    <td>
                      <SeverityBadge severity={s.severity} />
                    </td>
                    <td class={s.frMedian === null ? 'muted' : over ? 'over' : 'under'}>
                      <strong>{formatSeconds(s.frMedian)}</strong>
                    </td>
                    <td>{formatSeconds(s.frP90)}</td>
                    <td>{formatSeconds(s.frTargetSeconds)}</td>
                    <td>
                      {formatPercent(compliance(s.frMet, s.frBreached))}{' '}
                      <span class="muted">
                        ({s.frMet}/{s.frMet + s.frBreached})
                      </span>
                    </td>
                    <td>
                      {s.responded} of {s.cases}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  )
}

/** One severity's median first response as a large figure beside its target, with a bar of the two. */
function TargetFigure({ severity: s }: { severity: SeverityFigures }) {
  const tone = s.frMedian === null ? 'none' : s.frMedian > s.frTargetSeconds ? 'over' : 'under'
  // The bar: the median as a share of twice the target (the target sits in the middle).
  const share = s.frMedian === null ? 0 : Math.min(1, s.frMedian / (2 * s.frTargetSeconds))
  return (
    <li class={`target-figure ${tone}`} data-severity={s.severity}>
      <SeverityBadge severity={s.severity} />
      <p class="figure-number">{formatSeconds(s.frMedian)}</p>
      <p class="figure-target">
        target {formatSeconds(s.frTargetSeconds)}
        {tone === 'over' ? ' · over' : tone === 'under' ? ' · within' : ''}
      </p>
      <svg class="meter" viewBox="0 0 100 8" aria-hidden="true" preserveAspectRatio="none">
        <rect class="meter-track" x="0" y="0" width="100" height="8" />
        <rect class={`meter-fill ${tone}`} x="0" y="0" width={Number((share * 100).toFixed(1))} height="8" />
        <line class="meter-target" x1="50" y1="0" x2="50" y2="8" />
      </svg>
      <p class="muted figure-count">
        {formatPercent(compliance(s.frMet, s.frBreached))} within target · {s.responded} of {s.cases} answered
      </p>
    </li>
  )
}

function OwnerTable({ report }: { report: MetricsReport }) {
  const query = periodQuery(report.period)
  return (
    <section class="panel" id="owners" aria-labelledby="owners-heading">
      <h2 id="owners-heading">By owner</h2>
      <p class="muted">Open an owner for their coaching view: their figures beside the team's, their weeks, the cases to talk about.</p>
      {report.owners.length ? (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Figures by owner">
          <table>
            <thead>
              <tr>
                <th>Owner</th>
                <th>Cases</th>
                <th>Open</th>
                <th>First response (median)</th>
                <th>Within target</th>
                <th>Resolution (median)</th>
                <th>CSAT</th>
              </tr>
            </thead>
            <tbody>
              {report.owners.map((o) => (
                <tr>
                  <td>
                    <a href={`/metrics/owners/${o.ownerId ?? 'unowned'}?${query}`}>{o.ownerName ?? 'Unowned'}</a>
                  </td>
                  <td>{o.cases}</td>
                  <td>{o.open}</td>
                  <td>{formatSeconds(o.frMedian)}</td>
                  <td>{formatPercent(compliance(o.frMet, o.frBreached))}</td>
                  <td>{formatSeconds(o.resMedian)}</td>
                  <td>
                    {formatRating(o.csatAverage)} <span class="muted">({o.csatCount})</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">No cases in this period.</p>
      )}
    </section>
  )
}
