import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db, type DbOrTx } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { countOpenByClock, listQueue, type ClockState } from '../../src/queue/queries.ts'
import { arrangeCase } from '../support/digest.ts'
import { seedOrg, testDb } from '../support/db.ts'

// The queue's clock counts come from per-hour counts the cases' writes keep (queue_clock_counts,
// sql/00051), not from counting every open case. They must stay exactly the definition they
// replaced, case_clock_state over open work grouped at the instant, after every kind of write and
// at any instant later with no write at all (the clock alone makes a case at risk, then breached).

const minute = 60_000
const hour = 60 * minute

/** The definition, as countOpenByClock computed it before sql/00051: every open case, counted. */
async function countedIn(tx: DbOrTx, at: Date): Promise<Record<ClockState, number>> {
  const rows = await tx<{ clock: ClockState; n: number }[]>`
    select case_clock_state(c.next_deadline_at, c.next_at_risk_at, ${at}::timestamptz) as clock, count(*)::int as n
    from cases c where case_is_open_work(c.status, c.setup_test) group by 1`
  const counts: Record<ClockState, number> = { none: 0, ok: 0, at_risk: 0, breached: 0 }
  for (const r of rows) counts[r.clock] = r.n
  return counts
}

const countedEachCase = (db: Db, orgId: string, at: Date) => withOrg(db, orgId, (tx) => countedIn(tx, at))

describe('the queue clock counts kept per hour', () => {
  let db: Db
  let org: Org
  let other: Org
  // A whole hour, so instants on and around hour boundaries are exact.
  const base = new Date(Math.floor(Date.now() / hour) * hour)
  const at = (ms: number) => new Date(base.getTime() + ms)
  // Instants to compare at: the hour's start and its last millisecond, inside it, the next hours
  // and days, and the past.
  const instants = [
    0,
    1,
    17 * minute,
    hour - 1,
    hour,
    hour + 30 * minute,
    3 * hour,
    25 * hour,
    8 * 24 * hour,
    -1,
    -2 * hour,
    -40 * 24 * hour,
  ].map(at)

  const expectEqualEverywhere = async (extra: Date[] = []) => {
    for (const instant of [...instants, ...extra]) {
      const kept = await withOrg(db, org.id, (tx) => countOpenByClock(tx, instant))
      expect({ at: instant.toISOString(), ...kept }).toEqual({ at: instant.toISOString(), ...(await countedEachCase(db, org.id, instant)) })
    }
    // And the stored rows are exactly a recount of the org's cases (no drift in hours not asked).
    const [drift] = await db<{ n: number }[]>`
      with recount as (
        select c.org_id, k.kind, k.slot, count(*)::int as n
        from cases c
        cross join lateral (
          select 'none' as kind, 0::bigint as slot where c.next_deadline_at is null
          union all
          select s.kind, floor(extract(epoch from s.at) / s.seconds)::bigint
          from (values ('deadline', c.next_deadline_at, 3600), ('deadline_minute', c.next_deadline_at, 60),
                       ('risk', least(c.next_at_risk_at, c.next_deadline_at), 3600),
                       ('risk_minute', least(c.next_at_risk_at, c.next_deadline_at), 60)) s (kind, at, seconds)
          where c.next_deadline_at is not null) k
        where case_is_open_work(c.status, c.setup_test) and c.org_id in (${org.id}, ${other.id})
        group by 1, 2, 3),
      kept as (select q.org_id, q.kind, q.slot, q.n from queue_clock_counts q where q.org_id in (${org.id}, ${other.id}))
      select count(*)::int as n from ((select * from recount except select * from kept) union all (select * from kept except select * from recount)) d`
    expect(drift!.n).toBe(0)
    // Every committed change is folded into the counts.
    const [pending] = await db<{ n: number }[]>`select count(*)::int as n from queue_clock_count_changes`
    expect(pending!.n).toBe(0)
  }

  const ids: string[] = []
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    other = await seedOrg(db)
    // A varied desk: no clock; breached long ago, this hour, to the millisecond; at risk; ok;
    // an at-risk instant missing or after the deadline; instants on hour boundaries; resolved,
    // closed and set-up test cases that are not open work.
    const shapes: { deadline: number | null; risk: number | null; status?: string }[] = [
      { deadline: null, risk: null },
      { deadline: null, risk: null, status: 'waiting_customer' },
      { deadline: null, risk: -hour },
      { deadline: -30 * 24 * hour, risk: -31 * 24 * hour },
      { deadline: -3 * hour, risk: -4 * hour },
      { deadline: -1, risk: -hour },
      { deadline: 0, risk: -10 * minute },
      { deadline: 17 * minute, risk: 5 * minute },
      { deadline: 17 * minute, risk: 17 * minute },
      { deadline: hour - 1, risk: 0 },
      { deadline: hour, risk: hour - 1 },
      { deadline: 2 * hour, risk: hour },
      { deadline: 2 * hour, risk: null },
      { deadline: 40 * minute, risk: 3 * hour },
      { deadline: 26 * hour, risk: 20 * hour },
      { deadline: 9 * 24 * hour, risk: 8 * 24 * hour },
      { deadline: 20 * minute, risk: -5 * minute, status: 'resolved' },
      { deadline: -hour, risk: -2 * hour, status: 'closed' },
    ]
    for (const [i, s] of shapes.entries()) {
      const c = await arrangeCase(db, org.id, {
        subject: `Shape ${i}`,
        status: s.status ?? 'triaged',
        nextDeadlineAt: s.deadline === null ? null : at(s.deadline),
        nextAtRiskAt: s.risk === null ? null : at(s.risk),
      })
      ids.push(c.id)
    }
    // The other org's cases are in its own rows, never in these counts.
    for (const m of [-90, 10, 90]) await arrangeCase(db, other.id, { nextDeadlineAt: at(m * minute), nextAtRiskAt: at((m - 30) * minute) })
  })
  afterAll(() => db.end())

  it('equal the definition at every instant for the cases inserted one by one', async () => {
    await expectEqualEverywhere()
  })

  it('the at-risk view lists exactly the open work whose clock is at risk or breached', async () => {
    // One transaction: both statements read the same now().
    const [all, atRisk] = await withOrg(db, org.id, async (tx) => [
      await listQueue(tx, { view: 'all', limit: 1000 }),
      await listQueue(tx, { view: 'at_risk', limit: 1000 }),
    ])
    const expected = all.filter((r) => r.clock === 'at_risk' || r.clock === 'breached').map((r) => r.id)
    expect(atRisk.map((r) => r.id)).toEqual(expected)
    expect(new Set(all.map((r) => r.clock))).toEqual(new Set(['none', 'ok', 'at_risk', 'breached']))
  })

  it('follow status changes, deadline changes, the set-up test flag and deletes', async () => {
    await db`update cases set status = 'resolved' where id = ${ids[7]!}`
    await db`update cases set status = 'triaged' where id = ${ids[16]!}`
    await expectEqualEverywhere()
    await db`update cases set next_deadline_at = ${at(5 * hour)}, next_at_risk_at = ${at(4 * hour)} where id = ${ids[4]!}`
    await db`update cases set next_deadline_at = null, next_at_risk_at = null where id = ${ids[11]!}`
    await db`update cases set next_deadline_at = ${at(10 * minute)}, next_at_risk_at = ${at(-minute)} where id = ${ids[0]!}`
    await db`update cases set next_at_risk_at = ${at(-hour)} where id = ${ids[13]!}`
    await expectEqualEverywhere()
    await db`update cases set setup_test = true where id = ${ids[6]!}`
    await expectEqualEverywhere()
    await db`update cases set setup_test = false where id = ${ids[6]!}`
    await db`update cases set subject = 'Renamed' where id = ${ids[9]!}`
    // As retention removes a case: its search document first.
    await db`delete from case_search where case_id in (${ids[3]!}, ${ids[17]!})`
    await db`delete from cases where id in (${ids[3]!}, ${ids[17]!})`
    await expectEqualEverywhere()
  })

  it('follow statements that write many cases at once, and a case numbered last in its transaction', async () => {
    // As an import writes: hundreds of rows in one statement, deadlines spread over days.
    await db`
      insert into cases (org_id, number, source, customer_email, customer_name, subject, severity, status, reply_token,
                         opened_at, setup_test, next_deadline_at, next_at_risk_at)
      select ${org.id}, 100000 + g, 'csv', 'bulk' || g || '@customer.test', 'Bulk', 'Imported ' || g, 'SEV-3',
             (array['triaged', 'in_progress', 'resolved', 'waiting_customer'])[1 + g % 4], ${randomBytes(6).toString('hex')} || g,
             ${base}::timestamptz, g % 37 = 0,
             case when g % 11 = 0 then null else ${base}::timestamptz + (g - 250) * interval '7 minutes' end,
             case when g % 13 = 0 then null else ${base}::timestamptz + (g - 270) * interval '7 minutes' end
      from generate_series(1, 500) g`
    await expectEqualEverywhere()
    // One statement moving many cases between hours, states and open work.
    await db`
      update cases set next_deadline_at = next_deadline_at + interval '95 minutes',
                       status = case when number % 5 = 0 then 'closed' else status end
      where org_id = ${org.id} and number > 100000 and number % 3 = 0`
    await expectEqualEverywhere()
    // Intake inserts its case unnumbered and numbers it in the transaction's last statement.
    await db.begin(async (tx) => {
      const [c] = await tx<{ id: string }[]>`
        insert into cases (org_id, source, customer_email, customer_name, subject, severity, status, reply_token, opened_at,
                           next_deadline_at, next_at_risk_at)
        values (${org.id}, 'direct', 'new@customer.test', 'New', 'Fresh', 'SEV-2', 'new', ${randomBytes(9).toString('hex')},
                ${base}, ${at(30 * minute)}, ${at(15 * minute)})
        returning id`
      await tx`update cases set number = 200001 where id = ${c!.id}`
    })
    const gone = db`select id from cases where org_id = ${org.id} and number > 100000 and number % 7 = 0`
    await db`delete from case_search where case_id in (${gone})`
    await db`delete from cases where id in (${gone})`
    await expectEqualEverywhere([at(-4 * 24 * hour), at(2 * 24 * hour + 13 * minute)])
  })

  it('are exact inside a transaction of many statements, before it commits, and after a savepoint rolls back', async () => {
    // As a policy change recomputes every open case: one update per case, one transaction.
    const open = await db<{ id: string }[]>`
      select id from cases where org_id = ${org.id} and status not in ('resolved', 'closed') order by number limit 60`
    await withOrg(db, org.id, async (tx) => {
      for (const [i, { id }] of open.entries()) {
        await tx`update cases set next_deadline_at = next_deadline_at + ${`${(i % 7) * 45} minutes`}::interval,
                                  next_at_risk_at = next_at_risk_at - interval '20 minutes' where id = ${id}`
      }
      let inSavepoint: [Record<ClockState, number>, Record<ClockState, number>] | undefined
      await tx
        .savepoint(async (sp) => {
          await sp`update cases set status = 'closed' where id = ${open[0]!.id}`
          inSavepoint = [await countOpenByClock(sp, base), await countedIn(sp, base)]
          throw new Error('roll the savepoint back')
        })
        .catch((e: Error) => {
          if (e.message !== 'roll the savepoint back') throw e
        })
      expect(inSavepoint![0]).toEqual(inSavepoint![1])
      for (const instant of [base, at(hour + 5 * minute), at(6 * hour)]) {
        expect(await countOpenByClock(tx, instant)).toEqual(await countedIn(tx, instant))
      }
    })
    await expectEqualEverywhere()
    // The transaction's first change in a savepoint that rolls back, then one after it.
    await withOrg(db, org.id, async (tx) => {
      await tx
        .savepoint(async (sp) => {
          await sp`update cases set next_deadline_at = next_deadline_at + interval '3 hours' where id = ${open[1]!.id}`
          throw new Error('roll the savepoint back')
        })
        .catch((e: Error) => {
          if (e.message !== 'roll the savepoint back') throw e
        })
      await tx`update cases set next_deadline_at = next_deadline_at + interval '5 hours' where id = ${open[2]!.id}`
    })
    await expectEqualEverywhere([at(-4 * 24 * hour), at(2 * 24 * hour + 13 * minute)])
  })

  it('are the org’s own under row-level security, and read-only for the app', async () => {
    const mine = await withOrg(db, other.id, (tx) => countOpenByClock(tx, base))
    expect(mine).toEqual(await countedEachCase(db, other.id, base))
    expect(mine).toEqual({ none: 0, ok: 1, at_risk: 1, breached: 1 })
    const seen = await withOrg(db, other.id, (tx) => tx<{ org_id: string }[]>`select distinct org_id from queue_clock_counts`)
    expect(seen.map((r) => r.org_id)).toEqual([other.id])
    await expect(withOrg(db, other.id, (tx) => tx`update queue_clock_counts set n = n + 1 where org_id = ${other.id}`)).rejects.toThrow(
      /permission denied/,
    )
  })
})
