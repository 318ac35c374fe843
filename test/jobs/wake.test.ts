import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { onJobsCommitted } from '../../src/jobs/wake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'

// src/index.ts wakes its job loop on this signal; a wake before the commit would find no job and
// leave the draft waiting for the next poll, so what matters is that the job is there to claim.
describe('intake wakes the job runner once its case has committed', () => {
  let db: Db
  let org: Org
  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  const draftJobs = () =>
    withOrg(db, org.id, async (tx) => (await tx<{ n: number }[]>`select count(*)::int as n from jobs where kind = 'draft'`)[0]!.n)

  it('a new case: the listener runs after the commit, when its draft job is visible to another transaction', async () => {
    const seen: number[] = []
    let pending: Promise<void> = Promise.resolve()
    const stop = onJobsCommitted(() => {
      pending = draftJobs().then((n) => void seen.push(n))
    })
    try {
      const outcome = await ingestMessage(db, { orgId: org.id, raw: buildEml({ to: org.inboundAddresses[0] }), provider: 'test' })
      expect(outcome.status).toBe('created')
      await pending
      expect(seen).toEqual([1])
    } finally {
      stop()
    }
  })

  it('a redelivery commits nothing new and wakes nobody; after unsubscribing, nothing is called', async () => {
    const raw = buildEml({ to: org.inboundAddresses[0] })
    await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    let calls = 0
    const stop = onJobsCommitted(() => void calls++)
    expect((await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })).status).toBe('duplicate')
    expect(calls).toBe(0)
    stop()
    expect((await ingestMessage(db, { orgId: org.id, raw: buildEml({ to: org.inboundAddresses[0] }), provider: 'test' })).status).toBe(
      'created',
    )
    expect(calls).toBe(0)
  })
})
