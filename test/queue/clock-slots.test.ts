import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { testDb } from '../support/db.ts'

// sql/00056 rewrote queue_clock_slots (a case's rows in the queue's clock counts) so PostgreSQL
// plans it once instead of building its expressions for every case. The rows must be the ones
// sql/00051 defined, written out here as it wrote them, for every kind of instant a case can hold.
const definition = `
  select 'none' as kind, 0::bigint as slot where d is null
  union all
  select s.kind, s.slot
  from (values ('deadline', queue_hour(d)), ('deadline_minute', queue_minute(d)),
               ('risk', queue_hour(least(r, d))), ('risk_minute', queue_minute(least(r, d)))) s (kind, slot)
  where d is not null`

const instants = [
  [null, null],
  [null, '2026-12-02 10:00:00+00'],
  ['2026-12-02 10:00:00+00', null],
  ['2026-12-02 10:00:00+00', '2026-12-02 09:30:00+00'],
  // At risk after its deadline: straight to breached, the deadline's slots twice.
  ['2026-12-02 10:00:00+00', '2026-12-02 11:00:00+00'],
  ['2026-12-02 09:59:59.999999+00', '2026-12-02 08:59:59.999999+00'],
  ['2026-12-02 23:59:00+05:30', '2026-12-02 00:00:00-08'],
  ['1969-12-31 23:59:59.5+00', '1969-12-31 22:00:00+00'],
  ['infinity', '-infinity'],
  ['-infinity', null],
] as const

describe('queue_clock_slots', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(1)
  })
  afterAll(() => db.end())

  it.each(instants)('deadline %s, at risk %s: the rows sql/00051 defined', async (deadline, risk) => {
    const [d, r] = [deadline, risk]
    const now = await db<{ kind: string; slot: string }[]>`
      select kind, slot::text from queue_clock_slots(${d}::text::timestamptz, ${r}::text::timestamptz) order by kind, slot`
    const then = await db.unsafe<{ kind: string; slot: string }[]>(
      `select kind, slot::text from (select $1::text::timestamptz as d, $2::text::timestamptz as r) i, lateral (${definition}) x order by kind, slot`,
      [d, r],
    )
    expect(now).toEqual(then)
    expect(now.length).toBe(d === null ? 1 : 4)
  })
})
