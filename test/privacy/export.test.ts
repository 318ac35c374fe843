import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync, strFromU8 } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/audit/audit.ts'
import type { Db } from '../../src/db.ts'
import { erasePerson } from '../../src/privacy/erase.ts'
import { exportPerson, subjectDigest } from '../../src/privacy/export.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

// Access requests: the zip holds the person's mail as it arrived (.eml, byte for byte) and
// person.json; nobody else's mail; the export is audited without the address.

describe('export of everything held about a person', () => {
  let db: Db
  let dir: string
  beforeAll(async () => {
    db = testDb(2)
    dir = await mkdtemp(join(tmpdir(), 'desk-export-'))
  })
  afterAll(async () => {
    await db.end()
    await rm(dir, { recursive: true, force: true })
  })

  it('desk export-person writes a zip with their mail as .eml and person.json, and audits it', async () => {
    const org = await seedOrg(db)
    const mail = { from: 'Pat Doe <pat@customer.test>', subject: 'Order 4471 never arrived', messageId: `export-${org.slug}@customer.test` }
    const kase = await seedCase(db, org.id, mail)
    await seedCase(db, org.id, { from: 'Lee Other <lee@other.test>', subject: 'Refund for order 9' })
    const out = join(dir, 'pat.zip')
    const result = await runDesk(['export-person', '--org', org.slug, '--email', 'PAT@customer.test', '--out', out], {
      DATABASE_URL: testDatabaseUrl(),
      DESK_DEMO: '0',
    })
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/1 case\(s\), 1 message\(s\)/)
    const files = unzipSync(new Uint8Array(await readFile(out)))
    const emls = Object.keys(files).filter((name) => name.endsWith('.eml'))
    expect(emls).toEqual([`cases/${kase.label}/mail/0001-inbound.eml`])
    const eml = strFromU8(files[emls[0]!]!)
    expect(eml).toContain(`Message-ID: <${mail.messageId}>`)
    expect(eml).toContain('My order never arrived')
    const person = JSON.parse(strFromU8(files['person.json']!))
    expect(person).toMatchObject({ email: 'pat@customer.test', cases: [{ customerEmail: 'pat@customer.test', subject: mail.subject }] })
    expect(JSON.stringify(person)).not.toContain('lee@other.test')
    const [event] = await db`select actor_id, details from audit_events where org_id = ${org.id} and action = 'person.export'`
    expect(event).toEqual({
      actor_id: 'cli',
      details: { subjectSha256: await subjectDigest(org.id, 'pat@customer.test'), cases: 1, messages: 1 },
    })
    expect(JSON.stringify(event)).not.toContain('pat@')
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })
  })

  it('after an erasure the export holds nothing of them; another org sees none of it', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    await seedCase(db, org.id, { from: 'Pat Doe <pat@customer.test>' })
    const elsewhere = await seedOrg(db)
    const foreign = await exportPerson(db, elsewhere.id, { kind: 'system', id: 'test' }, 'pat@customer.test')
    expect(foreign).toMatchObject({ cases: 0, messages: 0 })
    await erasePerson(db, org.id, admin.id, 'pat@customer.test', false)
    const after = await exportPerson(db, org.id, { kind: 'system', id: 'test' }, 'pat@customer.test')
    if ('problem' in after) throw new Error(after.problem)
    expect(after).toMatchObject({ cases: 0, messages: 0 })
    expect(Object.keys(unzipSync(after.zip))).toEqual(['person.json'])
  })
})
