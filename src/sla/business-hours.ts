import { z } from 'zod'
import { DAY_MS, HOUR_MS, MINUTE_MS, isValidTimeZone, isoDateOfWall, offsetSegments, wallMsAt } from './zoned-time.ts'

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6
export type BusinessCalendar = {
  /** IANA zone the wall times and holidays are read in. */
  timezone: string
  /** 0 = Sunday. Each day lists [from, to) wall-clock intervals, 'HH:MM', '24:00' allowed as an end. */
  weekly: Partial<Record<Weekday, [string, string][]>>
  /** Local dates ('YYYY-MM-DD') with no working time at all. */
  holidays: string[]
}

const wallClockPattern = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/

function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
}

const intervalSchema = z
  .tuple([z.string().regex(wallClockPattern, 'use HH:MM'), z.string().regex(wallClockPattern, 'use HH:MM')])
  .refine(([from, to]) => minutesOfDay(from) < minutesOfDay(to), 'an interval must end after it starts')

const daySchema = z.array(intervalSchema).refine((intervals) => {
  const sorted = intervals.map(([a, b]) => [minutesOfDay(a), minutesOfDay(b)]).sort((x, y) => x[0]! - y[0]!)
  return sorted.every((interval, i) => i === 0 || sorted[i - 1]![1]! <= interval[0]!)
}, 'intervals of one day must not overlap')

export const businessCalendarSchema = z
  .object({
    timezone: z.string().refine(isValidTimeZone, 'unknown IANA time zone'),
    weekly: z.strictObject({
      0: daySchema.optional(),
      1: daySchema.optional(),
      2: daySchema.optional(),
      3: daySchema.optional(),
      4: daySchema.optional(),
      5: daySchema.optional(),
      6: daySchema.optional(),
    }),
    holidays: z.array(z.iso.date()).default([]),
  })
  // A week without working time would make every deadline infinitely far away.
  .refine((cal) => Object.values(cal.weekly).some((day) => day && day.length > 0), {
    error: 'the calendar needs working time on at least one weekday',
    path: ['weekly'],
  })

type Interval = [from: number, to: number]
type CompiledCalendar = {
  timezone: string
  weekly: Interval[][] // minutes of the day, sorted and merged, index 0 = Sunday
  holidays: Set<string>
  dayCache: Map<number, Interval[]>
}

const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>()
const DAY_CACHE_LIMIT = 4096
// A local day's instants lie within [midnight - 14 h, midnight + 36 h] for every real offset;
// the margins only cost an Intl call each.
const WINDOW_BEFORE_MS = 16 * HOUR_MS
const WINDOW_AFTER_MS = 38 * HOUR_MS
// How many empty days in a row before concluding the calendar never opens (all holidays).
const MAX_IDLE_DAYS = 800

function compile(cal: BusinessCalendar): CompiledCalendar {
  let result = compiled.get(cal)
  if (result) return result
  if (!isValidTimeZone(cal.timezone)) throw new RangeError(`unknown time zone ${cal.timezone}`)
  const weekly: Interval[][] = []
  for (let day = 0; day < 7; day++) {
    const intervals = (cal.weekly[day as Weekday] ?? [])
      .map(([a, b]): Interval => [minutesOfDay(a), minutesOfDay(b)])
      .filter(([a, b]) => a < b)
      .sort((x, y) => x[0] - y[0])
    weekly.push(mergeIntervals(intervals))
  }
  if (weekly.every((day) => day.length === 0)) throw new RangeError('the calendar has no working time')
  result = { timezone: cal.timezone, weekly, holidays: new Set(cal.holidays), dayCache: new Map() }
  compiled.set(cal, result)
  return result
}

function mergeIntervals(sorted: Interval[]): Interval[] {
  const merged: Interval[] = []
  for (const [a, b] of sorted) {
    const last = merged.at(-1)
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  return merged
}

/**
 * The instants at which the wall clock of local day `dayWall` reads inside a working interval.
 * Working time is what the office clock shows: a spring-forward gap inside an interval is not
 * worked (09:00–17:00 across a 02:00 jump is 7 hours) and a fall-back overlap is worked twice.
 * An interval that starts inside a gap therefore opens at the transition instant.
 */
function workingIntervalsOfDay(dayWall: number, cal: CompiledCalendar): Interval[] {
  const cached = cal.dayCache.get(dayWall)
  if (cached) return cached
  const wallIntervals = cal.holidays.has(isoDateOfWall(dayWall)) ? [] : cal.weekly[new Date(dayWall).getUTCDay()]!
  const instants: Interval[] = []
  if (wallIntervals.length > 0) {
    const segments = offsetSegments(dayWall - WINDOW_BEFORE_MS, dayWall + WINDOW_AFTER_MS, cal.timezone)
    for (const [fromMinute, toMinute] of wallIntervals) {
      const wallFrom = dayWall + fromMinute * MINUTE_MS
      const wallTo = dayWall + toMinute * MINUTE_MS
      for (const { from, to, offsetMs } of segments) {
        const start = Math.max(from + offsetMs, wallFrom)
        const end = Math.min(to + offsetMs, wallTo)
        if (start < end) instants.push([start - offsetMs, end - offsetMs])
      }
    }
    instants.sort((x, y) => x[0] - y[0])
  }
  const result = mergeIntervals(instants)
  if (cal.dayCache.size >= DAY_CACHE_LIMIT) cal.dayCache.clear()
  cal.dayCache.set(dayWall, result)
  return result
}

/** Local midnight (wall-encoded) of the day before the one containing the instant. */
function firstDayToScan(instant: number, timeZone: string): number {
  // One day early: where clocks fall back across midnight, instants of day D can precede the
  // last instants of day D-1.
  const wall = wallMsAt(instant, timeZone)
  return Math.floor(wall / DAY_MS) * DAY_MS - DAY_MS
}

/**
 * The instant at which `minutes` of working time have elapsed after `start` (null = 24/7).
 * Whole intervals are consumed at once, so a one-week target walks about thirty days, not
 * ten thousand minutes. When the time runs out exactly at closing, the answer is the closing
 * instant rather than the next opening.
 */
export function addWorkingMinutes(start: Date, minutes: number, cal: BusinessCalendar | null): Date {
  const startMs = start.getTime()
  if (!Number.isFinite(startMs)) throw new RangeError('start is not a valid date')
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError('minutes must be a finite, non-negative number')
  let remaining = Math.round(minutes * MINUTE_MS)
  if (cal === null || remaining === 0) return new Date(startMs + remaining)
  const calendar = compile(cal)
  let cursor = startMs
  let idleDays = 0
  for (let day = firstDayToScan(startMs, calendar.timezone); ; day += DAY_MS) {
    const intervals = workingIntervalsOfDay(day, calendar)
    idleDays = intervals.length === 0 ? idleDays + 1 : 0
    if (idleDays > MAX_IDLE_DAYS) throw new RangeError('the calendar has no working time in sight')
    for (const [from, to] of intervals) {
      if (to <= cursor) continue
      const available = to - Math.max(from, cursor)
      if (remaining <= available) return new Date(Math.max(from, cursor) + remaining)
      remaining -= available
      cursor = to
    }
  }
}

/**
 * Working minutes in [from, to), fractional when the ends are not whole minutes; negative when
 * `to` is before `from`. For any non-negative m,
 * workingMinutesBetween(s, addWorkingMinutes(s, m, cal), cal) === m.
 */
export function workingMinutesBetween(from: Date, to: Date, cal: BusinessCalendar | null): number {
  const fromMs = from.getTime()
  const toMs = to.getTime()
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError('invalid date')
  if (toMs < fromMs) return -workingMinutesBetween(to, from, cal)
  if (cal === null) return (toMs - fromMs) / MINUTE_MS
  const calendar = compile(cal)
  let total = 0
  let cursor = fromMs
  for (let day = firstDayToScan(fromMs, calendar.timezone); day - WINDOW_BEFORE_MS < toMs; day += DAY_MS) {
    for (const [start, end] of workingIntervalsOfDay(day, calendar)) {
      const overlapFrom = Math.max(start, cursor)
      const overlapTo = Math.min(end, toMs)
      if (overlapFrom < overlapTo) {
        total += overlapTo - overlapFrom
        cursor = overlapTo
      }
    }
  }
  return total / MINUTE_MS
}
