// The search's bound (sql/00044): a word in at most 500 case names is ranked over every one of
// them, the best first wherever it is; a word in more is common, and the best ranked among the
// org's newest 2,000 cases come first, so one search never reads thousands of rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { searchCases } from '../../src/cases/find.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedCases } from '../../bench/seed.ts'
import { seedOrg, testDb } from '../support/db.ts'

describe('search bounds', () => {
  let db: Db
  let org: Org
  let byAge: { id: string; number: number }[]

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    await seedCases(db, [{ orgId: org.id, total: 2600, open: 100 }])
    // Every case is a "Bulkname" (2,600: common); 300 of them are also "Midname" (rare enough).
    byAge = await db`select id, number from cases where org_id = ${org.id} order by opened_at, number`
    // No references (a reference is more words in the case's head, and a longer head ranks lower).
    await db`update cases set customer_name = 'Bulkname ' || number, external_ref = null where org_id = ${org.id}`
    const mid = byAge.filter((_, i) => i % 8 === 0).slice(0, 300)
    await db`update cases set customer_name = customer_name || ' Midname' where id = any(${mid.map((c) => c.id)}::uuid[])`
    // The oldest case says both words three times and has a word of its own: it ranks best.
    await db`update cases set customer_name = 'Rarename Bulkname Bulkname Midname Midname Midname' where id = ${byAge[0]!.id}`
  })
  afterAll(() => db.end())

  const search = (q: string) => withOrg(db, org.id, (tx) => searchCases(tx, q))

  it('ranks a word of at most 500 cases over all of them: the oldest case, best ranked, comes first', async () => {
    const hits = await search('midname')
    expect(hits).toHaveLength(20)
    expect(hits[0]!.id).toBe(byAge[0]!.id)
    expect((await search('rarename')).map((h) => h.id)).toEqual([byAge[0]!.id])
  })

  it('ranks a word of thousands among the newest 2,000 cases, newest first among equals', async () => {
    const hits = await search('bulkname')
    expect(hits).toHaveLength(20)
    const newest = byAge.slice(-2000).map((c) => c.id)
    for (const hit of hits) expect(newest).toContain(hit.id)
    // The best-ranked case of all is older than the newest 2,000: the bound leaves it out.
    expect(hits.map((h) => h.id)).not.toContain(byAge[0]!.id)
    const opened = hits.map((h) => h.openedAt.getTime())
    expect(opened).toEqual([...opened].sort((a, b) => b - a))
    expect(hits[0]!.id).toBe(byAge[byAge.length - 1]!.id)
  })
})
