import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { startScratchServer, type ScratchServer } from '../../src/embedded.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { migrate } from '../../src/migrate.ts'
import { insertOrg } from '../../src/orgs/queries.ts'
import { buildEml } from '../support/db.ts'
import { startPooler, type Pooler } from '../support/pooler.ts'
import { repoRoot } from '../support/process.ts'

// Supabase as the database, simulated on a server of the test's own (roles are cluster-wide, so
// desk_app must not exist yet): the owner is an ordinary login role with CREATEROLE and
// CREATEDB, not a superuser, as Supabase's `postgres` is; the Data API's roles (anon,
// authenticated) get every new table in public by default privileges, as Supabase grants them;
// the app connects through PgBouncer in transaction mode, as through Supabase's pooler on 6543.

/** The SQL block the README's Supabase steps give, between its markers: the test runs what users paste. */
async function readmeSql(marker: string): Promise<string> {
  const readme = await readFile(`${repoRoot}README.md`, 'utf8')
  const start = readme.indexOf(`<!-- ${marker} -->`)
  expect(start, `README marker ${marker}`).toBeGreaterThan(-1)
  const block = /```sql\n([\s\S]*?)```/.exec(readme.slice(start))
  return block![1]!
}

describe('Supabase: a non-superuser owner, the Data API roles, and the pooler', () => {
  let server: ScratchServer
  let pooler: Pooler
  let superuser: Db
  let owner: Db
  let app: Db
  const password = 'supabase-like-owner-password'

  beforeAll(async () => {
    server = await startScratchServer()
    superuser = connect(server.url, { max: 1 })
    await superuser.unsafe(`
      create role anon nologin;
      create role authenticated nologin;
      create role supa login createrole createdb password '${password}';`)
    await superuser`create database desk owner supa`
    // Default privileges belong to one database: set them in the desk's, as Supabase does in its one.
    const inDesk = new URL(server.url)
    inDesk.pathname = '/desk'
    const supabaseAdmin = connect(inDesk.toString(), { max: 1 })
    await supabaseAdmin.unsafe(`
      alter default privileges for role supa in schema public grant all on tables to anon, authenticated;
      alter default privileges for role supa in schema public grant all on sequences to anon, authenticated;
      alter default privileges for role supa in schema public grant all on functions to anon, authenticated;`)
    await supabaseAdmin.end()
    const direct = new URL(server.url)
    direct.username = 'supa'
    direct.password = password
    direct.pathname = '/desk'
    owner = connect(direct.toString(), { max: 1 })
    pooler = await startPooler(direct.toString(), { poolSize: 3 })
    app = connect(pooler.url('desk'), { max: 4, pooled: true })
  }, 60_000)
  afterAll(async () => {
    await Promise.all([app?.end(), owner?.end(), superuser?.end()])
    await pooler?.stop()
    await server?.stop()
  })

  it('migrates as the non-superuser owner: it creates desk_app and may SET LOCAL ROLE to it', async () => {
    const [role] = await owner<
      { super: boolean; createrole: boolean }[]
    >`select rolsuper as super, rolcreaterole as createrole from pg_roles where rolname = current_user`
    expect(role).toEqual({ super: false, createrole: true })
    const { applied } = await migrate(owner)
    expect(applied.length).toBeGreaterThan(10)
    const [grant] = await owner<{ member: boolean; set: boolean }[]>`
      select pg_has_role('supa', 'desk_app', 'member') as member, pg_has_role('supa', 'desk_app', 'set') as set`
    expect(grant).toEqual({ member: true, set: true })
  })

  it('serves through the pooler as desk_app, with row-level security between orgs', async () => {
    const a = await insertOrg(app, { slug: 'supa-a', name: 'A', inboundAddresses: ['escalations@a.test'] })
    const b = await insertOrg(app, { slug: 'supa-b', name: 'B', inboundAddresses: ['escalations@b.test'] })
    const outcome = await ingestMessage(app, {
      orgId: a.id,
      raw: buildEml({ to: 'escalations@a.test', subject: 'On Supabase' }),
      provider: 'test',
    })
    expect(outcome).toMatchObject({ status: 'created' })
    const seen = (orgId: string) =>
      withOrg(app, orgId, async (tx) => {
        const [row] = await tx<
          { role: string; cases: number }[]
        >`select current_user as role, count(*)::int as cases from cases where subject = 'On Supabase'`
        return row
      })
    expect(await seen(a.id)).toEqual({ role: 'desk_app', cases: 1 })
    expect(await seen(b.id)).toEqual({ role: 'desk_app', cases: 0 })
  })

  it("the README's Data API step leaves anon and authenticated no table or sequence of the desk's", async () => {
    const grants = () => owner<{ n: number }[]>`
      select count(*)::int as n from information_schema.role_table_grants
      where grantee in ('anon', 'authenticated') and table_schema = 'public'`
    // What Supabase's default privileges do to every table the owner creates, unless undone.
    expect((await grants())[0]!.n).toBeGreaterThan(0)
    // audit_heads has no row-level security: through the Data API, the anon key could rewrite it.
    const [before] = await owner`select has_table_privilege('anon', 'audit_heads', 'update') as "anonUpdates"`
    expect(before).toEqual({ anonUpdates: true })

    await owner.unsafe(await readmeSql('supabase-data-api'))
    expect((await grants())[0]!.n).toBe(0)
    const [sequences] = await owner<{ n: number }[]>`
      select count(*)::int as n from information_schema.role_usage_grants where grantee in ('anon', 'authenticated') and object_schema = 'public'`
    expect(sequences!.n).toBe(0)
    // And a table a later migration creates gets no grant either.
    await owner`create table later_table (id int)`
    expect((await grants())[0]!.n).toBe(0)
    await owner`drop table later_table`
  })
})
