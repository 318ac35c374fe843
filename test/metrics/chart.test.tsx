import { describe, expect, it } from 'vitest'
import { formatSeconds } from '../../src/metrics/format.ts'
import { Chart, niceMax } from '../../views/components/chart.tsx'

const render = async (node: unknown) => String(await node)
const weeks = (values: (number | null)[]) => values.map((value, i) => ({ label: `03-${String(i + 1).padStart(2, '0')}`, value }))

describe('the SVG chart', () => {
  it('has a labelled y axis on round steps, a label per week (every other one past eight), axis titles and a target', async () => {
    const svg = await render(
      <Chart
        kind="line"
        title="Median first response"
        points={weeks([900, 2700, null, 5400])}
        format={formatSeconds}
        durations
        target={3600}
        yTitle="median"
      />,
    )
    // 5400 s tops out at 2 h (a whole hour step), in four half-hour ticks.
    expect([...svg.matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]+)</g)].map((m) => m[1])).toEqual([
      '0s',
      '30m',
      '1h 00m',
      '1h 30m',
      '2h 00m',
    ])
    expect([...svg.matchAll(/text-anchor="middle">(03-\d\d)</g)].map((m) => m[1])).toEqual(['03-01', '03-02', '03-03', '03-04'])
    expect(svg).toContain('>Week starting</text>')
    expect(svg).toContain('>median</text>')
    expect(svg).toContain('>target 1h 00m</text>')
    // A gap week breaks the line in two; the summary for screen readers names every week.
    expect(svg.match(/<path class="line"/g)).toHaveLength(2)
    expect(svg).toContain('aria-label="Median first response: 03-01 15m, 03-02 45m, 03-03 none, 03-04 1h 30m"')
    expect(svg).not.toMatch(/style=/)
  })

  it('says when there is nothing to draw, on a scale that still reads', async () => {
    const svg = await render(<Chart kind="bar" title="Cases opened" points={weeks(Array(12).fill(null))} format={String} />)
    expect(svg).toContain('No data in these weeks')
    expect([...svg.matchAll(/(\d\d-\d\d)<\/text>/g)]).toHaveLength(6)
  })

  it('rounds a scale up to 1, 2, 2.5, 5 or 10 of a power of ten', () => {
    expect([0, 3, 12, 240, 999].map(niceMax)).toEqual([1, 5, 20, 250, 1000])
  })
})
