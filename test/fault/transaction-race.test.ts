import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { testDatabaseUrl } from '../support/db.ts'

// postgres.js hands a caller's statement to a connection that is still busy when every one is
// (it pipelines). A connection whose BEGIN has just been written belongs to that transaction: a
// statement sent down it would run inside it and be undone by its rollback, though its caller was
// told it succeeded. patches/postgres+3.4.9.patch makes sql.begin reserve its connection however
// full the pipeline is (for max_pipeline 0, which the app sets behind a pooler); this holds it to
// sending nothing else behind a BEGIN.
describe("one caller's statement never runs inside another's transaction", () => {
  let db: Db
  const table = `race_${randomBytes(4).toString('hex')}`
  beforeAll(async () => {
    db = connect(testDatabaseUrl(), { max: 2 })
    await db.unsafe(`create table ${table} (n int)`)
  })
  afterAll(async () => {
    await db.unsafe(`drop table ${table}`)
    await db.end()
  })

  it('every connection busy, a transaction begun and rolled back: the inserts around it all stay', async () => {
    // Both connections busy, so the transaction's BEGIN and the inserts queue behind them.
    const busy = [db`select pg_sleep(0.3)`.execute(), db`select pg_sleep(0.3)`.execute()]
    const rolledBack = db
      .begin(async (tx) => {
        await tx`select pg_sleep(0.1)`
        throw new Error('rolled back')
      })
      .catch((error: Error) => error.message)
    const inserts = [1, 2, 3, 4, 5, 6].map((n) => db.unsafe(`insert into ${table} values ($1)`, [n]).then(() => n))
    expect(await Promise.all([rolledBack, ...inserts])).toEqual(['rolled back', 1, 2, 3, 4, 5, 6])
    await Promise.all(busy)
    const rows = await db.unsafe<{ n: number }[]>(`select n from ${table} order by n`)
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6])
  })
})
