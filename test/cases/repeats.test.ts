import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isEarlierEscalation, listEarlierEscalations } from '../../src/cases/repeats.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { loadDraftContext } from '../../src/drafts/context.ts'
import { repeatEscalations } from '../../src/metrics/queries.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { recoverySuggestion } from '../../src/reviews/recovery.ts'
import { loadReview } from '../../src/reviews/review.ts'
import { seedOrg, testDb } from '../support/db.ts'
import { insertMetricCase } from '../support/metrics.ts'

// "A repeat escalation" means one thing wherever the desk uses it (the case page's earlier
// escalations, what a draft is written from, the recovery it suggests, the post-incident review,
// the metrics): another case of the same customer, by address or by account, opened in the 90
// days before.

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString()

describe('repeat escalations: one definition', () => {
  let db: Db
  let org: Org
  let target: { id: string; number: number }
  let expected: number[]
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const [account] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string }[]>`
      insert into accounts (org_id, domain, name) values (${org.id}, 'acme.test', 'Acme') returning id`,
    )
    const seed = (days: number, customerEmail: string, accountId: string | null = null) =>
      insertMetricCase(db, org.id, { openedAt: daysAgo(days), severity: 'SEV-2', source: 'direct', customerEmail, accountId })
    await seed(250, 'pat@acme.test') // too long ago
    await seed(200, 'pat@acme.test') // too long ago
    const sameAddress = await seed(30, 'pat@acme.test')
    const sameAccount = await seed(10, 'kim@acme.test', account!.id)
    await seed(5, 'someone@else.test') // another customer
    target = await seed(1, 'pat@acme.test', account!.id)
    await seed(0, 'pat@acme.test', account!.id) // after it: not earlier
    expected = [sameAccount.number, sameAddress.number] // newest first
  })
  afterAll(() => db.end())

  it('the case page lists the earlier escalations, newest first', async () => {
    const history = await withOrg(db, org.id, (tx) => listEarlierEscalations(tx, target.id))
    expect(history.map((h) => h.number)).toEqual(expected)
  })

  it('a draft is written knowing the same earlier escalations', async () => {
    const context = await withOrg(db, org.id, (tx) => loadDraftContext(tx, target.id))
    expect(context!.earlierCases.map((e) => e.number)).toEqual(expected)
  })

  it('the suggested recovery and the post-incident review count the same two', async () => {
    const recovery = await withOrg(db, org.id, (tx) => recoverySuggestion(tx, target.id))
    expect(recovery!.rationale).toContain('2 earlier escalations')
    const review = await withOrg(db, org.id, (tx) => loadReview(tx, org.id, target.id))
    expect(review!.fields.customerImpact).toContain('2 earlier escalations from this customer.')
  })

  it('the metrics count repeats by the same definition, over a whole period', async () => {
    // The period holds the target and the case after it: both have an earlier escalation.
    const from = new Date(daysAgo(2)),
      to = new Date(Date.now() + 60_000)
    const figures = await withOrg(db, org.id, (tx) => repeatEscalations(tx, from, to))
    const perCase = await withOrg(
      db,
      org.id,
      (tx) => tx<{ n: number }[]>`
      select count(*)::int as n from cases c where c.opened_at >= ${from} and c.opened_at < ${to}
        and exists (select 1 from cases earlier where ${isEarlierEscalation(tx)})`,
    )
    expect(figures).toEqual({ cases: 2, repeats: 2 })
    expect(perCase[0]!.n).toBe(figures.repeats)
  })
})
