// A tiny server-side SVG chart renderer: bars or a line over a few points, an optional target
// line, axis labels. No script and no inline style (the CSP allows neither): colours come from
// classes in portal-styles.ts. Numbers always sit beside the chart in a table, so the picture
// is a summary, never the only way to read a figure.

export type ChartPoint = { label: string; value: number | null }
export type ChartProps = {
  kind: 'bar' | 'line'
  title: string
  points: ChartPoint[]
  /** Drawn as a dashed horizontal line (a target). */
  target?: number | null
  /** Fixed top of the scale (100 for percentages); otherwise the largest value. */
  max?: number
  format: (value: number) => string
}

const WIDTH = 360
const HEIGHT = 150
const PAD = { top: 12, right: 8, bottom: 22, left: 44 }

/** Scale top: a round number at or above the largest value, so the axis label reads well. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value)!
  return step * magnitude
}

export function Chart({ kind, title, points, target, max, format }: ChartProps) {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null)
  const top = max ?? niceMax(Math.max(0, ...values, target ?? 0))
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

  const labelEvery = Math.max(1, Math.ceil(points.length / 4))
  return (
    <svg class={`chart chart-${kind}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
      <title>{title}</title>
      <line class="axis" x1={PAD.left} y1={PAD.top + plotH} x2={WIDTH - PAD.right} y2={PAD.top + plotH} />
      <line class="grid" x1={PAD.left} y1={PAD.top} x2={WIDTH - PAD.right} y2={PAD.top} />
      <text class="tick" x={PAD.left - 4} y={PAD.top + 4} text-anchor="end">
        {format(top)}
      </text>
      <text class="tick" x={PAD.left - 4} y={PAD.top + plotH} text-anchor="end">
        {format(0)}
      </text>
      {kind === 'bar' ? (
        points.map((p, i) =>
          p.value === null ? null : (
            <rect
              class="bar"
              x={fmt(x(i) - step * 0.35)}
              y={fmt(y(p.value))}
              width={fmt(step * 0.7)}
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
              <circle class="dot" cx={fmt(x(i))} cy={fmt(y(p.value))} r="2.5">
                <title>{`${p.label}: ${format(p.value)}`}</title>
              </circle>
            ),
          )}
        </>
      )}
      {target !== undefined && target !== null && target <= top ? (
        <line class="target" x1={PAD.left} y1={fmt(y(target))} x2={WIDTH - PAD.right} y2={fmt(y(target))} stroke-dasharray="4 3">
          <title>{`target ${format(target)}`}</title>
        </line>
      ) : null}
      {points.map((p, i) =>
        (i % labelEvery === 0 || i === points.length - 1) && (i === points.length - 1 || points.length - 1 - i >= labelEvery / 2) ? (
          <text class="tick" x={fmt(x(i))} y={HEIGHT - 6} text-anchor="middle">
            {p.label}
          </text>
        ) : null,
      )}
    </svg>
  )
}
