import { DAY_MS, isoDateOfWall, isValidTimeZone, wallMsAt, wallMsToInstant } from '../sla/zoned-time.ts'

// The period a metrics page covers: whole local days of the org's time zone, so "the last 7
// days" starts at midnight where the team works. Every figure is about the cases OPENED in the
// period (one cohort, so the numbers on the page add up to each other).

export const presets = { '7d': 7, '30d': 30, '90d': 90, '365d': 365 } as const
export type Preset = keyof typeof presets | 'custom'
export const presetLabels: Record<Preset, string> = {
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  '365d': 'Last 12 months',
  custom: 'Custom',
}

export const MAX_DAYS = 366
export const TREND_WEEKS = 12

export type Period = {
  preset: Preset
  /** First and last local day, inclusive ('YYYY-MM-DD'). */
  fromDate: string
  toDate: string
  /** [from, to) as instants. */
  from: Date
  to: Date
  timezone: string
  /** Why a requested custom range was not used (the default period was shown instead). */
  problem: string | null
}

export type Week = { start: Date; end: Date; label: string }

const isoDate = /^\d{4}-\d{2}-\d{2}$/
const dayWall = (date: string) => Date.parse(`${date}T00:00:00Z`)

/** Today's local date in the zone. */
function localToday(now: Date, timezone: string): number {
  const wall = wallMsAt(now.getTime(), timezone)
  return Math.floor(wall / DAY_MS) * DAY_MS
}

function build(preset: Preset, fromWall: number, toWall: number, timezone: string, problem: string | null = null): Period {
  return {
    preset,
    fromDate: isoDateOfWall(fromWall),
    toDate: isoDateOfWall(toWall),
    from: new Date(wallMsToInstant(fromWall, timezone)),
    to: new Date(wallMsToInstant(toWall + DAY_MS, timezone)),
    timezone,
    problem,
  }
}

/** `?period=7d|30d|90d|365d` or `?period=custom&from=YYYY-MM-DD&to=YYYY-MM-DD`; anything else is the last 30 days. */
export function parsePeriod(query: Record<string, string | undefined>, timezoneInput: string, now = new Date()): Period {
  const timezone = isValidTimeZone(timezoneInput) ? timezoneInput : 'UTC'
  const today = localToday(now, timezone)
  const preset = query.period ?? '30d'
  if (preset in presets && preset !== 'custom') {
    const days = presets[preset as keyof typeof presets]
    return build(preset as Preset, today - (days - 1) * DAY_MS, today, timezone)
  }
  const fallback = (problem: string | null) => build('30d', today - 29 * DAY_MS, today, timezone, problem)
  if (preset !== 'custom') return fallback(null)
  const { from, to } = query
  if (!from || !to || !isoDate.test(from) || !isoDate.test(to) || Number.isNaN(dayWall(from)) || Number.isNaN(dayWall(to))) {
    return fallback('Give both dates of a custom range (YYYY-MM-DD); showing the last 30 days.')
  }
  const fromWall = dayWall(from)
  const toWall = dayWall(to)
  if (isoDateOfWall(fromWall) !== from || isoDateOfWall(toWall) !== to)
    return fallback('That is not a calendar date; showing the last 30 days.')
  if (toWall < fromWall) return fallback('The range ends before it starts; showing the last 30 days.')
  if ((toWall - fromWall) / DAY_MS + 1 > MAX_DAYS) return fallback(`A range covers ${MAX_DAYS} days at most; showing the last 30 days.`)
  return build('custom', fromWall, toWall, timezone)
}

/** The 12 local weeks (Monday to Sunday) ending with the week that holds the period's last day. */
export function trendWeeks(period: Period, count = TREND_WEEKS): Week[] {
  const last = dayWall(period.toDate)
  const monday = last - ((new Date(last).getUTCDay() + 6) % 7) * DAY_MS
  const weeks: Week[] = []
  for (let i = count - 1; i >= 0; i--) {
    const startWall = monday - i * 7 * DAY_MS
    weeks.push({
      start: new Date(wallMsToInstant(startWall, period.timezone)),
      end: new Date(wallMsToInstant(startWall + 7 * DAY_MS, period.timezone)),
      label: isoDateOfWall(startWall),
    })
  }
  return weeks
}

/** The query string that reproduces the period (links, the CSV export). */
export function periodQuery(period: Period): string {
  const params = new URLSearchParams({ period: period.preset })
  if (period.preset === 'custom') {
    params.set('from', period.fromDate)
    params.set('to', period.toDate)
  }
  return params.toString()
}
