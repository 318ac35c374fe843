import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { freePort, runDesk, startServer } from '../support/process.ts'

// With DATABASE_URL the desk is a real deployment: no demo organization, and no admin sign-in
// link in the logs on every start (security review, finding 12), unless DESK_DEMO=1 asks.

describe('the demo organization on a database given by DATABASE_URL', () => {
  const names = [testDatabaseName('demo_off'), testDatabaseName('demo_on')]
  const urls: string[] = []
  const pools: Db[] = []
  beforeAll(async () => {
    for (const name of names) {
      urls.push(await withDatabase(name))
      pools.push(connect(urls.at(-1)!, { max: 1 }))
    }
  })
  afterAll(async () => {
    for (const pool of pools) await pool.end()
    for (const name of names) await dropDatabase(name)
  })

  const orgSlugs = async (db: Db) => (await db<{ slug: string }[]>`select slug from orgs order by slug`).map((o) => o.slug)

  it('is not created, and no sign-in link is printed, by default', { timeout: 60_000 }, async () => {
    const migrated = await runDesk(['migrate'], { DATABASE_URL: urls[0]! })
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).not.toMatch(/demo/)
    const port = await freePort()
    const server = await startServer({ DATABASE_URL: urls[0]!, PORT: String(port), SCHEDULER_INTERVAL_SECONDS: '0' })
    try {
      expect(server.output()).not.toMatch(/sign-in\/confirm|Sign in as/)
    } finally {
      await server.stop()
    }
    expect(server.output()).not.toMatch(/sign-in\/confirm|Sign in as/)
    expect(await orgSlugs(pools[0]!)).toEqual([])
  })

  it('is created with DESK_DEMO=1', { timeout: 60_000 }, async () => {
    const migrated = await runDesk(['migrate'], { DATABASE_URL: urls[1]!, DESK_DEMO: '1' })
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).toMatch(/created the demo organization "demo"/)
    expect(await orgSlugs(pools[1]!)).toEqual(['demo'])
  })
})
