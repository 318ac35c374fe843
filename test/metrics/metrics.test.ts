import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { compliance, loadMetrics, metricsCsv, type MetricsReport } from '../../src/metrics/metrics.ts'
import { parsePeriod } from '../../src/metrics/period.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { insertApprovalAsk, insertMetricCase, insertRating, markSurveyed } from '../support/metrics.ts'

// One org, one week (Mon 3 – Sun 9 March 2025, UTC, no business calendar), six cases whose every
// figure is worked out by hand below. "Now" is long after, so every deadline has passed.
describe('metrics on a seeded week with known answers', () => {
  let db: Db
  let org: Org
  let ann: { id: string }
  let bob: { id: string }
  let approvers: string[]
  let report: MetricsReport
  const period = (q: Record<string, string>) => parsePeriod(q, 'UTC')
  const week = { period: 'custom', from: '2025-03-03', to: '2025-03-09' }
  const load = (q: Record<string, string>, orgId = org.id) => withOrg(db, orgId, (tx) => loadMetrics(tx, orgId, period(q)))

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    ann = await seedUser(db, org.id, 'agent')
    bob = await seedUser(db, org.id, 'agent')
    await withOrg(db, org.id, (tx) => tx`update app_users set name = ${'=HYPERLINK("http://evil.test","Ann")'} where id = ${ann.id}`)
    approvers = [(await seedUser(db, org.id, 'approver')).id, (await seedUser(db, org.id, 'approver')).id]
    const [account] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string }[]>`insert into accounts (org_id, domain, name) values (${org.id}, 'acme.test', 'Acme') returning id`,
    )

    // Before the week: an earlier escalation of case 1's customer (47 days before: a repeat),
    // one of case 2's (103 days before: too old to count), and one the minute before the week.
    await insertMetricCase(db, org.id, {
      openedAt: '2025-01-15T10:00:00Z',
      severity: 'SEV-3',
      customerEmail: 'one@customer.test',
      firstResponse: 30,
      resolved: 600,
      closed: 700,
    })
    await insertMetricCase(db, org.id, {
      openedAt: '2024-11-21T10:00:00Z',
      severity: 'SEV-3',
      customerEmail: 'two@customer.test',
      firstResponse: 30,
    })
    await insertMetricCase(db, org.id, { openedAt: '2025-03-02T23:59:59Z', severity: 'SEV-1', firstResponse: 5 })
    // After the week (its first instant): not counted.
    await insertMetricCase(db, org.id, { openedAt: '2025-03-10T00:00:00Z', severity: 'SEV-1', firstResponse: 5 })

    // 1. SEV-1 CEO inbox, Ann: answered in 10 min (target 15: met), resolved in 3 h (4 h: met), closed; rated 5.
    const c1 = await insertMetricCase(db, org.id, {
      openedAt: '2025-03-03T10:00:00Z',
      severity: 'SEV-1',
      source: 'ceo_inbox',
      ownerId: ann.id,
      customerEmail: 'one@customer.test',
      firstResponse: 10,
      resolved: 180,
      closed: 240,
    })
    // 2. SEV-1 BBB, Ann: 20 min (missed), resolved in 5 h (missed); rated 1 then 3 (the latest counts).
    const c2 = await insertMetricCase(db, org.id, {
      openedAt: '2025-03-04T10:00:00Z',
      severity: 'SEV-1',
      source: 'bbb',
      ownerId: ann.id,
      customerEmail: 'two@customer.test',
      firstResponse: 20,
      resolved: 300,
    })
    // 3. SEV-2 direct, Bob: 30 min (target 60: met), resolved in 6 h (8 h: met); asked, never rated.
    const c3 = await insertMetricCase(db, org.id, {
      openedAt: '2025-03-05T09:00:00Z',
      severity: 'SEV-2',
      source: 'direct',
      ownerId: bob.id,
      accountId: account!.id,
      firstResponse: 30,
      resolved: 360,
    })
    // 4. SEV-2 direct, Bob, same account as 3 (a repeat): 90 min (missed), still in progress past its resolution deadline.
    const c4 = await insertMetricCase(db, org.id, {
      openedAt: '2025-03-06T09:00:00Z',
      severity: 'SEV-2',
      source: 'direct',
      ownerId: bob.id,
      accountId: account!.id,
      firstResponse: 90,
      status: 'in_progress',
    })
    // 5. SEV-3 lawyer, unowned: never answered, still new, both deadlines long past.
    await insertMetricCase(db, org.id, {
      openedAt: '2025-03-07T12:00:00Z',
      severity: 'SEV-3',
      source: 'lawyer',
      ownerId: null,
      status: 'new',
    })
    // 6. SEV-4 CEO inbox, Bob: closed unanswered an hour in (a duplicate), before any deadline: counts neither way.
    await insertMetricCase(db, org.id, {
      openedAt: '2025-03-08T08:00:00Z',
      severity: 'SEV-4',
      source: 'ceo_inbox',
      ownerId: bob.id,
      closed: 60,
      closeReason: 'duplicate of case 4',
    })

    await markSurveyed(db, org.id, c1.id, approvers[0]!)
    await markSurveyed(db, org.id, c2.id, approvers[0]!)
    await markSurveyed(db, org.id, c3.id, approvers[0]!)
    await insertRating(db, org.id, c1.id, 5, '2025-03-04T09:00:00Z')
    await insertRating(db, org.id, c2.id, 1, '2025-03-05T09:00:00Z')
    await insertRating(db, org.id, c2.id, 3, '2025-03-06T09:00:00Z')

    // Approval asks (each emails both approvers): waits of 6, 10 and 20 minutes; one lapsed; one still pending.
    await insertApprovalAsk(db, org.id, c1.id, approvers, { createdAt: '2025-03-03T10:02:00Z', decidedAt: '2025-03-03T10:08:00Z' })
    await insertApprovalAsk(db, org.id, c2.id, approvers, { createdAt: '2025-03-04T10:05:00Z', voided: true })
    await insertApprovalAsk(db, org.id, c2.id, approvers, { createdAt: '2025-03-04T10:06:00Z', decidedAt: '2025-03-04T10:16:00Z' })
    await insertApprovalAsk(db, org.id, c3.id, approvers, { createdAt: '2025-03-05T09:05:00Z', decidedAt: '2025-03-05T09:25:00Z' })
    await insertApprovalAsk(db, org.id, c4.id, approvers, { createdAt: '2025-03-06T09:10:00Z' })

    // Another org's case in the same week must not show.
    const other = await seedOrg(db)
    await insertMetricCase(db, other.id, { openedAt: '2025-03-05T09:00:00Z', severity: 'SEV-1', firstResponse: 600 })

    report = await load(week)
  })
  afterAll(() => db.end())

  it('time to first response: median and p90 overall and per severity, against each target', () => {
    // Answered in 10, 20, 30 and 90 minutes: median (20+30)/2 = 25 min; p90 = 30 + 0.7 × 60 = 72 min.
    expect(report.overall).toMatchObject({ cases: 6, open: 2, responded: 4, frMedian: 1500, frP90: 4320, frWallMedian: 1500 })
    const [sev1, sev2, sev3, sev4] = report.bySeverity
    expect(sev1).toMatchObject({
      severity: 'SEV-1',
      cases: 2,
      responded: 2,
      frMedian: 900,
      frP90: 1140,
      frTargetSeconds: 900,
      frMet: 1,
      frBreached: 1,
    })
    expect(sev2).toMatchObject({ severity: 'SEV-2', cases: 2, frMedian: 3600, frTargetSeconds: 3600, frMet: 1, frBreached: 1 })
    expect(sev3).toMatchObject({ severity: 'SEV-3', cases: 1, responded: 0, frMedian: null, frMet: 0, frBreached: 1 })
    expect(sev4).toMatchObject({ severity: 'SEV-4', cases: 1, responded: 0, frMedian: null, frMet: 0, frBreached: 0 })
    expect(compliance(sev4!.frMet, sev4!.frBreached)).toBeNull()
  })

  it('SLA compliance: met vs breached, open cases past their deadline breached, a case closed unanswered in time neither', () => {
    expect(report.overall).toMatchObject({ frMet: 2, frBreached: 3, resMet: 2, resBreached: 3 })
    expect(compliance(report.overall.frMet, report.overall.frBreached)).toBe(40)
    expect(compliance(report.overall.resMet, report.overall.resBreached)).toBe(40)
  })

  it('time to resolution: resolved cases only, the open ones counted apart', () => {
    // 3 h, 5 h, 6 h: median 5 h; p90 = 5 h + 0.8 × 1 h = 5 h 48 m.
    expect(report.overall).toMatchObject({ resolved: 3, resMedian: 18_000, resP90: 20_880 })
  })

  it('time waiting for approval is its own figure: first decision per ask; lapsed and pending asks apart', () => {
    expect(report.approval).toMatchObject({ asks: 5, decided: 3, pending: 1, median: 600, p90: 1080 })
    expect(report.approval.longestPending).toBeGreaterThan(500 * 86_400)
  })

  it('repeat escalations: same address or same account within the 90 days before', () => {
    expect(report.repeats).toEqual({ cases: 6, repeats: 2 })
  })

  it('volume by source and CSAT (latest rating per case, response rate over cases asked)', () => {
    expect(report.bySource).toEqual([
      { source: 'ceo_inbox', cases: 2 },
      { source: 'direct', cases: 2 },
      { source: 'bbb', cases: 1 },
      { source: 'lawyer', cases: 1 },
    ])
    expect(report.overall).toMatchObject({ csatCount: 2, csatAverage: 4, surveyed: 3 })
    expect(report.csat).toEqual([
      { rating: 5, cases: 1 },
      { rating: 4, cases: 0 },
      { rating: 3, cases: 1 },
      { rating: 2, cases: 0 },
      { rating: 1, cases: 0 },
    ])
  })

  it('per owner, for coaching: cases, first response, resolution, CSAT', () => {
    const byName = Object.fromEntries(report.owners.map((o) => [o.ownerId ?? 'unowned', o]))
    expect(byName[bob.id]).toMatchObject({
      cases: 3,
      open: 1,
      responded: 2,
      frMedian: 3600,
      resMedian: 21_600,
      csatCount: 0,
      csatAverage: null,
    })
    expect(byName[ann.id]).toMatchObject({ cases: 2, frMedian: 900, resMedian: 14_400, csatCount: 2, csatAverage: 4 })
    expect(byName.unowned).toMatchObject({ cases: 1, ownerName: null, frBreached: 1 })
    expect(report.owners[0]!.ownerId).toBe(bob.id)
  })

  it('12 weekly points ending with the period, empty weeks as zero and no median', () => {
    expect(report.trend.map((w) => w.week)).toEqual([
      '2024-12-16',
      '2024-12-23',
      '2024-12-30',
      '2025-01-06',
      '2025-01-13',
      '2025-01-20',
      '2025-01-27',
      '2025-02-03',
      '2025-02-10',
      '2025-02-17',
      '2025-02-24',
      '2025-03-03',
    ])
    expect(report.trend.map((w) => w.cases)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 6])
    expect(report.trend.at(-1)).toMatchObject({ frMedian: 1500, frMet: 2, frBreached: 3, csatAverage: 4 })
    expect(report.trend[0]).toMatchObject({ cases: 0, frMedian: null, csatAverage: null, frMet: 0 })
  })

  it('an empty period: zeros, no medians, no percentages, twelve empty weeks', async () => {
    const empty = await load({ period: 'custom', from: '2024-06-03', to: '2024-06-09' })
    expect(empty.overall).toMatchObject({ cases: 0, responded: 0, frMedian: null, resMedian: null, csatAverage: null, surveyed: 0 })
    expect(compliance(empty.overall.frMet, empty.overall.frBreached)).toBeNull()
    expect(empty.approval).toMatchObject({ asks: 0, decided: 0, pending: 0, median: null })
    expect(empty.repeats).toEqual({ cases: 0, repeats: 0 })
    expect(empty.bySource).toEqual([])
    expect(empty.owners).toEqual([])
    expect(empty.trend).toHaveLength(12)
    expect(empty.trend.every((w) => w.cases === 0 && w.frMedian === null)).toBe(true)
  })

  it('a case still inside its deadline counts in neither met nor breached', async () => {
    const fresh = await seedOrg(db)
    await insertMetricCase(db, fresh.id, { openedAt: new Date(Date.now() - 60_000).toISOString(), severity: 'SEV-4' })
    const now = await withOrg(db, fresh.id, (tx) => loadMetrics(tx, fresh.id, parsePeriod({ period: '7d' }, 'UTC')))
    expect(now.overall).toMatchObject({ cases: 1, open: 1, responded: 0, frMet: 0, frBreached: 0, resMet: 0, resBreached: 0 })
  })

  it('the page puts first response first, with every figure; the CSV carries them, formula-safe', async () => {
    const app = createTestApp(db)
    const cookie = await sessionCookie(db, { id: ann.id, orgId: org.id })
    const res = await app.request('/metrics?period=custom&from=2025-03-03&to=2025-03-09', { headers: { cookie } })
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page.indexOf('Time to first response')).toBeLessThan(page.indexOf('SLA compliance'))
    expect(page).toContain('<p class="hero-number">25m</p>')
    expect(page).toMatch(/<svg class="chart chart-bar"/)
    expect(page).not.toMatch(/style="/)
    for (const text of [
      'Waiting for approval',
      'Time to resolution',
      'Repeat escalations',
      'Customer satisfaction',
      'Volume by source',
      'By owner',
      'Last 12 weeks',
    ]) {
      expect(page).toContain(text)
    }
    const csv = await (await app.request('/metrics.csv?period=custom&from=2025-03-03&to=2025-03-09', { headers: { cookie } })).text()
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe('section,group,metric,value,unit')
    expect(lines).toContain('cases,all,first_response_median,1500,seconds')
    expect(lines).toContain('cases,SEV-1,first_response_target,900,seconds')
    expect(lines).toContain('cases,all,first_response_compliance,40,percent')
    expect(lines).toContain('approval,all,wait_median,600,seconds')
    expect(lines).toContain('repeats,all,repeat_escalations,2,cases')
    expect(lines).toContain('cases,all,csat_response_rate,66.7,percent')
    expect(lines).toContain('volume,ceo_inbox,cases,2,cases')
    expect(lines).toContain('week,2025-03-03,cases,6,cases')
    // An owner named like a formula is exported as text.
    expect(csv).toContain(`owner,"'=HYPERLINK(""http://evil.test"",""Ann"")",cases,2,cases`)
    expect(await (await app.request('/metrics')).status).not.toBe(200)
  })
})

// The same rules under a business calendar: Monday to Friday 09:00–17:00 UTC, Tuesday 11 March
// a holiday. Durations are working time; compliance still compares with the stored deadlines.
describe('metrics under a business-hours policy', () => {
  let db: Db
  let org: Org
  let report: MetricsReport

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    const hours: [string, string][] = [['09:00', '17:00']]
    await db`update orgs set business_calendar = ${db.json({ timezone: 'UTC', weekly: { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours }, holidays: ['2025-03-11'] })} where id = ${org.id}`
    // A: Friday 16:30, answered Monday 09:20: 30 + 20 = 50 working minutes (due Monday 09:30: met).
    await insertMetricCase(db, org.id, { openedAt: '2025-03-07T16:30:00Z', severity: 'SEV-2', firstResponse: '2025-03-10T09:20:00Z' })
    // B: Monday 08:00, answered 10:30: 90 working minutes (due 10:00: missed).
    await insertMetricCase(db, org.id, { openedAt: '2025-03-10T08:00:00Z', severity: 'SEV-2', firstResponse: '2025-03-10T10:30:00Z' })
    // C: Monday 16:00, answered Wednesday 09:30 over the holiday: 60 + 30 = 90 working minutes (due Monday 17:00: missed).
    await insertMetricCase(db, org.id, { openedAt: '2025-03-10T16:00:00Z', severity: 'SEV-2', firstResponse: '2025-03-12T09:30:00Z' })
    // D: Monday 09:00, answered 09:45 (45 min: met); resolved Thursday 10:00 after an hour waiting on the customer:
    //    Monday 8 h + Wednesday 8 h + Thursday 1 h − 1 h paused = 16 h (due: 8 h + 1 h paused = Wednesday 10:00: missed).
    await insertMetricCase(db, org.id, {
      openedAt: '2025-03-10T09:00:00Z',
      severity: 'SEV-2',
      firstResponse: '2025-03-10T09:45:00Z',
      resolved: '2025-03-13T10:00:00Z',
      pausedSeconds: 3600,
    })
    report = await withOrg(db, org.id, (tx) =>
      loadMetrics(tx, org.id, parsePeriod({ period: 'custom', from: '2025-03-07', to: '2025-03-13' }, 'UTC')),
    )
  })
  afterAll(() => db.end())

  it('reports working time, in the clock of the targets, with the wall clock beside it', () => {
    expect(report.clock).toBe('working')
    // Working: 45, 50, 90, 90 min → median 70 min. Wall: 45 min, 2.5 h, 41.5 h, 64 h 50 m → median 22 h.
    expect(report.overall).toMatchObject({ cases: 4, responded: 4, frMedian: 4200, frWallMedian: 79_200, frMet: 2, frBreached: 2 })
    // D resolved late; A, B and C are still unresolved, long past their deadlines.
    expect(report.overall).toMatchObject({ resolved: 1, resMedian: 57_600, resMet: 0, resBreached: 4 })
  })

  it('CSV says which clock the durations are in', () => {
    expect([...metricsCsv(report)].join('')).toContain('period,all,duration_clock,working,clock')
  })
})
