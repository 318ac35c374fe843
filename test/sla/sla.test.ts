import { describe, expect, it } from 'vitest'
import { addWorkingMinutes, businessCalendarSchema, workingMinutesBetween, type BusinessCalendar } from '../../src/sla/business-hours.ts'
import {
  atRiskThresholdMinutes,
  clockState,
  computeDeadlines,
  defaultSlaPolicy,
  nextUpdateDue,
  slaPolicySchema,
} from '../../src/sla/sla.ts'

const at = (iso: string) => new Date(iso)
const nineToFive: [string, string][] = [['09:00', '17:00']]

function weekdays(timezone: string, hours = nineToFive, holidays: string[] = []): BusinessCalendar {
  return { timezone, weekly: { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours }, holidays }
}

function deadlines(openedAt: string, severity: 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4', calendar: BusinessCalendar | null) {
  const d = computeDeadlines({ openedAt: at(openedAt), severity, policy: defaultSlaPolicy, calendar })
  return { firstResponse: d.firstResponseDueAt.toISOString(), resolution: d.resolutionDueAt.toISOString() }
}

// Deterministic PRNG so a failing property case can be replayed.
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('SLA policy', () => {
  it('defaults to the SLA table of the README and validates', () => {
    expect(defaultSlaPolicy['SEV-1']).toEqual({ firstResponseMinutes: 15, updateMinutes: 30, resolutionMinutes: 240 })
    expect(defaultSlaPolicy['SEV-2']).toEqual({ firstResponseMinutes: 60, updateMinutes: 120, resolutionMinutes: 480 })
    expect(defaultSlaPolicy['SEV-3']).toEqual({ firstResponseMinutes: 240, updateMinutes: 1440, resolutionMinutes: 2880 })
    expect(defaultSlaPolicy['SEV-4']).toEqual({ firstResponseMinutes: 1440, updateMinutes: null, resolutionMinutes: 10080 })
    expect(slaPolicySchema.safeParse(defaultSlaPolicy).success).toBe(true)
    expect(Object.isFrozen(defaultSlaPolicy['SEV-1'])).toBe(true)
  })

  it('refuses non-positive, fractional, missing and inverted targets', () => {
    const withSev1 = (sev1: object) => ({ ...defaultSlaPolicy, 'SEV-1': sev1 })
    expect(slaPolicySchema.safeParse(withSev1({ firstResponseMinutes: 0, updateMinutes: 30, resolutionMinutes: 240 })).success).toBe(false)
    expect(slaPolicySchema.safeParse(withSev1({ firstResponseMinutes: 1.5, updateMinutes: 30, resolutionMinutes: 240 })).success).toBe(
      false,
    )
    expect(slaPolicySchema.safeParse(withSev1({ firstResponseMinutes: 15, updateMinutes: -1, resolutionMinutes: 240 })).success).toBe(false)
    expect(slaPolicySchema.safeParse(withSev1({ firstResponseMinutes: 300, updateMinutes: 30, resolutionMinutes: 240 })).success).toBe(
      false,
    )
    const { 'SEV-4': _, ...withoutSev4 } = defaultSlaPolicy
    expect(slaPolicySchema.safeParse(withoutSev4).success).toBe(false)
  })
})

describe('business calendar schema', () => {
  const valid = {
    timezone: 'America/New_York',
    weekly: {
      1: [
        ['09:00', '12:00'],
        ['13:00', '24:00'],
      ],
    },
    holidays: ['2025-12-25'],
  }

  it('accepts several intervals a day and 24:00 as an end', () => {
    expect(businessCalendarSchema.safeParse(valid).success).toBe(true)
    expect(businessCalendarSchema.parse({ timezone: 'UTC', weekly: { 0: [['00:00', '24:00']] } }).holidays).toEqual([])
  })

  it.each([
    ['an unknown zone', { ...valid, timezone: 'Mars/Olympus' }],
    ['an hour past 24', { ...valid, weekly: { 1: [['09:00', '25:00']] } }],
    ['an interval ending before it starts', { ...valid, weekly: { 1: [['17:00', '09:00']] } }],
    [
      'overlapping intervals',
      {
        ...valid,
        weekly: {
          1: [
            ['09:00', '13:00'],
            ['12:00', '17:00'],
          ],
        },
      },
    ],
    ['a week with no working time', { ...valid, weekly: { 1: [] } }],
    ['a weekday outside 0–6', { ...valid, weekly: { 7: nineToFive } }],
    ['a malformed holiday', { ...valid, holidays: ['25/12/2025'] }],
  ])('refuses %s', (_, calendar) => {
    expect(businessCalendarSchema.safeParse(calendar).success).toBe(false)
  })
})

describe('deadlines around the clock', () => {
  it('adds wall minutes without a calendar', () => {
    expect(deadlines('2025-01-10T12:00:00Z', 'SEV-1', null)).toEqual({
      firstResponse: '2025-01-10T12:15:00.000Z',
      resolution: '2025-01-10T16:00:00.000Z',
    })
    expect(deadlines('2025-01-10T12:00:00Z', 'SEV-4', null).resolution).toBe('2025-01-17T12:00:00.000Z')
  })

  it('starts the update cadence at the first reply, and SEV-4 has none', () => {
    const opened = computeDeadlines({ openedAt: at('2025-01-10T12:00:00Z'), severity: 'SEV-1', policy: defaultSlaPolicy, calendar: null })
    expect(opened.nextUpdateDueAt).toBeNull()
    expect(nextUpdateDue(at('2025-01-10T12:10:00Z'), 'SEV-1', defaultSlaPolicy, null)?.toISOString()).toBe('2025-01-10T12:40:00.000Z')
    expect(nextUpdateDue(at('2025-01-10T12:10:00Z'), 'SEV-4', defaultSlaPolicy, null)).toBeNull()
  })

  it('pushes only the resolution deadline by paused time', () => {
    const d = computeDeadlines({
      openedAt: at('2025-01-10T12:00:00Z'),
      severity: 'SEV-2',
      policy: defaultSlaPolicy,
      calendar: null,
      pausedMinutes: 90,
    })
    expect(d.firstResponseDueAt.toISOString()).toBe('2025-01-10T13:00:00.000Z')
    expect(d.resolutionDueAt.toISOString()).toBe('2025-01-10T21:30:00.000Z')
  })
})

describe('deadlines in business hours', () => {
  const newYork = weekdays('America/New_York')

  it('ends at closing time rather than the next opening when the time runs out exactly', () => {
    // Friday 16:00 EST + 60 working minutes = Friday 17:00, not Monday 09:00.
    expect(deadlines('2025-01-10T21:00:00Z', 'SEV-2', newYork)).toEqual({
      firstResponse: '2025-01-10T22:00:00.000Z',
      resolution: '2025-01-13T21:00:00.000Z', // Monday 16:00 EST
    })
  })

  it('carries over the weekend and waits for opening', () => {
    expect(deadlines('2025-01-10T21:30:00Z', 'SEV-2', newYork).firstResponse).toBe('2025-01-13T14:30:00.000Z') // Fri 16:30 → Mon 09:30
    expect(deadlines('2025-01-11T15:00:00Z', 'SEV-2', newYork).firstResponse).toBe('2025-01-13T15:00:00.000Z') // Sat → Mon 10:00
    expect(deadlines('2025-01-13T12:00:00Z', 'SEV-1', newYork).firstResponse).toBe('2025-01-13T14:15:00.000Z') // Mon 07:00 → 09:15
    expect(workingMinutesBetween(at('2025-01-10T21:30:00Z'), at('2025-01-13T14:30:00Z'), newYork)).toBe(60)
  })

  it('skips a holiday as a whole local day', () => {
    const withMlkDay = weekdays('America/New_York', nineToFive, ['2025-01-20'])
    // Friday 17 Jan 16:30 → Monday is a holiday → Tuesday 21 Jan 09:30 EST.
    expect(deadlines('2025-01-17T21:30:00Z', 'SEV-2', withMlkDay).firstResponse).toBe('2025-01-21T14:30:00.000Z')
    expect(workingMinutesBetween(at('2025-01-20T00:00:00Z'), at('2025-01-21T00:00:00Z'), withMlkDay)).toBe(0)
  })

  it('walks a one-week target across weeks quickly', () => {
    // 10,080 working minutes at 8 h a day is 21 working days: Monday 6 Jan 09:00 → Monday 3 Feb 17:00 EST.
    expect(deadlines('2025-01-06T14:00:00Z', 'SEV-4', newYork).resolution).toBe('2025-02-03T22:00:00.000Z')
    const started = performance.now()
    for (let i = 0; i < 500; i++) {
      const calendar = weekdays('America/New_York') // fresh object: no per-calendar cache to lean on
      computeDeadlines({
        openedAt: new Date(Date.UTC(2025, 0, 1) + i * 7 * 3_600_000),
        severity: 'SEV-4',
        policy: defaultSlaPolicy,
        calendar,
      })
    }
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('splits a day into several intervals (lunch break) in a half-hour zone', () => {
    const kolkata = weekdays('Asia/Kolkata', [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ])
    // Monday 11:30 IST: 30 minutes before lunch, 30 after → 13:30 IST = 08:00Z.
    expect(deadlines('2025-01-13T06:00:00Z', 'SEV-2', kolkata).firstResponse).toBe('2025-01-13T08:00:00.000Z')
    // Friday 16:45 IST + 60 → Monday 09:45 IST = 04:15Z.
    expect(deadlines('2025-01-10T11:15:00Z', 'SEV-2', kolkata).firstResponse).toBe('2025-01-13T04:15:00.000Z')
  })
})

describe('daylight saving changes', () => {
  const newYork = weekdays('America/New_York')

  it('SEV-2 opened Friday 16:30 before the March change lands on Monday local time', () => {
    // Clocks go forward Sunday 9 March 2025; Monday 09:30 is now EDT (13:30Z, not 14:30Z).
    expect(deadlines('2025-03-07T21:30:00Z', 'SEV-2', newYork)).toEqual({
      firstResponse: '2025-03-10T13:30:00.000Z',
      resolution: '2025-03-10T20:30:00.000Z', // Monday 16:30 EDT
    })
  })

  it('SEV-2 opened Friday 16:30 before the November change lands on Monday local time', () => {
    // Clocks go back Sunday 2 November 2025; Monday 09:30 is EST (14:30Z).
    expect(deadlines('2025-10-31T20:30:00Z', 'SEV-2', newYork).firstResponse).toBe('2025-11-03T14:30:00.000Z')
  })

  it('counts the hours the office clock shows: 23 in spring, 25 in autumn', () => {
    const allSunday: BusinessCalendar = { timezone: 'America/New_York', weekly: { 0: [['00:00', '24:00']] }, holidays: [] }
    expect(workingMinutesBetween(at('2025-03-08T00:00:00Z'), at('2025-03-11T00:00:00Z'), allSunday)).toBe(23 * 60)
    expect(workingMinutesBetween(at('2025-11-01T00:00:00Z'), at('2025-11-04T00:00:00Z'), allSunday)).toBe(25 * 60)
  })

  it('opens at the jump when an interval starts inside the spring-forward gap', () => {
    const earlySunday: BusinessCalendar = { timezone: 'America/New_York', weekly: { 0: [['02:30', '04:00']] }, holidays: [] }
    // 02:30 never happens on 9 March; the clock reads 03:00 EDT (07:00Z) right after 01:59:59 EST.
    expect(addWorkingMinutes(at('2025-03-08T12:00:00Z'), 1, earlySunday).toISOString()).toBe('2025-03-09T07:01:00.000Z')
    expect(workingMinutesBetween(at('2025-03-09T00:00:00Z'), at('2025-03-10T00:00:00Z'), earlySunday)).toBe(60)
  })

  it('works the repeated hour twice in the autumn overlap', () => {
    const nightShift: BusinessCalendar = { timezone: 'America/New_York', weekly: { 0: [['00:00', '03:00']] }, holidays: [] }
    // 00:00 EDT (04:00Z) to 03:00 EST (08:00Z) is four real hours.
    expect(workingMinutesBetween(at('2025-11-02T00:00:00Z'), at('2025-11-03T00:00:00Z'), nightShift)).toBe(240)
    // 150 minutes in: the second 01:30, in EST.
    expect(addWorkingMinutes(at('2025-11-02T04:00:00Z'), 150, nightShift).toISOString()).toBe('2025-11-02T06:30:00.000Z')
  })

  it('follows Europe/London into British Summer Time', () => {
    const london = weekdays('Europe/London')
    expect(deadlines('2025-01-06T08:00:00Z', 'SEV-1', london).firstResponse).toBe('2025-01-06T09:15:00.000Z')
    // Friday 28 March 16:00 GMT + 240: 60 on Friday, 180 on Monday 31 March from 09:00 BST → 12:00 BST = 11:00Z.
    expect(deadlines('2025-03-28T16:00:00Z', 'SEV-3', london).firstResponse).toBe('2025-03-31T11:00:00.000Z')
  })
})

// Independent oracle: step minute by minute and ask Intl for each minute's local wall clock.
function bruteForceWorkingMinutes(from: number, to: number, cal: BusinessCalendar): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: cal.timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
  })
  const weekdayIndex: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }
  let count = 0
  for (let t = from; t < to; t += 60_000) {
    const p = Object.fromEntries(format.formatToParts(t).map((part) => [part.type, part.value]))
    if (cal.holidays.includes(`${p.year}-${p.month}-${p.day}`)) continue
    const minute = Number(p.hour) * 60 + Number(p.minute)
    const intervals = cal.weekly[weekdayIndex[p.weekday!] as 0] ?? []
    const inside = intervals.some(([a, b]) => {
      const [ah, am] = a.split(':').map(Number)
      const [bh, bm] = b.split(':').map(Number)
      return minute >= ah! * 60 + am! && minute < bh! * 60 + bm!
    })
    if (inside) count++
  }
  return count
}

describe('working-time arithmetic properties', () => {
  const calendars: BusinessCalendar[] = [
    weekdays('America/New_York'),
    weekdays(
      'Europe/London',
      [
        ['08:30', '12:30'],
        ['13:30', '17:30'],
      ],
      ['2025-12-25', '2025-12-26', '2026-01-01'],
    ),
    weekdays('Asia/Kolkata', [['10:00', '18:00']]),
    {
      timezone: 'America/New_York',
      weekly: {
        0: [
          ['00:00', '03:00'],
          ['22:00', '24:00'],
        ],
        3: [['01:30', '02:45']],
      },
      holidays: ['2025-03-12'],
    },
    { timezone: 'Australia/Lord_Howe', weekly: { 0: [['01:00', '03:00']], 6: [['00:00', '24:00']] }, holidays: [] }, // 30-minute DST
    { timezone: 'America/St_Johns', weekly: { 1: [['00:00', '24:00']], 5: [['09:00', '17:00']] }, holidays: [] },
  ]
  // Starts cluster around 2024–2026 DST changes in both hemispheres.
  const span = Date.UTC(2026, 11, 31) - Date.UTC(2024, 0, 1)

  it('round-trips addWorkingMinutes and workingMinutesBetween on random inputs', () => {
    const random = mulberry32(20250307)
    for (let i = 0; i < 400; i++) {
      const cal = i % 7 === 6 ? null : calendars[i % calendars.length]!
      const start = new Date(Date.UTC(2024, 0, 1) + Math.floor((random() * span) / 1000) * 1000)
      const minutes = Math.floor(random() * (random() < 0.5 ? 600 : 12_000))
      const end = addWorkingMinutes(start, minutes, cal)
      const context = `case ${i}: ${cal?.timezone ?? '24/7'} from ${start.toISOString()} + ${minutes}`
      expect(end.getTime(), context).toBeGreaterThanOrEqual(start.getTime())
      expect(workingMinutesBetween(start, end, cal), context).toBe(minutes)
      expect(workingMinutesBetween(end, start, cal), context).toBe(minutes === 0 ? 0 : -minutes)

      const other = new Date(start.getTime() + Math.floor(random() * 20 * 86_400_000))
      const between = workingMinutesBetween(start, other, cal)
      expect(between, context).toBeGreaterThanOrEqual(0)
      const back = addWorkingMinutes(start, between, cal)
      expect(back.getTime(), context).toBeLessThanOrEqual(other.getTime())
      expect(workingMinutesBetween(back, other, cal), context).toBe(0)
    }
  })

  it('agrees with a minute-by-minute count around every 2025 DST change', () => {
    const random = mulberry32(11)
    const around = ['2025-03-09', '2025-03-30', '2025-04-06', '2025-10-05', '2025-10-26', '2025-11-02']
    for (const cal of calendars) {
      for (const day of around) {
        const midnight = Date.parse(`${day}T00:00:00Z`)
        const from = midnight - 86_400_000 + Math.floor(random() * 1200) * 60_000
        const to = midnight + 86_400_000 + Math.floor(random() * 1440) * 60_000
        expect(workingMinutesBetween(new Date(from), new Date(to), cal), `${cal.timezone} near ${day}`).toBe(
          bruteForceWorkingMinutes(from, to, cal),
        )
      }
    }
  })
})

describe('clock states', () => {
  const due = at('2025-01-10T12:00:00Z')
  const before = (minutes: number) => new Date(due.getTime() - minutes * 60_000)

  it('uses a quarter of the target, at least an hour, at most half the target', () => {
    expect([15, 30, 60, 120, 240, 480, 1440, 2880, 10080].map(atRiskThresholdMinutes)).toEqual([7.5, 15, 30, 60, 60, 120, 360, 720, 2520])
  })

  it('turns at risk strictly inside the threshold and breached strictly after due', () => {
    expect(clockState(before(30), due, 60)).toBe('ok')
    expect(clockState(new Date(due.getTime() - 30 * 60_000 + 1), due, 60)).toBe('at_risk')
    expect(clockState(due, due, 60)).toBe('at_risk')
    expect(clockState(new Date(due.getTime() + 1), due, 60)).toBe('breached')
  })

  it('starts a SEV-1 first response ok and warns with 7.5 minutes left', () => {
    expect(clockState(before(15), due, 15)).toBe('ok')
    expect(clockState(before(7.5), due, 15)).toBe('ok')
    expect(clockState(before(7), due, 15)).toBe('at_risk')
  })

  it('is met when stopped on or before due, whenever it is now', () => {
    const muchLater = at('2025-02-01T00:00:00Z')
    expect(clockState(muchLater, due, 60, due)).toBe('met')
    expect(clockState(muchLater, due, 60, before(45))).toBe('met')
    expect(clockState(muchLater, due, 60, new Date(due.getTime() + 1))).toBe('breached')
    expect(clockState(before(10), due, 60, null)).toBe('at_risk')
  })
})
