import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordAudit, systemActor } from '../src/audit/audit.ts'
import { withOrg, type Db, type DbOrTx } from '../src/db.ts'
import { ingestMessage } from '../src/intake/intake.ts'
import { buildEml, seedOrg, seedUser, testDb } from './support/db.ts'

const tenantTables = ['orgs', 'app_users', 'inbound_raw', 'cases', 'messages', 'audit_events', 'jobs', 'accounts'] as const

type TableGuard = { table: string; rls: boolean; policy: boolean }

/**
 * Every table the application role can read or write that holds an org_id column (plus orgs
 * itself), from the catalog, with whether row-level security is on and a policy compares the
 * row's org with the transaction's (app_org_id()). A table added later is in this list the
 * moment it exists, whether or not anyone remembers to test it.
 */
async function guardedTables(db: DbOrTx): Promise<TableGuard[]> {
  return db<TableGuard[]>`
    select c.relname as table, c.relrowsecurity as rls,
           exists (select 1 from pg_policy p where p.polrelid = c.oid
                   and pg_get_expr(p.polqual, p.polrelid) like '%app_org_id()%'
                   and coalesce(pg_get_expr(p.polwithcheck, p.polrelid), pg_get_expr(p.polqual, p.polrelid)) like '%app_org_id()%') as policy
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and has_table_privilege('desk_app', c.oid, 'select, insert, update, delete')
      and (c.relname = 'orgs' or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped))
    order by c.relname`
}

describe('tenant isolation (row-level security)', () => {
  let db: Db
  let a: { id: string; slug: string }
  let b: { id: string; slug: string }
  // One row id per table, all belonging to org B.
  const bIds: Record<string, string> = {}

  beforeAll(async () => {
    db = testDb()
    a = await seedOrg(db)
    b = await seedOrg(db)
    for (const org of [a, b]) {
      await seedUser(db, org.id, 'admin')
      await ingestMessage(db, { orgId: org.id, raw: buildEml(), provider: 'test' })
      await withOrg(db, org.id, (tx) => recordAudit(tx, org.id, { actor: systemActor, action: 'test.seed' }))
      await withOrg(db, org.id, (tx) => tx`insert into accounts (org_id, domain, name) values (${org.id}, ${`${org.slug}.test`}, 'Acct')`)
    }
    for (const table of tenantTables) {
      const column = table === 'orgs' ? 'id' : 'org_id'
      const [row] = await db.unsafe(`select id::text from ${table} where ${column} = $1 limit 1`, [b.id])
      bIds[table] = row!.id
    }
  })
  afterAll(() => db.end())

  it.each(tenantTables)("org A sees none of org B's %s, even by id", async (table) => {
    const rows = await withOrg(db, a.id, (tx) => tx.unsafe(`select id::text from ${table} where id::text = $1`, [bIds[table]!]))
    expect(rows).toHaveLength(0)
    const own = await withOrg(db, b.id, (tx) => tx.unsafe(`select id::text from ${table} where id::text = $1`, [bIds[table]!]))
    expect(own).toHaveLength(1)
  })

  it.each(tenantTables)("every row of %s visible to org A is org A's", async (table) => {
    const column = table === 'orgs' ? 'id' : 'org_id'
    const rows = await withOrg(db, a.id, (tx) => tx.unsafe(`select distinct ${column}::text as org from ${table}`))
    expect(rows.map((r) => r.org)).toEqual([a.id])
  })

  it('every table with an org_id column that desk_app can reach has row-level security and an org policy', async () => {
    const tables = await guardedTables(db)
    // The hand-picked tables below are among them, and so is everything added since.
    expect(tables.map((t) => t.table)).toEqual(
      expect.arrayContaining([...tenantTables, 'drafts', 'approval_requests', 'approvals', 'outbox', 'import_runs']),
    )
    expect(tables.filter((t) => !t.rls || !t.policy)).toEqual([])
  })

  it('that catalog check names a tenant table created without row-level security', async () => {
    const refused = new Error('rolled back')
    await expect(
      db.begin(async (tx) => {
        await tx`create table test_unguarded (id serial primary key, org_id uuid)`
        await tx`grant select on test_unguarded to desk_app`
        const unguarded = (await guardedTables(tx)).filter((t) => !t.rls || !t.policy)
        expect(unguarded).toEqual([{ table: 'test_unguarded', rls: false, policy: false }])
        throw refused
      }),
    ).rejects.toBe(refused)
  })

  it('org A cannot write rows into org B', async () => {
    await expect(withOrg(db, a.id, (tx) => tx`insert into jobs (org_id, kind) values (${b.id}, 'draft')`)).rejects.toThrow(
      /row-level security/,
    )
    await expect(
      withOrg(db, a.id, (tx) => tx`update cases set subject = 'hijacked' where org_id = ${b.id} returning id`),
    ).resolves.toHaveLength(0)
  })

  it('desk_app without an org setting sees nothing', async () => {
    const counts = await db.begin(async (tx) => {
      await tx`set local role desk_app`
      return Promise.all(tenantTables.map(async (t) => (await tx.unsafe(`select count(*)::int as n from ${t}`))[0]!.n))
    })
    expect(counts).toEqual(tenantTables.map(() => 0))
  })

  it('desk_app cannot switch RLS off, bypass it, or rewrite the audit trail', async () => {
    const asApp = (statement: string) =>
      db.begin(async (tx) => {
        await tx`set local role desk_app`
        await tx.unsafe(statement)
      })
    await expect(asApp('alter table cases disable row level security')).rejects.toThrow(/must be owner/)
    await expect(asApp('set row_security = off; select * from cases')).rejects.toThrow(/row-level security|permission/)
    const [role] = await db`select rolsuper, rolbypassrls from pg_roles where rolname = 'desk_app'`
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false })
    const owners = await db`select distinct tableowner from pg_tables where tablename in ${db(tenantTables as unknown as string[])}`
    expect(owners.map((o) => o.tableowner)).not.toContain('desk_app')
    await expect(withOrg(db, a.id, (tx) => tx`update audit_events set action = 'case.forged'`)).rejects.toThrow(
      /permission denied|append-only/,
    )
    await expect(withOrg(db, a.id, (tx) => tx`delete from audit_events`)).rejects.toThrow(/permission denied|append-only/)
  })
})
