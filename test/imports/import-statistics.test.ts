import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, testDb } from '../support/db.ts'

// sql/00049: an import's transaction analyzes the tables it grows once its rows are more than
// twice the cases the statistics know of, counting its own rows nobody else can see yet.
describe('import_statistics: statistics that have seen the import', () => {
  let db: Db
  let org: Org

  beforeAll(async () => {
    db = testDb(2)
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  const known = async (tx: Parameters<Parameters<typeof withOrg>[2]>[0]) =>
    Number((await tx<{ n: number }[]>`select reltuples::float8 as n from pg_class where oid = 'cases'::regclass`)[0]!.n)

  it('the app may call it, and it counts the transaction’s own new cases; no more than twice what it knows: nothing', async () => {
    await withOrg(db, org.id, async (tx) => {
      await tx`
        insert into cases (org_id, number, source, customer_email, subject, severity, status, reply_token, opened_at,
                           first_response_due_at, resolution_due_at)
        select ${org.id}, 900000 + g, 'ceo_inbox', 'stats' || g || '@customer.test', 'Statistics ' || g, 'SEV-3', 'new',
               'stats-' || g || '-' || ${org.id}, now(), now() + interval '1 hour', now() + interval '1 day'
        from generate_series(1, 300) g`
      const before = await known(tx)
      const written = Math.max(before, 0) * 2 + 1
      expect((await tx<{ done: boolean }[]>`select import_statistics(${written}) as done`)[0]!.done).toBe(true)
      const after = await known(tx)
      // The 300 rows of this transaction are in it (whatever other test files committed meanwhile).
      expect(after).toBeGreaterThanOrEqual(300)
      expect((await tx<{ done: boolean }[]>`select import_statistics(${Math.floor(after * 2)}) as done`)[0]!.done).toBe(false)
      throw new Error('roll back')
    }).catch((error: Error) => {
      if (error.message !== 'roll back') throw error
    })
  })
})
