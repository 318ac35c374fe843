import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { migrate } from '../../src/migrate.ts'
import { openDatabase, type Database } from '../../src/runtime.ts'
import { testEnv } from '../support/app.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml, seedOrg, testDatabaseUrl } from '../support/db.ts'
import { startPooler, type Pooler } from '../support/pooler.ts'

// The desk behind PgBouncer in transaction mode, the constraint of Supabase's pooler (6543),
// Neon's pooled host and Hyperdrive: a server connection is a client's only for one transaction.
// Two poolers: one with a few server connections, so a client's statements land on different
// ones (a statement prepared on one is missing on the next), and one with a single server
// connection that every client shares, so anything a transaction left on its session (a
// setting, a role, a lock) would reach the next client.

const databaseName = (url: string) => new URL(url).pathname.slice(1)

describe('behind a transaction pooler (PgBouncer, pool_mode = transaction)', () => {
  let pooler: Pooler
  let single: Pooler
  let pooledUrl: string
  const opened: { end: () => Promise<void> }[] = []

  beforeAll(async () => {
    pooler = await startPooler(testDatabaseUrl(), { poolSize: 3 })
    single = await startPooler(testDatabaseUrl(), { poolSize: 1 })
    pooledUrl = pooler.url(databaseName(testDatabaseUrl()))
  })
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.end()))
    await Promise.all([pooler.stop(), single.stop()])
  })

  const open = async (settings: Record<string, string>): Promise<Database> => {
    const database = await openDatabase(testEnv(settings))
    opened.push({ end: database.close })
    return database
  }

  /** Org-scoped reads and writes from many callers at once, as concurrent requests make them. */
  async function busyWork(db: Db) {
    const org = await seedOrg(db)
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? ingestMessage(db, { orgId: org.id, raw: buildEml({ to: org.inboundAddresses[0] }), provider: 'test' })
          : withOrg(db, org.id, (tx) => tx`select count(*)::int as n from cases where status = ${'new'}`),
      ),
    )
    return outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))
  }

  it('DATABASE_POOLED=1: the app connection serves concurrent org-scoped work without a failure', async () => {
    const { db } = await open({ DATABASE_URL: pooledUrl, DATABASE_POOLED: '1' })
    expect(await busyWork(db)).toEqual([])
  })

  it('a pooler is recognised by its URL: `pgbouncer=true` (as Prisma writes it) is understood, not sent to the server', async () => {
    const { db } = await open({ DATABASE_URL: `${pooledUrl}?pgbouncer=true` })
    expect(await busyWork(db)).toEqual([])
  })

  it("no transaction's org or role reaches the next client on the same server connection", async () => {
    const sharedUrl = single.url(databaseName(testDatabaseUrl()))
    const { db } = await open({ DATABASE_URL: sharedUrl, DATABASE_POOLED: '1' })
    const org = await seedOrg(db)
    const inside = await withOrg(db, org.id, async (tx) => {
      const [row] = await tx`select current_setting('app.org_id', true) as org, current_user as role`
      return row
    })
    expect(inside).toEqual({ org: org.id, role: 'desk_app' })
    // Another pool, so another client connection: PgBouncer hands it the same (only) server one.
    const other = connect(sharedUrl, { max: 1, pooled: true })
    opened.push(other)
    const [after] = await other`select coalesce(current_setting('app.org_id', true), '') as org, current_user = 'desk_app' as "isDeskApp"`
    expect(after).toEqual({ org: '', isDeskApp: false })
  })

  it('statements from more callers than connections: none waits forever behind one the pooler has finished', async () => {
    // postgres.js sends a caller's statement down a connection that is still busy with another's
    // when it could (one without parameters). PgBouncer hands the server connection back at the
    // first one's end, and the second's answer is dropped ("got packet from server when not
    // linked"): its caller waited forever. Two connections for forty callers, half with no
    // parameters, as the digest tests' helper once sent (a `select to_regclass(…)` beside a number taken).
    const db = connect(pooledUrl, { max: 2, pooled: true })
    opened.push(db)
    const answers = await Promise.race([
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0 ? db`select 1 as n`.then(([r]) => r!.n) : db`select ${i}::int as n`.then(([r]) => r!.n),
        ),
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('an answer never came'), 10_000)),
    ])
    expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1 : i)))
  })

  it('migrations run through the pooler too: concurrent starts apply each file once and hold no lock afterwards', async () => {
    const name = testDatabaseName('pooled_migrate')
    await withDatabase(name)
    try {
      const a = connect(single.url(name), { max: 1, pooled: true })
      const b = connect(single.url(name), { max: 1, pooled: true })
      opened.push(a, b)
      const [first, second] = await Promise.all([migrate(a), migrate(b)])
      const applied = [...first!.applied, ...second!.applied]
      expect(applied.length).toBeGreaterThan(10)
      expect(new Set(applied).size).toBe(applied.length)
      // A session-level lock would still be held by the server connection PgBouncer keeps open.
      // (This database's: other suites running beside this one hold their own, elsewhere.)
      const [locks] = await a`
        select count(*)::int as n from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`
      expect(locks!.n).toBe(0)
    } finally {
      await Promise.all([opened.pop()!.end(), opened.pop()!.end()])
      await dropDatabase(name)
    }
  })
})
