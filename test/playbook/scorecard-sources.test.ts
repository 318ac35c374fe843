import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db, type Tx } from '../../src/db.ts'
import { loadMetrics, type MetricsReport } from '../../src/metrics/metrics.ts'
import { parsePeriod } from '../../src/metrics/period.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { loadFacts, type Facts } from '../../src/playbook/scorecard.ts'
import { arrangeCase } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// The scorecard's own figures read from the rollups and each table's rows (loadFacts) against
// the per-case statement it replaced, kept here verbatim as the oracle, on a varied org: a zone
// with daylight saving, cases on local month and week edges, set-up tests and merged cases,
// recovery plans, prevention actions, settled and running update deadlines, ticket counts.
async function oldFacts(tx: Tx, report: MetricsReport): Promise<Facts> {
  const { from, to, timezone } = report.period
  const [row] = await tx<Facts[]>`
    with months as (
      select t.month, t.tickets,
             (t.month::timestamp at time zone ${timezone}) as starts,
             ((t.month + interval '1 month')::timestamp at time zone ${timezone}) as ends
      from ticket_counts t
      where t.month >= date_trunc('month', ${from}::timestamptz at time zone ${timezone})::date
        and t.month < (${to}::timestamptz at time zone ${timezone})::date
    ),
    cohort as (
      select c.id, c.status, c.next_update_due_at from cases c
      where c.opened_at >= ${from} and c.opened_at < ${to} and not c.setup_test and c.merged_into is null
    )
    select
      (select count(*)::int from months) as months,
      (select coalesce(sum(tickets), 0)::int from months) as tickets,
      (select count(*)::int from months m join cases c on c.opened_at >= m.starts and c.opened_at < m.ends
        where not c.setup_test and c.merged_into is null) as escalations,
      (select to_char(min(month), 'YYYY-MM') from months) as "firstMonth",
      (select to_char(max(month), 'YYYY-MM') from months) as "lastMonth",
      (select count(*)::int from recovery_plans p join cohort k on k.id = p.case_id where p.relationship_maintained is not null) as plans,
      (select count(*)::int from recovery_plans p join cohort k on k.id = p.case_id where p.relationship_maintained) as maintained,
      (select count(*)::int from prevention_actions a join cohort k on k.id = a.case_id where a.status = 'done') as "actionsDone",
      (select count(*)::int from prevention_actions a join cohort k on k.id = a.case_id join orgs o on o.id = a.org_id
        where a.status = 'done' or a.due_on < (now() at time zone o.timezone)::date) as "actionsDue",
      (select count(*)::int from update_deadlines u join cohort k on k.id = u.case_id where u.met) as "updatesMet",
      (select count(*)::int from update_deadlines u join cohort k on k.id = u.case_id where not u.met)
        + (select count(*)::int from cohort k
            where k.next_update_due_at < now() and k.status not in ('resolved', 'closed', 'waiting_customer')) as "updatesMissed"`
  return row!
}

describe('playbook scorecard figures from the rollups and their own rows', () => {
  let db: Db
  let org: Org
  let other: Org

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { timezone: 'America/New_York' })
    other = await seedOrg(db, { timezone: 'UTC' })
    const admin = await seedUser(db, org.id, 'admin')
    let seed = 7
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return Math.floor(seed / 65536) % n
    }
    const hour = 3600_000
    // Local midnights of month and week edges in New York (UTC-4 until 2026-11-01, then UTC-5),
    // each with cases just before and just after; then cases spread over the months since August.
    // 2026-05-25 starts a week that ends on May 31; June 1 is a Monday.
    const edges = [
      '2026-05-25T04:00:00Z',
      '2026-05-31T04:00:00Z',
      '2026-06-01T04:00:00Z',
      '2026-09-01T04:00:00Z',
      '2026-10-01T04:00:00Z',
      '2026-11-01T04:00:00Z',
      '2026-11-02T05:00:00Z',
      '2026-10-05T04:00:00Z',
    ]
    const times: Date[] = []
    for (const edge of edges) for (const d of [-1, 0, 1]) times.push(new Date(new Date(edge).getTime() + d * 60_000))
    const start = new Date('2026-08-01T00:00:00Z').getTime()
    for (let i = 0; i < 120; i++) times.push(new Date(start + next(Math.floor((Date.now() - start) / hour)) * hour + next(3600) * 1000))
    const statuses = ['triaged', 'waiting_customer', 'resolved', 'closed', 'in_progress']
    for (const [i, openedAt] of times.entries()) {
      const status = statuses[next(statuses.length)]!
      const c = await arrangeCase(db, org.id, {
        openedAt,
        customerEmail: `c${next(40)}@customer.test`,
        status: status as 'triaged',
        resolvedAt: status === 'resolved' || status === 'closed' ? new Date(openedAt.getTime() + hour) : undefined,
        closedAt: status === 'closed' ? new Date(openedAt.getTime() + 2 * hour) : undefined,
        nextUpdateDueAt: next(3) === 0 ? new Date(Date.now() + (next(2) ? 1 : -1) * hour) : undefined,
      })
      if (i % 17 === 3) await db`update cases set setup_test = true where id = ${c.id}`
      if (i % 19 === 5)
        await db`update cases set merged_into = (select id from cases where org_id = ${org.id} order by number limit 1), merged_at = now() where id = ${c.id}`
      if (next(4) === 0) {
        const checked = next(3)
        await db`insert into recovery_plans (org_id, case_id, impact_level, relationship_maintained, checked_at)
                 values (${org.id}, ${c.id}, 'minor', ${checked === 0 ? null : checked === 1}, ${checked === 0 ? null : new Date()})`
      }
      for (let a = next(3); a > 0; a--) {
        const done = next(2) === 0
        await db`insert into prevention_actions (org_id, case_id, owner_id, title, due_on, status, done_at)
                 values (${org.id}, ${c.id}, ${admin.id}, 'Fix', ${new Date(Date.now() + (next(20) - 10) * 24 * hour)}, ${done ? 'done' : 'open'}, ${done ? new Date() : null})`
      }
      for (let u = next(4); u > 0; u--) {
        await db`insert into update_deadlines (org_id, case_id, due_at, settled_at, met)
                 values (${org.id}, ${c.id}, ${new Date(openedAt.getTime() + u * hour)}, ${new Date(openedAt.getTime() + u * hour)}, ${next(3) > 0})`
      }
    }
    for (const month of ['2026-05-01', '2026-06-01', '2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01']) {
      await db`insert into ticket_counts (org_id, month, tickets) values (${org.id}, ${month}, ${100 + next(900)})`
    }
    // Another org's rows on the same days must not count.
    const foreign = await arrangeCase(db, other.id, { openedAt: new Date('2026-10-10T12:00:00Z') })
    await db`insert into ticket_counts (org_id, month, tickets) values (${other.id}, '2026-10-01', 5000)`
    await db`insert into update_deadlines (org_id, case_id, due_at, settled_at, met) values (${other.id}, ${foreign.id}, now(), now(), true)`
  })
  afterAll(() => db.end())

  const periods: [string, Record<string, string>, string][] = [
    ['the last 30 days', { period: '30d' }, 'America/New_York'],
    ['a year', { period: '365d' }, 'America/New_York'],
    ['September to mid-November', { period: 'custom', from: '2026-09-10', to: '2026-11-20' }, 'America/New_York'],
    ['October', { period: 'custom', from: '2026-10-01', to: '2026-10-31' }, 'America/New_York'],
    ['a year counted in UTC (the cases themselves)', { period: '365d' }, 'UTC'],
    ['October counted in Kolkata', { period: 'custom', from: '2026-10-01', to: '2026-10-31' }, 'Asia/Kolkata'],
  ]
  for (const [name, query, zone] of periods) {
    it(`${name}: the same figures as the per-case statement`, async () => {
      const [now, before] = await withOrg(db, org.id, async (tx) => {
        const report = await loadMetrics(tx, org.id, parsePeriod(query, zone))
        return [await loadFacts(tx, report), await oldFacts(tx, report)]
      })
      expect(now).toEqual(before)
      // The dataset reaches every figure somewhere, so equality is not of zeros only.
      if (query.period === '365d') {
        expect(before.escalations).toBeGreaterThan(0)
        expect(before.plans).toBeGreaterThan(0)
        expect(before.actionsDue).toBeGreaterThan(before.actionsDone)
        expect(before.updatesMissed).toBeGreaterThan(0)
        expect(before.updatesMet).toBeGreaterThan(0)
      }
    })
  }
})
