import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import {
  finishedWithoutCompletedReview,
  insertRecoveryItem,
  overdueRecoveryItemsByCase,
  saveRequiredReviewSeverities,
} from '../../src/recovery/queries.ts'
import { arrangeCase } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// The two facts the red-flags view reads (src/recovery/queries.ts), at a faked instant.
describe('recovery facts', () => {
  let db: Db
  let org: Org
  let other: Org
  let owner: { id: string }
  const inOrg = <T>(o: Org, fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, o.id, fn)

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { timezone: 'America/New_York' })
    other = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
  })
  afterAll(() => db.end())

  const item = (caseId: string, dueOn: string, o: Org = org, ownerId = owner.id) =>
    inOrg(o, (tx) =>
      insertRecoveryItem(tx, {
        orgId: o.id,
        caseId,
        kind: 'apology',
        title: 'Apologise',
        ownerId,
        dueOn,
        creditAmount: null,
        creditCurrency: null,
        createdBy: ownerId,
      }),
    )

  it('an item is overdue from the day after its due date, in the org calendar, and only open ones count', async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-2' })
    await item(c.id, '2030-01-10')
    const done = await item(c.id, '2030-01-01')
    await inOrg(org, (tx) => tx`update recovery_items set status = 'done', done_at = now() where id = ${done}`)
    // 23:30 in New York on the 10th is already the 11th in UTC: not overdue yet.
    const onDueDay = await inOrg(org, (tx) => overdueRecoveryItemsByCase(tx, new Date('2030-01-11T04:30:00Z')))
    expect(onDueDay.find((r) => r.caseId === c.id)).toBeUndefined()
    const dayAfter = await inOrg(org, (tx) => overdueRecoveryItemsByCase(tx, new Date('2030-01-11T05:30:00Z')))
    expect(dayAfter.find((r) => r.caseId === c.id)).toMatchObject({ overdue: 1, oldestDueOn: '2030-01-10', severity: 'SEV-2' })
    // Another org sees none of it.
    expect((await inOrg(other, (tx) => overdueRecoveryItemsByCase(tx, new Date('2031-01-01')))).length).toBe(0)
  })

  it('finished SEV-1/2 cases without a completed review are listed; a completed review takes the case off', async () => {
    const closed = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'closed', closedAt: new Date() })
    const resolved = await arrangeCase(db, org.id, { severity: 'SEV-2', status: 'resolved', resolvedAt: new Date() })
    const minor = await arrangeCase(db, org.id, { severity: 'SEV-3', status: 'closed', closedAt: new Date() })
    const open = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'in_progress' })
    const ids = async () => (await inOrg(org, (tx) => finishedWithoutCompletedReview(tx))).map((r) => r.caseId)
    expect(await ids()).toEqual(expect.arrayContaining([closed.id, resolved.id]))
    expect(await ids()).not.toContain(minor.id)
    expect(await ids()).not.toContain(open.id)
    await inOrg(
      org,
      (tx) =>
        tx`insert into incident_reviews (org_id, case_id, completed_at, completed_by) values (${org.id}, ${closed.id}, now(), ${owner.id})`,
    )
    expect(await ids()).not.toContain(closed.id)
    // The org's own setting decides which severities count.
    await inOrg(org, (tx) => saveRequiredReviewSeverities(tx, org.id, ['SEV-1', 'SEV-2', 'SEV-3'], owner.id))
    expect(await ids()).toContain(minor.id)
    expect(await inOrg(other, (tx) => finishedWithoutCompletedReview(tx))).toEqual([])
  })

  it('asked for some cases, both facts read those cases only', async () => {
    const asked = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'closed', closedAt: new Date() })
    const notAsked = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'closed', closedAt: new Date() })
    const open = await arrangeCase(db, org.id, { severity: 'SEV-2' })
    await item(open.id, '2030-02-01')
    await item(notAsked.id, '2030-02-01')
    const unreviewed = await inOrg(org, (tx) => finishedWithoutCompletedReview(tx, [asked.id, open.id]))
    expect(unreviewed.map((r) => r.caseId)).toEqual([asked.id])
    expect((await inOrg(org, (tx) => finishedWithoutCompletedReview(tx))).map((r) => r.caseId)).toContain(notAsked.id)
    const overdue = await inOrg(org, (tx) => overdueRecoveryItemsByCase(tx, new Date('2030-03-01'), [open.id, asked.id]))
    expect(overdue.map((r) => r.caseId)).toEqual([open.id])
    expect(await inOrg(org, (tx) => finishedWithoutCompletedReview(tx, []))).toEqual([])
  })

  it("row-level security refuses a row written under another org's id", async () => {
    const c = await arrangeCase(db, org.id, {})
    const forged = inOrg(other, (tx) =>
      insertRecoveryItem(tx, {
        orgId: org.id,
        caseId: c.id,
        kind: 'other',
        title: 'x',
        ownerId: owner.id,
        dueOn: '2030-01-01',
        creditAmount: null,
        creditCurrency: null,
        createdBy: owner.id,
      }),
    )
    await expect(forged).rejects.toThrow(/row-level security/)
  })
})
