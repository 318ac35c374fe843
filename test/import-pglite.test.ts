import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../src/audit/audit.ts'
import { copyDatabase, type Source } from '../src/cli/import-pglite.ts'
import { connect, withOrg, type Db } from '../src/db.ts'
import { openEmbedded, type Embedded } from '../src/embedded.ts'
import { migrate } from '../src/migrate.ts'
import type { Org } from '../src/orgs/queries.ts'
import { seedCase } from './support/cases.ts'
import { dropDatabase, testDatabaseName, withDatabase } from './support/databases.ts'
import { seedOrg, seedUser } from './support/db.ts'
import { seedDraft } from './support/drafts.ts'

// `desk import-pglite` reads the old database through PGlite's query(); the copy itself only
// needs that shape, so here the old database is one on the test server, read the same way.
const asSource = (db: Db): Source => ({ query: async (text, params) => ({ rows: (await db.unsafe(text, params as never[])) as never[] }) })

/** Every table's rows as sorted JSON: equal on both sides when nothing was lost or altered. */
async function snapshot(db: Db, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const table of tables) {
    const [row] = await db.unsafe<{ rows: string }[]>(
      `select coalesce(json_agg(j order by j::text), '[]')::text as rows from (select to_jsonb(t) as j from "${table}" t) s`,
    )
    out[table] = row!.rows
  }
  return out
}

describe('desk import-pglite: the copy into the embedded PostgreSQL', () => {
  let home: string
  let name: string
  let old: Db
  let org: Org
  let embedded: Embedded
  let owner: Db
  let superuser: Db

  beforeAll(async () => {
    name = testDatabaseName('pglite_source')
    old = connect(await withDatabase(name), { max: 2 })
    await migrate(old)
    org = await seedOrg(old)
    const approver = await seedUser(old, org.id, 'approver')
    const kase = await seedCase(old, org.id, { to: `escalations@${org.slug}.test` })
    await seedCase(old, org.id, { to: `escalations@${org.slug}.test`, subject: 'Zweite Beschwerde – äöü' })
    await seedDraft(old, org.id, kase.id)
    expect(approver.id).toBeTruthy()
    home = await mkdtemp(join(tmpdir(), 'desk-import-'))
    await chmod(home, 0o755) // as root, PostgreSQL (the postgres user) must pass through
    embedded = await openEmbedded(join(home, '.data'))
    owner = connect(embedded.url, { max: 2 })
    superuser = connect(embedded.superuserUrl, { max: 1 })
  }, 120_000)
  afterAll(async () => {
    await Promise.all([owner?.end(), superuser?.end(), old?.end()])
    await embedded?.close()
    await dropDatabase(name)
    await rm(home, { recursive: true, force: true })
  })

  it(
    'copies every row unchanged, continues the sequences, keeps the audit chain valid, and refuses a second time',
    { timeout: 120_000 },
    async () => {
      const result = await copyDatabase(asSource(old), owner, superuser)
      // All tables but schema_migrations, which migrate() writes (with its own applied_at).
      const tables = (
        await old<
          { name: string }[]
        >`select tablename as name from pg_tables where schemaname = 'public' and tablename <> 'schema_migrations' order by 1`
      ).map((t) => t.name)
      expect(result.tables).toBe(tables.length)
      expect(result.rows).toBeGreaterThan(10)
      expect(await snapshot(owner, tables)).toEqual(await snapshot(old, tables))

      // The new server is a working desk database: the audit chain verifies, RLS applies, and new
      // rows take ids after the copied ones.
      expect((await verifyAuditChain(owner, org.id)).ok).toBe(true)
      const [lastOld] = await old<{ id: string }[]>`select max(id)::text as id from audit_events`
      await seedCase(owner, org.id, { to: `escalations@${org.slug}.test`, subject: 'After the import' })
      const [next] = await owner<{ id: string }[]>`select min(id)::text as id from audit_events where id > ${lastOld!.id}::bigint`
      expect(BigInt(next!.id)).toBeGreaterThan(BigInt(lastOld!.id))
      expect((await verifyAuditChain(owner, org.id)).ok).toBe(true)
      const visible = await withOrg(owner, org.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from cases`)
      expect(visible[0]!.n).toBe(3)
      const [role] = await owner<{ superuser: boolean }[]>`select rolsuper as superuser from pg_roles where rolname = current_user`
      expect(role!.superuser).toBe(false)

      await expect(copyDatabase(asSource(old), owner, superuser)).rejects.toThrow(/already holds a database/)
    },
  )
})

describe('migrate upTo', () => {
  it('stops after the given version, and the rest applies later', async () => {
    const upto = testDatabaseName('upto')
    const db = connect(await withDatabase(upto), { max: 1 })
    try {
      expect((await migrate(db, undefined, { upTo: 3 })).applied).toHaveLength(3)
      const [{ n }] = (await db`select max(version)::int as n from schema_migrations`) as unknown as [{ n: number }]
      expect(n).toBe(3)
      expect((await migrate(db)).applied.length).toBeGreaterThan(0)
    } finally {
      await db.end()
      await dropDatabase(upto)
    }
  })
})
