import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workingMinutesBetween, type BusinessCalendar } from '../../src/sla/business-hours.ts'
import { changeStatus, recordOutboundSent } from '../../src/cases/lifecycle.ts'
import { systemActor } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, testDb } from '../support/db.ts'

// The stopped clocks metrics read are computed in SQL (00009: working_seconds_between) at the
// moment a clock stops. They must agree with the app's own calendar arithmetic.
describe('working time in SQL', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(2)
  })
  afterAll(() => db.end())

  const office: BusinessCalendar = {
    timezone: 'Europe/London',
    weekly: {
      1: [
        ['09:00', '12:30'],
        ['13:30', '17:00'],
      ],
      2: [['09:00', '17:00']],
      3: [['09:00', '17:00']],
      4: [['09:00', '17:00']],
      5: [['09:00', '16:00']],
      6: [['00:00', '24:00']],
    },
    holidays: ['2026-03-31', '2026-04-03'],
  }
  const tokyo: BusinessCalendar = { timezone: 'Asia/Tokyo', weekly: { 1: [['08:00', '20:00']], 3: [['22:00', '24:00']] }, holidays: [] }

  it.each([
    ['Europe/London, across a DST change and holidays', office],
    ['Asia/Tokyo, a late shift', tokyo],
  ])('agrees with workingMinutesBetween: %s', async (_name, calendar) => {
    // Deterministic pseudo-random pairs over three weeks around the 29 March 2026 change.
    let seed = 42
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const base = Date.parse('2026-03-20T00:00:00Z')
    const pairs = Array.from({ length: 300 }, () => {
      const from = base + Math.floor(next() * 21 * 86_400) * 1000
      return [new Date(from), new Date(from + Math.floor(next() * 6 * 86_400) * 1000)] as const
    })
    const rows = await db<{ seconds: number }[]>`
      select working_seconds_between(f, t, ${db.json(calendar as never)}) as seconds
      from unnest(${pairs.map(([f]) => f.toISOString())}::timestamptz[], ${pairs.map(([, t]) => t.toISOString())}::timestamptz[]) with ordinality as p(f, t, i)
      order by i`
    const expected = pairs.map(([f, t]) => workingMinutesBetween(f, t, calendar) * 60)
    expect(rows.map((r) => Math.round(r.seconds))).toEqual(expected.map(Math.round))
  })

  it('wall time without a calendar, null for a running clock', async () => {
    const [row] = await db<{ wall: number; open: number | null }[]>`
      select working_seconds_between('2026-01-01T00:00:00Z', '2026-01-02T01:00:00Z', null) as wall,
             working_seconds_between('2026-01-01T00:00:00Z', null, null) as open`
    expect(row).toEqual({ wall: 90_000, open: null })
  })

  it('a real first response and resolution store their durations as the clocks stop', async () => {
    const org = await seedOrg(db)
    const c = await seedCase(db, org.id)
    const [opened] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ openedAt: Date }[]>`select opened_at as "openedAt" from cases where id = ${c.id}`,
    )
    const sentAt = new Date(opened!.openedAt.getTime() + 7 * 60_000)
    await withOrg(db, org.id, (tx) => recordOutboundSent(tx, org.id, c.id, sentAt, systemActor))
    await withOrg(db, org.id, (tx) =>
      changeStatus(tx, org.id, c.id, systemActor, { to: 'resolved', at: new Date(opened!.openedAt.getTime() + 90 * 60_000) }),
    )
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ fr: number; res: number }[]>`
      select first_response_seconds as fr, resolution_seconds as res from cases where id = ${c.id}`,
    )
    expect(row).toEqual({ fr: 420, res: 5400 })
    // Reopened: the resolution clock runs again, so there is no resolution time.
    await withOrg(db, org.id, (tx) => changeStatus(tx, org.id, c.id, systemActor, { to: 'in_progress' }))
    const [reopened] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ res: number | null }[]>`select resolution_seconds as res from cases where id = ${c.id}`,
    )
    expect(reopened!.res).toBeNull()
  })
})
