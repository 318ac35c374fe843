import { afterAll, describe, expect, it } from 'vitest'
import { recordAudit, verifyAuditChain } from '../../src/audit/audit.ts'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { migrate, defaultMigrationsDir } from '../../src/migrate.ts'
import { insertOrg, insertUser } from '../../src/orgs/queries.ts'
import { erasePerson } from '../../src/privacy/erase.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'

// The audit chain's upgrade (sql/00037): events written before it (v1, hashed over their details
// as written) still verify, get sealed per org, and can then be erased like new ones, with the
// chain still verifying; an edited digest or seal is caught.

describe('audit chain v1 → v2', () => {
  const name = testDatabaseName('audit-upgrade')
  let db: Db
  afterAll(async () => {
    await db?.end()
    await dropDatabase(name)
  })

  it('old events verify after the upgrade, are sealed, and an erasure of them keeps the chain valid', async () => {
    db = connect(await withDatabase(name), { max: 2 })
    await migrate(db, defaultMigrationsDir, { upTo: 36 })
    const org = await insertOrg(db, { slug: 'old-org', name: 'Old', inboundAddresses: ['escalations@old.test'] })
    const admin = await insertUser(db, org.id, { email: 'admin@old.test', name: 'Admin', role: 'admin' })
    await db`insert into cases (org_id, number, source, customer_email, customer_name, subject, summary, severity, status, reply_token)
             values (${org.id}, 1001, 'direct', 'pat@customer.test', 'Pat Doe', 'Old complaint', '', 'SEV-3', 'new', 'tok-old-1')`
    await withOrg(db, org.id, async (tx) => {
      await recordAudit(tx, org.id, {
        actor: { kind: 'customer', id: 'pat@customer.test' },
        action: 'case.reply',
        details: { from: 'Pat Doe <pat@customer.test>' },
      })
      await recordAudit(tx, org.id, { actor: { kind: 'system', id: null }, action: 'case.note', details: { text: 'unrelated', n: 1 } })
    })
    await migrate(db)
    expect(await verifyAuditChain(db, org.id)).toEqual({ ok: true, events: 3 })
    const [seal] = await db`select seq::int, details from audit_events where org_id = ${org.id} and action = 'audit.seal'`
    expect(seal).toMatchObject({ seq: 3, details: { throughSeq: 2 } })

    await erasePerson(db, org.id, admin.id, 'pat@customer.test', false)
    const [old] = await db`select actor_id, details, erased_at from audit_events where org_id = ${org.id} and seq = 1`
    expect(JSON.stringify(old)).not.toMatch(/pat@|Pat Doe/)
    expect(old!.erased_at).not.toBeNull()
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })

    // A superuser rewriting an erased v1 row's digest to match forged details is caught by the seal.
    await db.begin(async (tx) => {
      await tx`alter table audit_events disable trigger audit_events_append_only`
      await tx`update audit_events set details = '{"from": "someone else"}', details_digest = audit_digest('{"from": "someone else"}', actor_id, details_salt)
               where org_id = ${org.id} and seq = 1`
      await tx`alter table audit_events enable trigger audit_events_append_only`
    })
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: false, first: { seq: '3' } })
  })
})
