import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

// Tampering as a superuser would do it: switch the append-only trigger off, change, switch on.
async function tamper(db: Db, statements: (tx: Db) => Promise<unknown>) {
  await db.begin(async (tx) => {
    await tx`alter table audit_events disable trigger audit_events_append_only`
    await statements(tx as unknown as Db)
    await tx`alter table audit_events enable trigger audit_events_append_only`
  })
}

describe('desk audit verify', () => {
  let db: Db
  const env = () => ({ DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
  beforeAll(() => {
    db = testDb(2)
  })
  afterAll(() => db.end())

  const orgWithEvents = async () => {
    const org = await seedOrg(db)
    for (let i = 0; i < 4; i++) await seedCase(db, org.id)
    return org
  }

  it('exits 0 on an intact trail', async () => {
    const org = await orgWithEvents()
    const result = await runDesk(['audit', 'verify', '--org', org.slug], env())
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact: 4 events/) })
  })

  it.each([
    [
      'an edited row',
      (orgId: string) => (tx: Db) => tx`update audit_events set details = '{"via":"forged"}' where org_id = ${orgId} and seq = 2`,
      /event 2: .*changed/,
    ],
    [
      'a removed row',
      (orgId: string) => (tx: Db) => tx`delete from audit_events where org_id = ${orgId} and seq = 3`,
      /event 4: .*missing/,
    ],
    [
      'a removed last row',
      (orgId: string) => (tx: Db) => tx`delete from audit_events where org_id = ${orgId} and seq = 4`,
      /event 4: .*removed from the end/,
    ],
    [
      'reordered rows',
      (orgId: string) => async (tx: Db) => {
        await tx`update audit_events set seq = -1 where org_id = ${orgId} and seq = 2`
        await tx`update audit_events set seq = 2 where org_id = ${orgId} and seq = 3`
        await tx`update audit_events set seq = 3 where org_id = ${orgId} and seq = -1`
      },
      /event 2: /,
    ],
  ])('exits non-zero naming the first bad row after %s', async (_label, change, message) => {
    const org = await orgWithEvents()
    await tamper(db, change(org.id))
    const result = await runDesk(['audit', 'verify', '--org', org.slug], env())
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(message)
  })
})
