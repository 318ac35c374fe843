import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { loadOwnerCoaching } from '../../src/metrics/metrics.ts'
import { parsePeriod } from '../../src/metrics/period.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { insertMetricCase, insertRating } from '../support/metrics.ts'

// One week (3–9 March 2025, UTC). Ann: one SEV-1 answered in 10 min and resolved in 2 h (both met)
// and rated 5, one SEV-1
// answered in 40 min (late) and rated 2. Bob: one SEV-2 answered in 30 min (met). One unowned
// SEV-3 never answered (late).
describe('the per-owner coaching view', () => {
  let db: Db
  let org: Org
  let ann: { id: string }
  let bob: { id: string }
  let late: { id: string; number: number }
  const week = { period: 'custom', from: '2025-03-03', to: '2025-03-09' }
  const query = new URLSearchParams(week).toString()

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    ann = await seedUser(db, org.id, 'agent')
    bob = await seedUser(db, org.id, 'agent')
    await withOrg(db, org.id, (tx) => tx`update app_users set name = 'Ann Αικατερίνη' where id = ${ann.id}`)
    const met = await insertMetricCase(db, org.id, {
      openedAt: '2025-03-03T10:00:00Z',
      severity: 'SEV-1',
      ownerId: ann.id,
      firstResponse: 10,
      resolved: 120,
      closed: 130,
    })
    late = await insertMetricCase(db, org.id, { openedAt: '2025-03-04T10:00:00Z', severity: 'SEV-1', ownerId: ann.id, firstResponse: 40 })
    await insertMetricCase(db, org.id, { openedAt: '2025-03-05T10:00:00Z', severity: 'SEV-2', ownerId: bob.id, firstResponse: 30 })
    await insertMetricCase(db, org.id, { openedAt: '2025-03-06T10:00:00Z', severity: 'SEV-3' })
    await insertRating(db, org.id, met.id, 5, '2025-03-05T10:00:00Z')
    await insertRating(db, org.id, late.id, 2, '2025-03-06T10:00:00Z')
  })
  afterAll(() => db.end())

  it("puts the owner's figures beside the team's and lists the cases worth talking about", async () => {
    const coaching = await withOrg(db, org.id, (tx) => loadOwnerCoaching(tx, org.id, parsePeriod(week, 'UTC'), ann.id))
    expect(coaching!.owner).toMatchObject({ cases: 2, frMedian: 1500, frMet: 1, frBreached: 1, csatAverage: 3.5 })
    expect(coaching!.report.overall).toMatchObject({ cases: 4, frMet: 2, frBreached: 2 })
    expect(coaching!.trend.at(-1)).toMatchObject({ cases: 2, frMedian: 1500 })
    // Late and rated 2: one case to discuss; the met, well-rated one is not listed.
    expect(coaching!.cases).toEqual([expect.objectContaining({ id: late.id, frBreached: true, rating: 2 })])

    const cookie = await sessionCookie(db, { id: bob.id, orgId: org.id })
    const page = await (await createTestApp(db).request(`/metrics/owners/${ann.id}?${query}`, { headers: { cookie } })).text()
    expect(page).toContain('<h1>Ann Αικατερίνη</h1>')
    expect(page).toContain('Cases to talk about')
    expect(page).toContain(`ESC-${late.number}`)
    expect(page).toContain('first response late')
    expect(page).toMatch(/<svg class="chart chart-bar"/)
    expect(page).not.toMatch(/style="/)
  })

  it('shows the unowned cases as their own group; the metrics page links each owner there', async () => {
    const cookie = await sessionCookie(db, { id: ann.id, orgId: org.id })
    const app = createTestApp(db)
    const unowned = await app.request(`/metrics/owners/unowned?${query}`, { headers: { cookie } })
    expect(unowned.status).toBe(200)
    expect(await unowned.text()).toContain('Unowned cases')
    const metrics = await (await app.request(`/metrics?${query}`, { headers: { cookie } })).text()
    expect(metrics).toContain(`href="/metrics/owners/${bob.id}?`)
    expect(metrics).toContain('href="/metrics/owners/unowned?')
  })

  it("another org's user, or a malformed id, is not found", async () => {
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'agent')
    const cookie = await sessionCookie(db, { id: ann.id, orgId: org.id })
    const app = createTestApp(db)
    expect((await app.request(`/metrics/owners/${stranger.id}`, { headers: { cookie } })).status).toBe(404)
    expect((await app.request('/metrics/owners/not-a-uuid', { headers: { cookie } })).status).toBe(404)
  })
})
