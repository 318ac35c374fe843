import { unzipSync, strFromU8 } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/audit/audit.ts'
import type { Db } from '../../src/db.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// /admin/privacy through the app: admins only, a preview that changes nothing, an erasure that
// needs the address typed twice, the export as a download, retention saved and audited.

describe('/admin/privacy', () => {
  let db: Db
  let app: ReturnType<typeof createTestApp>
  beforeAll(() => {
    db = testDb(3)
    app = createTestApp(db)
  })
  afterAll(() => db.end())

  async function arrange() {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const agent = await seedUser(db, org.id, 'agent')
    const kase = await seedCase(db, org.id, { from: 'Pat Doe <pat@customer.test>', subject: 'Lost parcel 77' })
    return {
      org,
      kase,
      adminCookie: await sessionCookie(db, { id: admin.id, orgId: org.id }),
      agentCookie: await sessionCookie(db, { id: agent.id, orgId: org.id }),
    }
  }
  const post = (path: string, cookie: string, fields: Record<string, string>) => app.request(path, formPost(fields, { cookie }))
  const subjectOf = async (caseId: string) => (await db`select subject from cases where id = ${caseId}`)[0]!.subject

  it('is for admins only', async () => {
    const { agentCookie } = await arrange()
    expect((await app.request('/admin/privacy', { headers: { cookie: agentCookie } })).status).toBe(403)
    expect((await post('/admin/privacy/erase', agentCookie, { email: 'pat@customer.test', confirm: 'pat@customer.test' })).status).toBe(403)
    expect((await post('/admin/privacy/export', agentCookie, { email: 'pat@customer.test' })).status).toBe(403)
  })

  it('previews, refuses a mistyped confirmation, then erases', async () => {
    const { org, kase, adminCookie } = await arrange()
    const page = await app.request('/admin/privacy', { headers: { cookie: adminCookie } })
    expect(await page.text()).toContain('Erase a person')
    const preview = await post('/admin/privacy/erase/preview', adminCookie, { email: 'Pat@Customer.test' })
    const previewHtml = await preview.text()
    expect(preview.status).toBe(200)
    expect(previewHtml).toContain('Would erase pat@customer.test')
    expect(previewHtml).toContain('1 case(s)')
    expect(await subjectOf(kase.id)).toBe('Lost parcel 77')
    const mistyped = await post('/admin/privacy/erase', adminCookie, { email: 'pat@customer.test', confirm: 'pat@customer.tset' })
    expect(mistyped.status).toBe(422)
    expect(await subjectOf(kase.id)).toBe('Lost parcel 77')
    const erased = await post('/admin/privacy/erase', adminCookie, { email: 'pat@customer.test', confirm: 'PAT@customer.test' })
    expect(erased.status).toBe(200)
    expect(await erased.text()).toContain('Erased pat@customer.test')
    expect(await subjectOf(kase.id)).toBe('[erased]')
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })
  })

  it('downloads the export as a zip, not stored by the double-submit guard', async () => {
    const { org, kase, adminCookie } = await arrange()
    const res = await post('/admin/privacy/export', adminCookie, { email: 'pat@customer.test' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/zip')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="person-export-/)
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()))
    expect(Object.keys(files)).toContain(`cases/${kase.label}/mail/0001-inbound.eml`)
    expect(strFromU8(files['person.json']!)).toContain('Lost parcel 77')
    const kept = await db`select response_body from form_submissions where org_id = ${org.id} and response_body like '%pat@customer%'`
    expect(kept).toEqual([])
    const bad = await post('/admin/privacy/export', adminCookie, { email: 'not-an-address' })
    expect(bad.status).toBe(422)
  })

  it('saves retention (audited) and refuses a period that is not offered', async () => {
    const { org, adminCookie } = await arrange()
    const saved = await post('/admin/privacy/retention', adminCookie, { months: '24' })
    expect(saved.status).toBe(303)
    expect((await db`select retention_months from orgs where id = ${org.id}`)[0]!.retention_months).toBe(24)
    expect((await post('/admin/privacy/retention', adminCookie, { months: '0' })).status).toBe(422)
    expect((await post('/admin/privacy/retention', adminCookie, { months: '1; drop table cases' })).status).toBe(422)
    await post('/admin/privacy/retention', adminCookie, { months: '' })
    const changes = await db`select details from audit_events where org_id = ${org.id} and action = 'org.retention_change' order by seq`
    expect(changes.map((c) => c.details)).toEqual([
      { from: null, to: 24 },
      { from: 24, to: null },
    ])
  })
})
