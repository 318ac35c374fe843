import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('new escalation form (/cases/new)', () => {
  let db: Db
  let org: Org
  let user: { id: string; cookie: string }
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const agent = { ...(await seedUser(db, org.id, 'agent')), orgId: org.id }
    user = { id: agent.id, cookie: await sessionCookie(db, agent) }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const submit = (fields: Record<string, string>) => app().request('/cases', formPost(fields, { cookie: user.cookie }))
  const caseCount = () => withOrg(db, org.id, async (tx) => (await tx<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n)

  it('shows the form with every field', async () => {
    const res = await app().request('/cases/new', { headers: { accept: 'text/html', cookie: user.cookie } })
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toContain('<form method="post" action="/cases"')
    for (const name of ['source', 'customerName', 'customerEmail', 'subject', 'summary', 'severity', 'externalRef']) {
      expect(body, name).toContain(`name="${name}"`)
    }
  })

  it('re-renders with field errors (422), keeping what was typed, escaped, and creates nothing', async () => {
    const before = await caseCount()
    const res = await submit({
      source: 'bbb',
      customerName: '<b>Bo</b> "Q"',
      customerEmail: 'not-an-email',
      subject: 'x',
      summary: 'short',
      severity: 'SEV-2',
      externalRef: 'BBB-9',
    })
    expect(res.status).toBe(422)
    const body = await res.text()
    expect(body).toContain('Please fix the fields marked below.')
    expect(body).toContain('Enter a valid email address, or leave it empty.')
    expect(body).toContain('Give the escalation a subject (at least 3 characters).')
    expect(body).toContain('Describe what happened (at least 10 characters).')
    expect(body).toContain('value="&lt;b&gt;Bo&lt;/b&gt; &quot;Q&quot;"')
    expect(body).toContain('value="not-an-email"')
    expect(body).toContain('value="x"')
    expect(body).toContain('>short</textarea>')
    expect(body).toContain('value="BBB-9"')
    expect(body).toMatch(/<option value="bbb" selected="">/)
    expect(body).toMatch(/<option value="SEV-2" selected="">/)
    expect(await caseCount()).toBe(before)

    const noCustomer = await submit({
      source: 'form',
      subject: 'Phone call',
      summary: 'The caller hung up before giving a name.',
      severity: 'SEV-3',
    })
    expect(noCustomer.status).toBe(422)
    expect(await noCustomer.text()).toContain('Give the customer&#39;s name or email address.')
  })

  it('creates the case with the chosen source, audits case.create via form, and queues a draft', async () => {
    const ref = `MATTER-${randomBytes(3).toString('hex')}`
    const res = await submit({
      source: 'lawyer',
      customerName: 'Dana Counsel',
      customerEmail: 'Dana@LawFirm.test',
      subject: 'Letter before action',
      summary: 'Our client demands a refund within 14 days.',
      severity: 'SEV-1',
      externalRef: ref,
    })
    expect(res.status).toBe(303)
    const id = /^\/cases\/([0-9a-f-]{36})$/.exec(res.headers.get('location') ?? '')?.[1]
    expect(id).toBeTruthy()
    const [kase] = await withOrg(
      db,
      org.id,
      (tx) => tx`
      select source, severity, customer_email, customer_name, external_ref, status, first_response_due_at from cases where id = ${id!}`,
    )
    expect(kase).toMatchObject({
      source: 'lawyer',
      severity: 'SEV-1',
      customer_email: 'dana@lawfirm.test',
      customer_name: 'Dana Counsel',
      external_ref: ref,
      status: 'new',
    })
    expect(kase!.first_response_due_at).toBeInstanceOf(Date)
    const audit = await withOrg(
      db,
      org.id,
      (tx) => tx`select action, actor_kind, actor_id, details from audit_events where case_id = ${id!}`,
    )
    expect(audit).toEqual([
      { action: 'case.create', actor_kind: 'user', actor_id: user.id, details: { via: 'form', source: 'lawyer', severity: 'SEV-1' } },
    ])
    const jobs = await withOrg(db, org.id, (tx) => tx`select kind, payload from jobs where payload->>'caseId' = ${id!}`)
    expect(jobs).toEqual([{ kind: 'draft', payload: { caseId: id } }])
    const page = await (await app().request(`/cases/${id}`, { headers: { accept: 'text/html', cookie: user.cookie } })).text()
    expect(page).toContain('Our client demands a refund within 14 days.')

    // The same external reference points to the existing case instead of opening a second one.
    const before = await caseCount()
    const dup = await submit({
      source: 'lawyer',
      customerName: 'Dana Counsel',
      subject: 'Letter again',
      summary: 'Second copy of the same letter.',
      severity: 'SEV-1',
      externalRef: ref,
    })
    expect(dup.status).toBe(409)
    expect(await dup.text()).toMatch(/ESC-\d+ already has this reference/)
    expect(await caseCount()).toBe(before)
  })

  it('refuses an unknown source with a field error', async () => {
    const res = await submit({
      source: 'pigeon',
      customerName: 'A',
      subject: 'Carrier pigeon',
      summary: 'Arrived by pigeon, very upset.',
      severity: 'SEV-3',
    })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Choose where the escalation came from.')
  })
})
