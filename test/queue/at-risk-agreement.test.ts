import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { previewDigest } from '../../src/digest/digest.ts'
import { digestCounts } from '../../src/digest/sections.ts'
import { countOpenByClock } from '../../src/queue/queries.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { arrangeCase, minutes } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// The queue and the digest count "at risk" and "breached" with one definition, in SQL
// (case_clock_state and case_is_open_work, sql/00022): at the same instant they say the same
// numbers. They once said "1 at risk" and "13 at risk": the digest counted cases turning at risk
// within 24 hours, and the queue counted set-up test cases the digest left out.

describe('one definition of at risk', () => {
  let db: Db
  let org: Org
  let cookie: string
  const now = new Date()
  const ahead = (m: number) => new Date(now.getTime() + minutes(m))

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    cookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    await arrangeCase(db, org.id, { subject: 'Breached', nextDeadlineAt: ahead(-10), nextAtRiskAt: ahead(-40) })
    await arrangeCase(db, org.id, { subject: 'At risk', nextDeadlineAt: ahead(20), nextAtRiskAt: ahead(-5) })
    await arrangeCase(db, org.id, { subject: 'Turning at risk today', nextDeadlineAt: ahead(600), nextAtRiskAt: ahead(300) })
    await arrangeCase(db, org.id, { subject: 'Fine', nextDeadlineAt: ahead(5000), nextAtRiskAt: ahead(4000) })
    await arrangeCase(db, org.id, {
      subject: 'Resolved, was at risk',
      status: 'resolved',
      nextDeadlineAt: ahead(20),
      nextAtRiskAt: ahead(-5),
    })
    const test = await arrangeCase(db, org.id, { subject: 'Set-up test', nextDeadlineAt: ahead(20), nextAtRiskAt: ahead(-5) })
    await db`update cases set setup_test = true where id = ${test.id}`
  })
  afterAll(() => db.end())

  it('the queue and the digest agree at the same instant', async () => {
    const queue = await withOrg(db, org.id, (tx) => countOpenByClock(tx, now))
    const digest = digestCounts((await previewDigest(db, testEnv(), org.id, now)).digest)
    expect({ breached: queue.breached, atRisk: queue.at_risk }).toEqual({ breached: 1, atRisk: 1 })
    expect({ breached: digest.breached, atRisk: digest.atRisk }).toEqual({ breached: queue.breached, atRisk: queue.at_risk })
  })

  it('the queue page shows those numbers, and its rows are the open work the digest counts', async () => {
    const res = await createTestApp(db).request('/', { headers: { cookie } })
    const html = await res.text()
    expect(html).toMatch(/>1 breached</)
    expect(html).toMatch(/>1 at risk</)
    expect(html).toContain('Turning at risk today')
    expect(html).not.toContain('Set-up test')
    expect(html).not.toContain('Resolved, was at risk')
  })
})
