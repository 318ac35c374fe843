import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changeSeverity } from '../../src/cases/severity.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const policyFields = (overrides: Record<string, string> = {}) => ({
  'SEV-1.firstResponse': '15',
  'SEV-1.update': '30',
  'SEV-1.resolution': '240',
  'SEV-2.firstResponse': '60',
  'SEV-2.update': '120',
  'SEV-2.resolution': '480',
  'SEV-3.firstResponse': '240',
  'SEV-3.update': '1440',
  'SEV-3.resolution': '2880',
  'SEV-4.firstResponse': '1440',
  'SEV-4.update': '',
  'SEV-4.resolution': '10080',
  timezone: 'America/New_York',
  hours: 'always',
  ...overrides,
})

describe('SLA settings, audit export and overrides report', () => {
  let db: Db
  let org: Org
  let admin: { id: string }
  let agent: { id: string }
  let adminCookie: string
  let agentCookie: string
  const app = () => createTestApp(db)

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    admin = await seedUser(db, org.id, 'admin')
    agent = await seedUser(db, org.id, 'agent')
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('a tighter policy moves the deadlines of open cases and is audited with before and after', async () => {
    const c = await seedCase(db, org.id)
    const before = await withOrg(
      db,
      org.id,
      async (tx) => (await tx`select severity, opened_at, first_response_due_at from cases where id = ${c.id}`)[0]!,
    )
    const severity = before.severity as string
    const res = await app().request(
      '/admin/settings',
      formPost(policyFields({ [`${severity}.firstResponse`]: '5' }), { cookie: adminCookie }),
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/Deadlines of \d+ open cases? were recomputed/)
    const after = await withOrg(db, org.id, async (tx) => (await tx`select first_response_due_at from cases where id = ${c.id}`)[0]!)
    expect(after.first_response_due_at.getTime() - before.opened_at.getTime()).toBe(5 * 60_000)
    const [event] = await withOrg(
      db,
      org.id,
      (tx) => tx`select details from audit_events where action = 'org.sla_change' order by seq desc limit 1`,
    )
    expect(event!.details.after.policy[severity].firstResponseMinutes).toBe(5)
    expect(event!.details.before.policy[severity].firstResponseMinutes).not.toBe(5)
  })

  it('business hours with a holiday are saved and shown back', async () => {
    const fields = policyFields({
      hours: 'business',
      'day.1': 'on',
      'day.1.from': '09:00',
      'day.1.to': '17:00',
      'day.2': 'on',
      'day.2.from': '08:30',
      'day.2.to': '16:00',
      holidays: '2026-12-25\n2027-01-01',
    })
    const res = await app().request('/admin/settings', formPost(fields, { cookie: adminCookie }))
    expect(res.status).toBe(200)
    const [row] = await withOrg(db, org.id, (tx) => tx`select business_calendar from orgs where id = ${org.id}`)
    expect(row!.business_calendar).toEqual({
      timezone: 'America/New_York',
      weekly: { 1: [['09:00', '17:00']], 2: [['08:30', '16:00']] },
      holidays: ['2026-12-25', '2027-01-01'],
    })
    const page = await (await app().request('/admin/settings', { headers: { cookie: adminCookie, accept: 'text/html' } })).text()
    expect(page).toContain('2026-12-25')
    expect(page).toContain('value="08:30"')
  })

  it('refuses bad input with readable messages and changes nothing', async () => {
    const res = await app().request(
      '/admin/settings',
      formPost(policyFields({ timezone: 'Mars/Olympus', 'SEV-1.firstResponse': '-3' }), { cookie: adminCookie }),
    )
    expect(res.status).toBe(422)
    const body = await res.text()
    expect(body).toMatch(/IANA time zone/)
    expect(body).toMatch(/SEV-1/)
  })

  it('is for admins only; the overrides report for approvers and admins', async () => {
    expect((await app().request('/admin/settings', { headers: { cookie: agentCookie, accept: 'text/html' } })).status).toBe(403)
    expect((await app().request('/admin/audit.csv', { headers: { cookie: agentCookie, accept: 'text/html' } })).status).toBe(403)
    expect((await app().request('/reports/severity', { headers: { cookie: agentCookie, accept: 'text/html' } })).status).toBe(403)
  })

  it('exports the org audit trail as CSV and reports who changed severities', async () => {
    const c = await seedCase(db, org.id)
    await withOrg(db, org.id, (tx) => changeSeverity(tx, org.id, c.id, 'SEV-1', { kind: 'user', id: agent.id }, 'press enquiry'))
    const bytes = new Uint8Array(await (await app().request('/admin/audit.csv', { headers: { cookie: adminCookie } })).arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // BOM: Excel reads UTF-8
    const csv = new TextDecoder().decode(bytes)
    expect(csv.split('\r\n')[0]).toBe('Seq,Time,Actor kind,Actor,Action,Case,Details,Hash')
    expect(csv).toContain('case.severity_change')
    const report = await (await app().request('/reports/severity', { headers: { cookie: adminCookie, accept: 'text/html' } })).text()
    expect(report).toMatch(/agent user<\/td><td>1<\/td><td>0<\/td>/)
  })

  it('sets who may approve their own text: severities that allow it, sources that never do; audited, and an SLA-only post leaves it alone', async () => {
    const own = await seedOrg(db)
    const ownAdmin = await seedUser(db, own.id, 'admin')
    const cookie = await sessionCookie(db, { id: ownAdmin.id, orgId: own.id })
    const page = await (await app().request('/admin/settings', { headers: { cookie, accept: 'text/html' } })).text()
    expect(page).toMatch(/<input type="checkbox" name="self_approval" value="SEV-3" checked=""/)
    expect(page).toMatch(/<input type="checkbox" name="self_approval" value="SEV-1"\s*\/>/)
    expect(page).toMatch(/<input type="checkbox" name="four_eyes_source" value="lawyer" checked=""/)

    const policy = () => db`select self_approval_severities, four_eyes_sources from orgs where id = ${own.id}`.then((r) => r[0])
    // The SLA form as other clients post it (no approval fields): the policy is untouched.
    expect((await app().request('/admin/settings', formPost(policyFields(), { cookie }))).status).toBe(200)
    expect(await policy()).toEqual({ self_approval_severities: ['SEV-3', 'SEV-4'], four_eyes_sources: ['lawyer', 'regulator'] })

    const form = new URLSearchParams({ ...policyFields(), approval_policy: '1' })
    form.append('self_approval', 'SEV-4')
    for (const source of ['lawyer', 'regulator', 'bbb']) form.append('four_eyes_source', source)
    const res = await app().request('/admin/settings', { ...formPost({}, { cookie }), body: form.toString() })
    expect(res.status).toBe(200)
    expect(await policy()).toEqual({ self_approval_severities: ['SEV-4'], four_eyes_sources: ['bbb', 'lawyer', 'regulator'] })
    const [event] = await db`select actor_id, details from audit_events where org_id = ${own.id} and action = 'org.approval_policy_change'`
    expect(event).toEqual({
      actor_id: ownAdmin.id,
      details: {
        before: { selfApprovalSeverities: ['SEV-3', 'SEV-4'], fourEyesSources: ['lawyer', 'regulator'] },
        after: { selfApprovalSeverities: ['SEV-4'], fourEyesSources: ['bbb', 'lawyer', 'regulator'] },
      },
    })
    const bad = new URLSearchParams({ ...policyFields(), approval_policy: '1', self_approval: 'SEV-9' })
    expect((await app().request('/admin/settings', { ...formPost({}, { cookie }), body: bad.toString() })).status).toBe(422)
    expect((await policy())!.self_approval_severities).toEqual(['SEV-4'])
  })
})
