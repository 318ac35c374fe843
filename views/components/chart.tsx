// A small server-side SVG chart: bars or a line over a few points, with a y axis (gridlines and
// labelled ticks), an x axis (labelled points), axis titles and an optional target line. No
// script and no inline style (the CSP allows neither): colours come from classes in
// portal-styles.ts. The numbers sit in a table beside the chart (collapsed on the metrics page),
// so the picture is a summary, never the only way to read a figure.

export type ChartPoint = { label: string; value: number | null }
export type ChartProps = {
  kind: 'bar' | 'line'
  title: string
  points: ChartPoint[]
  /** Drawn as a dashed horizontal line, labelled "target". */
  target?: number | null
  /** Fixed top of the scale (100 for percentages); otherwise a round number above the largest value. */
  max?: number
  format: (value: number) => string
  /** What the y axis measures ("median", "% within target"); the x axis is always weeks. */
  yTitle?: string
  xTitle?: string
  /** Values are seconds: the scale tops out at a whole minute, hour or day. */
  durations?: boolean
}

const WIDTH = 560
const HEIGHT = 230
const PAD = { top: 16, right: 16, bottom: 44, left: 74 }

/** Scale top: a round number at or above the largest value, so the axis labels read well. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value)!
  return step * magnitude
}

/** Round durations: a scale in seconds tops out at a whole minute, hour or day step (an hour with no data). */
function scale(largest: number, max: number | undefined, durations: boolean): { top: number; ticks: number } {
  const unit = !durations ? 1 : largest >= 2 * 86_400 ? 86_400 : largest >= 3_600 || largest === 0 ? 3_600 : 60
  const top = max ?? (durations && largest === 0 ? unit : niceMax(largest / unit) * unit)
  // Ticks on round steps: 2 → 0.5 steps, 1, 2.5, 5, 10 → fifths.
  const lead = top / unit / 10 ** Math.floor(Math.log10(top / unit))
  return { top, ticks: lead === 2 ? 4 : 5 }
}

export function Chart({ kind, title, points, target, max, format, yTitle, xTitle = 'Week starting', durations = false }: ChartProps) {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null)
  const largest = Math.max(0, ...values, target ?? 0)
  const { top, ticks: tickCount } = scale(largest, max, durations)
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const step = points.length ? plotW / points.length : plotW
  const x = (i: number) => PAD.left + step * i + step / 2
  const y = (v: number) => PAD.top + plotH - (Math.min(v, top) / top) * plotH
  const fmt = (n: number) => Number(n.toFixed(2))

  // Gaps (weeks without a value) break the line instead of drawing through zero.
  const segments: string[] = []
  let current: string[] = []
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) segments.push(current.join(' '))
      current = []
    } else current.push(`${current.length ? 'L' : 'M'}${fmt(x(i))},${fmt(y(p.value))}`)
  })
  if (current.length) segments.push(current.join(' '))

  const ticks = Array.from({ length: tickCount + 1 }, (_, i) => (top * i) / tickCount)
  const labelEvery = points.length > 8 ? 2 : 1
  const summary = `${title}: ${points.map((p) => `${p.label} ${p.value === null ? 'none' : format(p.value)}`).join(', ')}`
  return (
    <svg
      class={`chart chart-${kind}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={summary}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{title}</title>
      {ticks.map((t) => (
        <>
          <line class={t === 0 ? 'axis' : 'grid'} x1={PAD.left} y1={fmt(y(t))} x2={WIDTH - PAD.right} y2={fmt(y(t))} />
          <text class="tick" x={PAD.left - 6} y={fmt(y(t) + 4)} text-anchor="end">
            {format(t)}
          </text>
        </>
      ))}
      <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + plotH} />
      {values.length ? null : (
        <text class="empty-label" x={PAD.left + plotW / 2} y={PAD.top + plotH / 2} text-anchor="middle">
          No data in these weeks
        </text>
      )}
      {kind === 'bar' ? (
        points.map((p, i) =>
          p.value === null ? null : (
            <rect
              class="bar"
              x={fmt(x(i) - step * 0.32)}
              y={fmt(y(p.value))}
              width={fmt(step * 0.64)}
              height={fmt(PAD.top + plotH - y(p.value))}
            >
              <title>{`${p.label}: ${format(p.value)}`}</title>
            </rect>
          ),
        )
      ) : (
        <>
          {segments.map((d) => (
            <path class="line" d={d} fill="none" />
          ))}
          {points.map((p, i) =>
            p.value === null ? null : (
              <circle class="dot" cx={fmt(x(i))} cy={fmt(y(p.value))} r="3.5">
                <title>{`${p.label}: ${format(p.value)}`}</title>
              </circle>
            ),
          )}
        </>
      )}
      {target !== undefined && target !== null && target <= top ? (
        <>
          <line class="target" x1={PAD.left} y1={fmt(y(target))} x2={WIDTH - PAD.right} y2={fmt(y(target))} stroke-dasharray="6 4" />
          <text class="target-label" x={WIDTH - PAD.right} y={fmt(y(target) - 5)} text-anchor="end">
            {`target ${format(target)}`}
          </text>
        </>
      ) : null}
      {points.map((p, i) =>
        i % labelEvery === (points.length - 1) % labelEvery ? (
          <text class="tick" x={fmt(x(i))} y={PAD.top + plotH + 16} text-anchor="middle">
            {p.label}
          </text>
        ) : null,
      )}
      <text class="axis-title" x={PAD.left + plotW / 2} y={HEIGHT - 6} text-anchor="middle">
        {xTitle}
      </text>
      {yTitle ? (
        <text class="axis-title" x={14} y={PAD.top + plotH / 2} text-anchor="middle" transform={`rotate(-90 14 ${PAD.top + plotH / 2})`}>
          {yTitle}
        </text>
      ) : null}
    </svg>
  )
}
