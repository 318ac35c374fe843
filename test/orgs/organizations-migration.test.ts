import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { migrate } from '../../src/migrate.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'

// A database set up before organizations had their own tables: its executives move to
// org_executives, and the untyped approvers_by_severity setting becomes approver lists where it
// names a user of the org (and disappears from the settings document either way).

describe('migrating executives and approvers_by_severity (00018)', () => {
  const name = testDatabaseName('orgs_migration')
  let db: Db
  beforeAll(async () => {
    db = connect(await withDatabase(name), { max: 1 })
    await migrate(db, undefined, { upTo: 17 })
  })
  afterAll(async () => {
    await db.end()
    await dropDatabase(name)
  })

  it('keeps every executive and every approver the setting named, and drops the setting', async () => {
    const [org] = await db<{ id: string }[]>`
      insert into orgs (slug, name, inbound_addresses, executive_forwarders, settings)
      values ('old-co', 'Old Co', '{escalations@old.test}', '{CEO@old.test, coo@old.test, not-an-address}',
              ${db.json({ approvers_by_severity: { 'SEV-1': ['Exec@old.test', 'gone@old.test'], 'SEV-2': 'exec@old.test', 'SEV-9': ['exec@old.test'] }, signature: 'Old Co' } as never)})
      returning id`
    const [exec] = await db<
      { id: string }[]
    >`insert into app_users (org_id, email, name, role) values (${org!.id}, 'exec@old.test', 'Exec', 'approver') returning id`
    const [plain] = await db<{ id: string }[]>`insert into orgs (slug, name) values ('plain-co', 'Plain Co') returning id`

    await migrate(db)
    expect(await db`select org_id, email, name, title, send_as from org_executives order by email`).toEqual([
      { org_id: org!.id, email: 'ceo@old.test', name: '', title: '', send_as: false },
      { org_id: org!.id, email: 'coo@old.test', name: '', title: '', send_as: false },
    ])
    expect(await db`select org_id, scope, value, user_id from approver_assignments`).toEqual([
      { org_id: org!.id, scope: 'severity', value: 'SEV-1', user_id: exec!.id },
    ])
    expect(await db`select id, settings from orgs order by slug`).toEqual([
      { id: org!.id, settings: { signature: 'Old Co' } },
      { id: plain!.id, settings: {} },
    ])
    const columns =
      await db`select column_name from information_schema.columns where table_name = 'orgs' and column_name = 'executive_forwarders'`
    expect(columns).toEqual([])
  })
})
