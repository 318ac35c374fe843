import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordAudit, systemActor, verifyAuditChain } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { seedOrg, testDb } from '../support/db.ts'

describe('audit chain', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(8)
  })
  afterAll(() => db.end())

  const seedChain = async (n: number) => {
    const org = await seedOrg(db)
    for (let i = 0; i < n; i++) {
      await withOrg(db, org.id, (tx) => recordAudit(tx, org.id, { actor: systemActor, action: 'test.step', details: { i } }))
    }
    return org
  }

  it('numbers concurrent writers without gaps or forks, and verifies', async () => {
    const org = await seedOrg(db)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withOrg(db, org.id, (tx) => recordAudit(tx, org.id, { actor: { kind: 'user', id: 'u1' }, action: 'test.step', details: { i } })),
      ),
    )
    expect(await verifyAuditChain(db, org.id)).toEqual({ ok: true, events: 20 })
  })

  it('detects a row edited by a superuser', async () => {
    const org = await seedChain(5)
    await db.begin(async (tx) => {
      await tx`alter table audit_events disable trigger audit_events_append_only`
      await tx`update audit_events set details = '{"i": 99}' where org_id = ${org.id} and seq = 3`
      await tx`alter table audit_events enable trigger audit_events_append_only`
    })
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: false, first: { seq: '3', problem: expect.stringMatching(/changed/) } })
  })

  it('detects a removed row, in the middle or at the end', async () => {
    for (const seq of [2, 4]) {
      const org = await seedChain(4)
      await db.begin(async (tx) => {
        await tx`alter table audit_events disable trigger audit_events_append_only`
        await tx`delete from audit_events where org_id = ${org.id} and seq = ${seq}`
        await tx`alter table audit_events enable trigger audit_events_append_only`
      })
      const result = await verifyAuditChain(db, org.id)
      expect(result.ok).toBe(false)
    }
  })

  it('refuses UPDATE, DELETE and TRUNCATE even for the owner while the triggers stand', async () => {
    const org = await seedChain(1)
    await expect(db`update audit_events set action = 'x.y' where org_id = ${org.id}`).rejects.toThrow(/append-only/)
    await expect(db`delete from audit_events where org_id = ${org.id}`).rejects.toThrow(/append-only/)
    await expect(db`truncate audit_events`).rejects.toThrow(/append-only/)
  })
})
