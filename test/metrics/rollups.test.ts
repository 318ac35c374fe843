import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { loadMetrics, loadOwnerCoaching, metricsCsv, type MetricsSource } from '../../src/metrics/metrics.ts'
import { parsePeriod, type Period } from '../../src/metrics/period.ts'
import { groupPercentiles, percentileCont, percentiles } from '../../src/metrics/rollups.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { severities, type Source } from '../../src/cases/terms.ts'
import { importCases } from '../../src/imports/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { insertApprovalAsk, insertMetricCase, insertRating, markSurveyed } from '../support/metrics.ts'

// The page reads the daily rollups (sql/00040); the per-case computation (loadMetrics 'exact')
// is the definition. Varied cases, then the changes a desk makes to them (answers, reopenings,
// severity and owner changes, pauses, ratings, approvals, merges, set-up tests, deletions, an
// import of older cases, a new time zone): after each round, every figure of every period,
// owner view and CSV must be the same from both.

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const DAY = 86_400_000
const sourcesUsed: Source[] = ['ceo_inbox', 'direct', 'bbb', 'lawyer', 'social', 'regulator', 'form']

type Fixture = { db: Db; org: Org; owners: (string | null)[]; approvers: string[]; cases: { id: string; number: number }[] }

async function seedVaried(db: Db, org: Org, seed: number, count: number): Promise<Fixture> {
  const rand = random(seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!
  const owners: (string | null)[] = [null, (await seedUser(db, org.id, 'agent')).id, (await seedUser(db, org.id, 'agent')).id]
  // Names whose order depends on the collation (upper case, accents): PostgreSQL sorts owners in both.
  await withOrg(db, org.id, async (tx) => {
    await tx`update app_users set name = 'Zoë' where id = ${owners[1]!}`
    await tx`update app_users set name = 'adam' where id = ${owners[2]!}`
  })
  const approvers = [(await seedUser(db, org.id, 'approver')).id, (await seedUser(db, org.id, 'approver')).id]
  const accounts = await withOrg(
    db,
    org.id,
    (tx) => tx<{ id: string }[]>`
      insert into accounts (org_id, domain, name) select ${org.id}, 'acct' || g || '.test', 'Account ' || g from generate_series(1, 3) g returning id`,
  )
  const now = Date.now()
  const cases: { id: string; number: number }[] = []
  for (let i = 0; i < count; i++) {
    // Over 420 days, some at the minutes around a local midnight (the period's edges).
    const base = now - Math.floor(rand() * 420) * DAY
    const openedAt = new Date(
      rand() < 0.3
        ? Math.floor(base / DAY) * DAY + (rand() < 0.5 ? -1 : 1) * Math.floor(rand() * 6 * 3_600_000)
        : base - Math.floor(rand() * DAY),
    )
    if (openedAt.getTime() > now) openedAt.setTime(now - 60_000)
    const kind = rand()
    const firstResponse = kind < 0.15 ? null : Math.round(rand() * 600 * 100) / 100
    const resolved = firstResponse !== null && kind > 0.4 ? firstResponse + Math.round(rand() * 20_000) : null
    const closed = resolved !== null && rand() < 0.5 ? resolved + 60 : kind > 0.1 && kind < 0.15 ? 30 : null
    cases.push(
      await insertMetricCase(db, org.id, {
        openedAt: openedAt.toISOString(),
        severity: pick(severities),
        source: pick(sourcesUsed),
        ownerId: pick(owners),
        customerEmail: rand() < 0.7 ? `p${Math.floor(rand() * 12)}@customer.test` : null,
        accountId: rand() < 0.5 ? pick(accounts).id : null,
        firstResponse,
        resolved,
        closed,
        pausedSeconds: resolved !== null && rand() < 0.2 ? 600 : 0,
      }),
    )
  }
  // Distinct instants for ratings: of two ratings at the same instant, "the latest" is either.
  const ratedAt = () => new Date(now - Math.floor(rand() * 30 * DAY)).toISOString()
  for (const c of cases) {
    const r = rand()
    if (r < 0.15) await insertRating(db, org.id, c.id, 1 + Math.floor(rand() * 5), ratedAt())
    if (r < 0.05) await insertRating(db, org.id, c.id, 1 + Math.floor(rand() * 5), ratedAt())
    if (r > 0.85) await markSurveyed(db, org.id, c.id, approvers[0]!)
    if (r > 0.3 && r < 0.45) {
      const asked = new Date(now - Math.floor(rand() * 400) * DAY)
      const decided = rand() < 0.6 ? new Date(asked.getTime() + Math.floor(rand() * 7_200_000)).toISOString() : null
      await insertApprovalAsk(db, org.id, c.id, approvers, {
        createdAt: asked.toISOString(),
        decidedAt: decided,
        voided: !decided && rand() < 0.3,
      })
    }
  }
  return { db, org, owners, approvers, cases }
}

/** Every figure of the page, the CSV and each owner's view, for the periods a desk asks for. */
async function expectSame(f: Fixture) {
  const [{ timezone }] = await f.db<{ timezone: string }[]>`select timezone from orgs where id = ${f.org.id}`
  const periods: Period[] = [
    ...['7d', '30d', '90d', '365d'].map((p) => parsePeriod({ period: p }, timezone)),
    parsePeriod({ period: 'custom', from: isoDay(-400), to: isoDay(-40) }, timezone),
    parsePeriod({ period: 'custom', from: isoDay(-3), to: isoDay(-3) }, timezone),
  ]
  for (const period of periods) {
    await withOrg(f.db, f.org.id, async (tx) => {
      const read = (source: MetricsSource) => loadMetrics(tx, f.org.id, period, source)
      const [rollups, exact] = [await read('rollups'), await read('exact')]
      expect(rollups, `${period.fromDate}…${period.toDate}`).toEqual(exact)
      expect([...metricsCsv(rollups)].join('')).toBe([...metricsCsv(exact)].join(''))
      for (const owner of f.owners) {
        const coach = (source: MetricsSource) => loadOwnerCoaching(tx, f.org.id, period, owner, source)
        expect(await coach('rollups'), `${period.fromDate}…${period.toDate} owner ${owner}`).toEqual(await coach('exact'))
      }
    })
  }
  return periods
}

const isoDay = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10)

describe('metrics from the daily rollups equal the per-case computation', () => {
  let db: Db
  let f: Fixture

  beforeAll(async () => {
    db = testDb(4)
    f = await seedVaried(db, await seedOrg(db, { timezone: 'America/New_York' }), 21, 160)
  }, 120_000)
  afterAll(() => db.end())

  it('right after the cases, ratings, surveys and approval asks are written', async () => {
    const periods = await expectSame(f)
    // Not vacuous: the year has cases, percentiles, ratings, repeats, approvals and open breaches.
    const year = await withOrg(db, f.org.id, (tx) => loadMetrics(tx, f.org.id, periods[3]!))
    expect(year.overall.cases).toBeGreaterThan(100)
    expect(year.overall.frMedian).not.toBeNull()
    expect(year.overall.csatCount).toBeGreaterThan(5)
    expect(year.repeats.repeats).toBeGreaterThan(5)
    expect(year.approval.decided).toBeGreaterThan(3)
    expect(year.approval.pending).toBeGreaterThan(0)
    expect(year.overall.frBreached).toBeGreaterThan(0)
    expect(year.owners.length).toBe(3)
  })

  it('after answers, reopenings, severity and owner changes, pauses and approval decisions', async () => {
    const [a, b, c, d, e, g] = f.cases
    await withOrg(db, f.org.id, async (tx) => {
      await tx`update cases set first_response_at = opened_at + interval '7 minutes', status = 'responded' where id = ${a!.id} and first_response_at is null`
      await tx`update cases set status = 'in_progress', resolved_at = null, closed_at = null where resolved_at is not null and number % 5 = 0`
      await tx`update cases set severity = 'SEV-1' where number % 7 = 0`
      await tx`update cases set owner_id = ${f.owners[1]!} where number % 6 = 0`
      await tx`update cases set status = 'waiting_customer', resolution_paused_at = now() where id in (${b!.id}, ${c!.id}) and resolved_at is null`
      await tx`update cases set resolved_at = opened_at + interval '3 hours', status = 'resolved' where id = ${d!.id}`
      await tx`update approval_requests set decided_at = created_at + interval '17 minutes' where case_id in (select case_id from approval_requests where decided_at is null limit 2)`
      await tx`update cases set customer_email = 'moved@customer.test' where id = ${e!.id}`
      await tx`update cases set source = 'lawyer' where id = ${g!.id}`
    })
    await expectSame(f)
  })

  it('after merges, set-up tests, deletions and an import of older cases', async () => {
    const cases = f.cases
    // A merge and a set-up test leave the figures (their approval asks still count, as before).
    await db`update cases set merged_into = ${cases[10]!.id}, merged_at = now() where id = ${cases[11]!.id}`
    await db`update cases set setup_test = true where id = ${cases[12]!.id}`
    // A case with nothing filed on it goes (what retention does to the rows it removes).
    const [loose] = await db<{ id: string }[]>`
      select c.id from cases c where c.org_id = ${f.org.id}
        and not exists (select 1 from approval_requests r where r.case_id = c.id)
        and not exists (select 1 from csat_responses r where r.case_id = c.id)
        and not exists (select 1 from drafts r where r.case_id = c.id)
        and c.customer_email is not null
      limit 1`
    await db`delete from case_search where case_id = ${loose!.id}`
    await db`delete from cases where id = ${loose!.id}`
    // Imported history: older cases of customers already on file make later cases repeats.
    for (const [i, email] of ['p1@customer.test', 'p2@customer.test', 'p3@customer.test'].entries()) {
      const [first] = await db<{ opened_at: Date }[]>`
        select opened_at from cases where org_id = ${f.org.id} and customer_email = ${email} order by opened_at limit 1`
      if (!first) continue
      await insertMetricCase(db, f.org.id, {
        openedAt: new Date(first.opened_at.getTime() - (10 + i) * DAY).toISOString(),
        severity: 'SEV-3',
        source: 'csv',
        customerEmail: email,
        firstResponse: 45,
        resolved: 900,
      })
    }
    await expectSame(f)
  })

  it('after the org moves to another time zone (every case to its new local day)', async () => {
    await db`update orgs set timezone = 'Asia/Kolkata' where id = ${f.org.id}`
    await expectSame(f)
  })

  it('percentile_cont the way PostgreSQL interpolates it', async () => {
    const values = [3.25, 1.5, 100, 7, 7, 42.125, 0]
    const [row] = await db<{ p: number[] }[]>`
      select percentile_cont(array[0.5, 0.9]) within group (order by v) as p from unnest(${values}::float8[]) v`
    const sorted = new Float64Array(values).sort()
    expect([percentileCont(sorted, 0.5), percentileCont(sorted, 0.9)]).toEqual(row!.p)
    expect(percentileCont(new Float64Array(0), 0.5)).toBeNull()
  })

  it('selection finds the same percentiles as sorting, ties and all', () => {
    const rand = random(5)
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rand() * 60)
      const values = Float64Array.from({ length: n }, () => (rand() < 0.3 ? Math.floor(rand() * 4) : rand() * 1000))
      const ps = [0.5, 0.9, 0.1, 1, 0]
      const sorted = values.slice().sort()
      expect(percentiles(values.slice(), ps)).toEqual(ps.map((p) => percentileCont(sorted, p)))
    }
    expect(percentiles(new Float64Array(0), [0.5])).toEqual([null])
  })

  it('percentiles over several arrays are the same as sorting them together, and leave the arrays as they were', () => {
    const rand = random(7)
    const draw = () => {
      const kind = rand()
      // Ties, fractions, wide magnitudes, a few below zero.
      if (kind < 0.3) return Math.floor(rand() * 4)
      if (kind < 0.6) return Math.round(rand() * 600 * 100) / 100
      if (kind < 0.95) return rand() * 10 ** Math.floor(rand() * 8)
      return -rand() * 1000
    }
    for (let round = 0; round < 300; round++) {
      // Every tenth round over 75,000 values in all, as a year of a large org's clocks.
      const big = round % 10 === 0
      const arrays = Array.from({ length: big ? 3 + Math.floor(rand() * 3) : Math.floor(rand() * 6) }, () =>
        Float64Array.from({ length: big ? 25_000 + Math.floor(rand() * 10_000) : Math.floor(rand() * 40) }, draw),
      )
      const ps = [0.5, 0.9, 0.1, 1, 0]
      const copies = arrays.map((a) => a.slice())
      const sorted = new Float64Array(arrays.flatMap((a) => [...a])).sort()
      expect(groupPercentiles(arrays, ps)).toEqual(ps.map((p) => percentileCont(sorted, p)))
      expect(arrays, 'the arrays are left as they were').toEqual(copies)
    }
    expect(groupPercentiles([], [0.5])).toEqual([null])
    expect(groupPercentiles([new Float64Array(0)], [0.5, 0.9])).toEqual([null, null])
  })
})

describe('metrics rollups under a business calendar', () => {
  let db: Db
  let f: Fixture

  beforeAll(async () => {
    db = testDb(4)
    const org = await seedOrg(db)
    const hours: [string, string][] = [['09:00', '17:00']]
    await db`update orgs set business_calendar = ${db.json({ timezone: 'UTC', weekly: { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours }, holidays: [] })} where id = ${org.id}`
    f = await seedVaried(db, org, 7, 60)
  }, 120_000)
  afterAll(() => db.end())

  it('working-time durations and the wall-clock median beside them', async () => {
    await expectSame(f)
    const report = await withOrg(db, f.org.id, (tx) => loadMetrics(tx, f.org.id, parsePeriod({ period: '365d' }, 'UTC')))
    expect(report.clock).toBe('working')
    expect(report.overall.frWallMedian).not.toBe(report.overall.frMedian)
  })
})

describe('metrics rollups are the org’s own', () => {
  let db: Db
  let one: Fixture
  let other: Org

  beforeAll(async () => {
    db = testDb(4)
    one = await seedVaried(db, await seedOrg(db), 3, 10)
    other = await seedOrg(db)
  }, 60_000)
  afterAll(() => db.end())

  it('another org sees none of its rows, and the app cannot rebuild or rewrite them', async () => {
    const seen = await withOrg(db, other.id, (tx) => tx`select count(*)::int as n from metrics_rollups`)
    expect(seen[0]!.n).toBe(0)
    const own = await withOrg(db, one.org.id, (tx) => tx`select count(*)::int as n from metrics_rollups`)
    expect(own[0]!.n).toBeGreaterThan(0)
    await expect(withOrg(db, other.id, (tx) => tx`select metrics_rebuild_org(${one.org.id})`)).rejects.toThrow(/permission denied/)
    await expect(
      withOrg(db, other.id, (tx) => tx`select * from metrics_facts_of(${one.org.id}, array[${one.cases[0]!.id}]::uuid[])`),
    ).rejects.toThrow(/permission denied/)
    await expect(withOrg(db, one.org.id, (tx) => tx`update metrics_rollups set cases = 0`)).rejects.toThrow(/permission denied/)
  })
})

// The case triggers run once per statement (sql/00040): an import writes 500 cases a statement,
// a bulk update moves many at once, and intake inserts a case unnumbered and numbers it last.
describe('metrics rollups through statements of many cases, and intake numbering last', () => {
  let db: Db
  let f: Fixture

  beforeAll(async () => {
    db = testDb(4)
    f = await seedVaried(db, await seedOrg(db, { timezone: 'Europe/Berlin' }), 11, 40)
  }, 120_000)
  afterAll(() => db.end())

  it('after a CSV import of 120 cases in one statement (repeats of the existing customers, before and after them)', async () => {
    const rand = random(12)
    const lines = ['Customer,Customer Email,Subject,Description,Channel,Priority,Date Received,Status']
    for (let i = 0; i < 120; i++) {
      const opened = new Date(Date.now() - Math.floor(rand() * 400 * DAY) - Math.floor(rand() * DAY)).toISOString()
      const email = rand() < 0.8 ? `p${Math.floor(rand() * 12)}@customer.test` : `new${i}@customer.test`
      const status = ['new', 'resolved', 'closed', 'in progress'][Math.floor(rand() * 4)]
      lines.push(
        `Customer ${i},${email},Order ${i} broken,It broke,${['BBB', 'Lawyer', 'Email'][i % 3]},${['high', 'low', 'SEV-1'][i % 3]},${opened},${status}`,
      )
    }
    const text = lines.join('\r\n') + '\r\n'
    const report = await importCases(db, f.org, () => Readable.from([text]), { actor: { kind: 'system', id: 'test' }, drafts: false })
    expect(report).toMatchObject({ ok: true, created: 120 })
    await expectSame(f)
  })

  it('after a CSV import of 1,700 cases in four batches, each written while the next is read and the statistics redone as the table grows', async () => {
    const rand = random(13)
    const lines = ['Customer,Customer Email,Subject,Description,Channel,Priority,Date Received,Status']
    for (let i = 0; i < 1700; i++) {
      const opened = new Date(Date.now() - Math.floor(rand() * 400 * DAY) - Math.floor(rand() * DAY)).toISOString()
      // Repeats across batches: a later batch holds earlier cases of the same customers, and later ones.
      const email = rand() < 0.7 ? `b${Math.floor(rand() * 40)}@customer.test` : `bulk${i}@customer.test`
      const status = ['new', 'resolved', 'closed', 'in progress'][Math.floor(rand() * 4)]
      lines.push(
        `Customer ${i},${email},Batch order ${i} broken,It broke,${['BBB', 'Lawyer', 'Email'][i % 3]},${['high', 'low', 'SEV-1'][i % 3]},${opened},${status}`,
      )
    }
    const text = lines.join('\r\n') + '\r\n'
    const progress: number[] = []
    const report = await importCases(db, f.org, () => Readable.from([text]), {
      actor: { kind: 'system', id: 'test' },
      drafts: false,
      onProgress: (stage, done) => stage === 'import' && progress.push(done),
    })
    expect(report).toMatchObject({ ok: true, created: 1700, duplicates: 0 })
    expect(progress).toEqual([500, 1000, 1500, 1700])
    await expectSame(f)
    // Every imported case has its search document with its message's words.
    const [docs] = await withOrg(
      db,
      f.org.id,
      (tx) => tx<{ n: number }[]>`
      select count(*)::int as n from cases c join case_search s on s.case_id = c.id
      where c.subject like 'Batch order %' and s.body @@ to_tsquery('simple', 'broke')`,
    )
    expect(docs!.n).toBe(1700)
  }, 120_000)

  it('changes kept to commit (desk.metrics_rollups_at_commit, as an import does) add up to the same rollups, a fact replaced in the same transaction cancelling out', async () => {
    const before = await db<
      { rows: string }[]
    >`select md5(string_agg(r::text, ',' order by r::text)) as rows from metrics_rollups r where org_id = ${f.org.id}`
    await db.begin(async (tx) => {
      await tx`select set_config('desk.metrics_rollups_at_commit', 'on', true)`
      await tx`update cases set first_response_at = opened_at + interval '50 minutes' where org_id = ${f.org.id} and number % 3 = 0`
      // The same cases again: their facts from the statement above are replaced before any was applied.
      await tx`update cases set first_response_at = first_response_at + interval '95 minutes',
                                severity = case severity when 'SEV-2' then 'SEV-4' else 'SEV-2' end
               where org_id = ${f.org.id} and number % 6 = 0`
      const [pending] = await tx<{ n: number }[]>`select count(*)::int as n from metrics_pending`
      expect(pending!.n).toBeGreaterThan(0)
      const during = await tx<
        { rows: string }[]
      >`select md5(string_agg(r::text, ',' order by r::text)) as rows from metrics_rollups r where org_id = ${f.org.id}`
      expect(during[0]!.rows).toBe(before[0]!.rows)
    })
    expect((await db<{ n: number }[]>`select count(*)::int as n from metrics_pending`)[0]!.n).toBe(0)
    await expectSame(f)
  })

  it('after one update of half the cases (opened earlier, another severity, owner and status)', async () => {
    await db`
      update cases set opened_at = opened_at - interval '3 days 5 hours',
                       severity = case severity when 'SEV-1' then 'SEV-3' else 'SEV-1' end,
                       owner_id = ${f.owners[1]!},
                       status = case when status = 'new' then 'triaged' else status end
      where org_id = ${f.org.id} and number % 2 = 0`
    await expectSame(f)
  })

  it('an unnumbered case locks no rollup row: another intake of the same day, severity and owner commits meanwhile', async () => {
    // Today's row for this severity and no owner exists already.
    await insertMetricCase(db, f.org.id, { openedAt: new Date().toISOString(), severity: 'SEV-2', customerEmail: 'p1@customer.test' })
    const intake = (tx: Parameters<Parameters<typeof withOrg>[2]>[0], email: string) => tx<{ id: string }[]>`
      insert into cases (org_id, source, customer_email, subject, severity, status, reply_token, opened_at, first_response_due_at, resolution_due_at)
      values (${f.org.id}, 'ceo_inbox', ${email}, 'Refund refused', 'SEV-2', 'new', ${`t-${email}`}, now(), now() + interval '1 hour', now() + interval '1 day')
      returning id`
    const number = (tx: Parameters<Parameters<typeof withOrg>[2]>[0], id: string) =>
      tx<{ n: number | null }[]>`select number_new_cases(${f.org.id}, array[${id}]::uuid[], '[]'::jsonb) as n`
    await withOrg(db, f.org.id, async (a) => {
      const [first] = await intake(a, 'p1@customer.test')
      expect((await a`select count(*)::int as n from metrics_case_facts where case_id = ${first!.id}`)[0]!.n).toBe(0)
      // The second intake's numbering would wait on the first's rollup row lock if it took one.
      await withOrg(db, f.org.id, async (b) => {
        await b`set local lock_timeout = '3s'`
        const [second] = await intake(b, 'p2@customer.test')
        expect((await number(b, second!.id))[0]!.n).not.toBeNull()
      })
      expect((await number(a, first!.id))[0]!.n).not.toBeNull()
      expect((await a`select count(*)::int as n from metrics_case_facts where case_id = ${first!.id}`)[0]!.n).toBe(1)
    })
    await expectSame(f)
  })
})
