import { formatPercent, formatSeconds } from '../../src/metrics/format.ts'
import { compliance } from '../../src/metrics/metrics.ts'
import type { WeekAggregate } from '../../src/metrics/queries.ts'
import { Chart, type ChartPoint } from './chart.tsx'

// The metrics page's and the coaching view's 12 weeks: one chart per figure, each with its
// week-by-week numbers behind a toggle.

export type TrendSpec = {
  title: string
  kind: 'bar' | 'line'
  value: (w: WeekAggregate) => number | null
  format: (v: number) => string
  yTitle: string
  max?: number
  durations?: boolean
}

export const trendSpecs: TrendSpec[] = [
  { title: 'Cases opened', kind: 'bar', value: (w) => w.cases, format: (v) => String(Math.round(v)), yTitle: 'cases' },
  { title: 'Median first response', kind: 'line', value: (w) => w.frMedian, format: formatSeconds, yTitle: 'median', durations: true },
  {
    title: 'First response within target',
    kind: 'line',
    value: (w) => compliance(w.frMet, w.frBreached),
    format: (v) => formatPercent(v),
    yTitle: '% of cases',
    max: 100,
  },
  { title: 'Median resolution', kind: 'line', value: (w) => w.resMedian, format: formatSeconds, yTitle: 'median', durations: true },
  { title: 'CSAT average', kind: 'line', value: (w) => w.csatAverage, format: (v) => v.toFixed(1), yTitle: 'rating (1-5)', max: 5 },
]

export function Trends({
  trend,
  heading = 'Last 12 weeks',
  specs = trendSpecs,
}: {
  trend: WeekAggregate[]
  heading?: string
  specs?: TrendSpec[]
}) {
  return (
    <section class="panel" id="trends" aria-labelledby="trends-heading">
      <h2 id="trends-heading">{heading}</h2>
      <p class="muted">Weeks start on Monday; each case counts in the week it was opened.</p>
      <div class="trend-grid">
        {specs.map((spec) => {
          const points: ChartPoint[] = trend.map((w) => ({ label: w.week.slice(5), value: spec.value(w) }))
          return (
            <figure class="trend">
              <figcaption>{spec.title}</figcaption>
              <Chart
                kind={spec.kind}
                title={`${spec.title}, weekly`}
                points={points}
                format={spec.format}
                max={spec.max}
                yTitle={spec.yTitle}
                durations={spec.durations}
              />
              <details class="numbers">
                <summary>Week by week</summary>
                <table class="mini">
                  <thead>
                    <tr>
                      <th>Week of</th>
                      <th>{spec.title}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {trend.map((w) => {
                      const v = spec.value(w)
                      return (
                        <tr>
                          <th scope="row">{w.week}</th>
                          <td>{v === null ? '—' : spec.format(v)}</td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </details>
            </figure>
          )
        })}
      </div>
    </section>
  )
}
