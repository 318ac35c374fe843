import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { insertOrg, insertUser, type Org } from '../../src/orgs/queries.ts'
import { evalRoot } from '../eval/intake-eval.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { buildEml, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

// Triage corrects what intake read, one click per field; each correction is audited and kept
// as a labelled example (the message, the field, what intake said, what the person decided),
// exportable for checking the rules against people's decisions.

type Example = { field: string; intake_value: unknown; decided_value: unknown; raw_id: string | null; decided_by: string }

describe('one-click corrections, kept as labelled examples', () => {
  let db: Db
  let org: Org
  let agent: { id: string }
  let admin: { id: string }
  let app: ReturnType<typeof createTestApp>

  beforeAll(async () => {
    db = testDb()
    const slug = `nwc-${randomBytes(4).toString('hex')}`
    org = await insertOrg(db, {
      slug,
      name: 'Northwind Outfitters',
      inboundAddresses: ['escalations@northwind.example'],
      domains: ['northwind.example', 'northwind.de'],
      executiveForwarders: ['dana.ruiz@northwind.example'],
    })
    agent = await insertUser(db, org.id, { email: 't.baker@northwind.example', name: 'Tom Baker', role: 'agent' })
    admin = await insertUser(db, org.id, { email: 'admin@northwind.example', name: 'Ada Admin', role: 'admin' })
    app = createTestApp(db)
  })
  afterAll(() => db.end())

  const cookie = (id: string) => sessionCookie(db, { id, orgId: org.id })
  async function ingest(raw: Uint8Array) {
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(outcome.status).toBe('created')
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; rawId: string }[]>`
      select c.id, m.raw_id as "rawId" from cases c join messages m on m.case_id = c.id where 'ESC-' || c.number = ${outcome.case}`,
    )
    return row!
  }
  const examples = (caseId: string) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<Example[]>`
    select field, intake_value, decided_value, raw_id, decided_by::text from intake_examples where case_id = ${caseId} order by created_at`,
    )
  const caseRow = (caseId: string) => withOrg(db, org.id, async (tx) => (await tx`select * from cases where id = ${caseId}`)[0]!)

  it('the customer: stored, audited, kept against what intake said; a colleague or a no-reply address is refused', async () => {
    const kase = await ingest(
      buildEml({
        from: 'Pat Doe <pat.doe@family-mail.test>',
        to: 'escalations@northwind.example',
        body: 'My order never came and nobody answers my emails.',
      }),
    )
    const c = await cookie(agent.id)
    const res = await app.request(
      `/cases/${kase.id}/correct/customer`,
      formPost({ customerName: 'Sam Doe', customerEmail: 'Sam.Doe@gmail.com' }, { cookie: c }),
    )
    expect(res.status).toBe(303)
    expect(await caseRow(kase.id)).toMatchObject({ customer_name: 'Sam Doe', customer_email: 'sam.doe@gmail.com' })
    expect(await examples(kase.id)).toEqual([
      {
        field: 'customer',
        raw_id: kase.rawId,
        decided_by: agent.id,
        intake_value: { name: 'Pat Doe', email: 'pat.doe@family-mail.test' },
        decided_value: { name: 'Sam Doe', email: 'sam.doe@gmail.com' },
      },
    ])
    const audit = (await auditActions(db, org.id, kase.id)).find((a) => a.action === 'case.correct')!
    expect(audit).toMatchObject({ actorId: agent.id, details: { field: 'customer', to: { name: 'Sam Doe', email: 'sam.doe@gmail.com' } } })

    for (const address of ['t.baker@northwind.example', 'someone@northwind.de', 'noreply@shop.test']) {
      const refused = await app.request(
        `/cases/${kase.id}/correct/customer`,
        formPost({ customerName: 'X', customerEmail: address }, { cookie: c, 'hx-request': 'true' }),
      )
      expect(refused.status, address).toBe(400)
    }
    expect(await caseRow(kase.id)).toMatchObject({ customer_email: 'sam.doe@gmail.com' })
  })

  it('the source, the reference and the severity, each one click, each an example; a reference another case has is refused', async () => {
    const first = await ingest(
      buildEml({
        to: 'escalations@northwind.example',
        subject: 'Complaint about my order',
        body: 'Nobody answers my emails about my broken tent.',
      }),
    )
    const other = await ingest(
      buildEml({
        to: 'escalations@northwind.example',
        subject: 'Another complaint',
        body: 'A different customer with a different problem entirely.',
      }),
    )
    const c = await cookie(agent.id)
    expect((await app.request(`/cases/${first.id}/correct/source`, formPost({ source: 'social' }, { cookie: c }))).status).toBe(303)
    expect(
      (await app.request(`/cases/${first.id}/correct/reference`, formPost({ externalRef: 'BBB-12345678' }, { cookie: c }))).status,
    ).toBe(303)
    expect((await app.request(`/cases/${first.id}/severity`, formPost({ severity: 'SEV-2' }, { cookie: c }))).status).toBe(303)
    const kase = await caseRow(first.id)
    expect(kase).toMatchObject({ source: 'social', external_ref: 'BBB-12345678', severity: 'SEV-2' })
    expect((await examples(first.id)).map((e) => [e.field, e.intake_value, e.decided_value])).toEqual([
      ['source', 'direct', 'social'],
      ['externalRef', null, 'BBB-12345678'],
      ['severity', kase.intake.severity, 'SEV-2'],
    ])
    const taken = await app.request(
      `/cases/${other.id}/correct/reference`,
      formPost({ externalRef: 'BBB-12345678' }, { cookie: c, 'hx-request': 'true' }),
    )
    expect(taken.status).toBe(409)
    expect(await taken.text()).toMatch(/ESC-\d+ already has the reference BBB-12345678/)
    // The intake reading itself never changes: it is what corrections are measured against.
    expect(kase.intake).toMatchObject({ source: 'direct', externalRef: null })
  })

  it('an executive recognised by title: an admin adds them to the list in one click; an agent cannot', async () => {
    const raw = new Uint8Array(await readFile(join(evalRoot, 'main', 'legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml')))
    const kase = await ingest(raw)
    expect((await caseRow(kase.id)).executive).toMatchObject({
      email: 'j.weber@northwind.de',
      name: 'Jana Weber',
      title: 'Geschäftsführerin',
      configured: false,
    })
    const agentPage = await (await app.request(`/cases/${kase.id}`, { headers: { cookie: await cookie(agent.id) } })).text()
    expect(agentPage).not.toContain('to the executives list</button>')
    expect(
      (await app.request(`/cases/${kase.id}/executive`, formPost({}, { cookie: await cookie(agent.id), 'hx-request': 'true' }))).status,
    ).toBe(403)

    const adminCookie = await cookie(admin.id)
    expect(await (await app.request(`/cases/${kase.id}`, { headers: { cookie: adminCookie } })).text()).toContain(
      'Add Jana Weber (Geschäftsführerin) to the executives list',
    )
    expect((await app.request(`/cases/${kase.id}/executive`, formPost({}, { cookie: adminCookie }))).status).toBe(303)
    const listed = await withOrg(db, org.id, (tx) => tx`select email, name, title from org_executives where email = 'j.weber@northwind.de'`)
    expect(listed).toEqual([{ email: 'j.weber@northwind.de', name: 'Jana Weber', title: 'Geschäftsführerin' }])
    expect((await auditActions(db, org.id, kase.id)).map((a) => a.action)).toContain('org.executive_add')
    expect((await examples(kase.id)).map((e) => e.field)).toEqual(['executive'])
  })

  it('the examples export as JSONL and CSV: from the CLI, and as a download for admins only', { timeout: 30_000 }, async () => {
    const env = { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' }
    const jsonl = await runDesk(['intake', 'examples', '--org', org.slug], env)
    expect(jsonl.code).toBe(0)
    const rows = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(rows.map((r) => r.field)).toEqual(['customer', 'source', 'externalRef', 'severity', 'executive'])
    expect(rows[0]).toMatchObject({
      case: expect.stringMatching(/^ESC-\d+$/),
      raw_id: expect.any(String),
      intake_said: { name: 'Pat Doe' },
      person_decided: { name: 'Sam Doe' },
      decided_by: 't.baker@northwind.example',
    })
    const csv = await runDesk(['intake', 'examples', '--org', org.slug, '--format', 'csv'], env)
    expect(csv.code).toBe(0)
    expect(csv.stdout.split('\r\n')[0]).toBe('created_at,case,raw_id,message_id,subject,field,intake_said,person_decided,decided_by')
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(6)
    expect((await runDesk(['intake', 'examples', '--org', org.slug, '--format', 'xml'], env)).code).toBe(2)

    const download = await app.request('/cases/intake-examples.csv', { headers: { cookie: await cookie(admin.id) } })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toContain('intake-examples.csv')
    expect(await download.text()).toBe(csv.stdout)
    expect((await app.request('/cases/intake-examples.jsonl', { headers: { cookie: await cookie(agent.id) } })).status).toBe(403)
  })
})
