import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedUser, testDb } from '../support/db.ts'
import { bearer, seedApiOrg, seedToken, type ApiOrg } from './helpers.ts'

type Case = {
  id: string
  ref: string
  status: string
  severity: string
  owner: { id: string; email: string } | null
  thread: { direction: string; from: { email: string | null }; to: string[]; subject: string; text: string }[]
  audit: { action: string; actor: { kind: string; id: string | null }; details: Record<string, unknown> }[]
}

describe('/api/v1 cases: read with any token, change with a write token, only ever the token’s own org', () => {
  let db: Db
  let a: ApiOrg
  let b: ApiOrg
  let readA: string
  let writeA: string
  let readB: string
  let aCases: { id: string; label: string }[]
  let bCases: { id: string; label: string }[]
  beforeAll(async () => {
    db = testDb()
    ;[a, b] = [await seedApiOrg(db), await seedApiOrg(db)]
    readA = await seedToken(db, a.admin, { scope: 'read' })
    writeA = await seedToken(db, a.admin, { scope: 'write' })
    readB = await seedToken(db, b.admin, { scope: 'read' })
    aCases = [
      await seedCase(db, a.org.id, { body: 'My parcel vanished near Szczebrzeszyn.' }),
      await seedCase(db, a.org.id, { subject: 'Second complaint', body: 'Still nothing.' }),
    ]
    bCases = []
    for (let i = 0; i < 5; i++) bCases.push(await seedCase(db, b.org.id, { body: `Other org words: Quetzalcoatl ${i}` }))
  })
  afterAll(() => db.end())
  const app = () => createTestApp(db)
  const api = async (path: string, init: RequestInit) => {
    const res = await app().request(`/api/v1${path}`, init)
    return { status: res.status, body: await res.json(), headers: res.headers }
  }

  it('lists the org’s cases newest first, page after page by cursor, with the /cases filters', async () => {
    const first = await api('/cases?limit=1', bearer(readA))
    expect(first.status).toBe(200)
    expect(first.body.cases.map((c: Case) => c.id)).toEqual([aCases[1]!.id])
    expect(first.body.next).toEqual(expect.any(String))
    const second = await api(`/cases?limit=1&after=${encodeURIComponent(first.body.next)}`, bearer(readA))
    expect(second.body.cases.map((c: Case) => c.id)).toEqual([aCases[0]!.id])
    expect(second.body.next).toBeNull()
    expect((await api('/cases?status=closed', bearer(readA))).body.cases).toEqual([])
    expect((await api('/cases?status=open', bearer(readA))).body.cases).toHaveLength(2)
    const bad = await api('/cases?severity=SEV-9', bearer(readA))
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('severity') })
  })

  it('reads a case by its number or id: the thread and the audit events', async () => {
    const byRef = await api(`/cases/${aCases[0]!.label}`, bearer(readA))
    expect(byRef.status).toBe(200)
    const kase = byRef.body as Case
    expect(kase).toMatchObject({ id: aCases[0]!.id, ref: aCases[0]!.label })
    expect(kase.thread[0]).toMatchObject({
      direction: 'inbound',
      from: { email: 'pat@customer.test' },
      to: ['escalations@example.com'],
      subject: 'Complaint about my order',
      text: expect.stringContaining('Szczebrzeszyn'),
    })
    expect(kase.audit.map((e) => e.action)).toContain('case.create')
    expect((await api(`/cases/${aCases[0]!.id}`, bearer(readA))).body.id).toBe(aCases[0]!.id)
    expect((await api('/cases/ESC-999999', bearer(readA))).status).toBe(404)
    expect((await api('/cases/not-a-case', bearer(readA))).status).toBe(404)
  })

  it('shows a token nothing of another org: its case ids and numbers are 404, its words find nothing', async () => {
    // B has ESC-1001…1005, A only ESC-1001 and 1002 (numbers are per org).
    for (const ref of [bCases[0]!.id, bCases[4]!.id, bCases[4]!.label]) {
      const res = await api(`/cases/${ref}`, bearer(readA))
      expect(res.status, ref).toBe(404)
      expect(res.body.error.code).toBe('NOT_FOUND')
    }
    const listed = JSON.stringify((await api('/cases?limit=100', bearer(readA))).body)
    for (const c of bCases) expect(listed).not.toContain(c.id)
    expect((await api('/cases/search?q=Quetzalcoatl', bearer(readA))).body.cases).toEqual([])
    expect((await api('/cases/search?q=Quetzalcoatl', bearer(readB))).body.cases).toHaveLength(5)
    const found = await api('/cases/search?q=szczebrzesz', bearer(readA))
    expect(found.body.cases.map((c: Case) => c.id)).toEqual([aCases[0]!.id])
    expect(found.body.cases[0].snippet).toContain('Szczebrzeszyn')

    const before = await auditActions(db, b.org.id, bCases[0]!.id)
    for (const [path, body] of [
      ['notes', { text: 'hello from A' }],
      ['severity', { severity: 'SEV-1', reason: 'x' }],
      ['status', { status: 'in_progress' }],
      ['owner', { ownerId: a.admin.id }],
    ] as const) {
      expect((await api(`/cases/${bCases[0]!.id}/${path}`, bearer(writeA, body))).status, path).toBe(404)
    }
    expect(await auditActions(db, b.org.id, bCases[0]!.id)).toEqual(before)
  })

  it('refuses every change to a read token (403) and changes nothing', async () => {
    const before = await auditActions(db, a.org.id, aCases[0]!.id)
    const attempts: [string, unknown][] = [
      ['/cases', { subject: 'Made by a reader', summary: 'Should never exist at all.', severity: 'SEV-3', customerName: 'R' }],
      [`/cases/${aCases[0]!.label}/notes`, { text: 'a note' }],
      [`/cases/${aCases[0]!.label}/owner`, { ownerId: a.admin.id }],
      [`/cases/${aCases[0]!.label}/severity`, { severity: 'SEV-1', reason: 'r' }],
      [`/cases/${aCases[0]!.label}/status`, { status: 'in_progress' }],
    ]
    for (const [path, body] of attempts) {
      const res = await api(path, bearer(readA, body))
      expect(res.status, path).toBe(403)
      expect(res.body.error.code).toBe('FORBIDDEN')
    }
    expect(await auditActions(db, a.org.id, aCases[0]!.id)).toEqual(before)
    const made = await withOrg(db, a.org.id, (tx) => tx`select 1 from cases where subject = 'Made by a reader'`)
    expect(made).toHaveLength(0)
  })

  it('creates a case as the portal form does, audited as the token’s admin via the API', async () => {
    const input = {
      subject: 'Phoned in: the CEO heard about it',
      summary: 'The customer called the switchboard twice about the refund.',
      severity: 'SEV-2',
      customerName: 'Ada Caller',
      customerEmail: 'Ada@Caller.test',
      externalRef: 'CALL-77',
    }
    // No cookie, another site's Origin: bearer tokens are not ambient, so no CSRF check applies.
    const init = bearer(writeA, input)
    init.headers = { ...(init.headers as Record<string, string>), origin: 'https://elsewhere.example' }
    const res = await api('/cases', init)
    expect(res.status).toBe(201)
    const kase = res.body as Case
    expect(kase).toMatchObject({ ref: expect.stringMatching(/^ESC-\d+$/), severity: 'SEV-2', status: 'new' })
    expect(kase.thread).toEqual([expect.objectContaining({ direction: 'note', text: input.summary })])
    const [created] = (await auditActions(db, a.org.id, kase.id)).filter((e) => e.action === 'case.create')
    expect(created).toMatchObject({ actorId: a.admin.id, details: { via: 'api', token: writeA.slice(0, 11), severity: 'SEV-2' } })

    const again = await api('/cases', bearer(writeA, input))
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(kase.ref) })
    const invalid = await api('/cases', bearer(writeA, { ...input, subject: 'x', externalRef: '' }))
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('BAD_INPUT')
    const garbled = await app().request('/api/v1/cases', { ...bearer(writeA, {}), body: '{not json' })
    expect(garbled.status).toBe(400)
  })

  it('adds a note, assigns and reassigns the owner (with a reason), changes severity and status', async () => {
    const ref = aCases[1]!.label
    const noted = await api(`/cases/${ref}/notes`, bearer(writeA, { text: 'Called the courier.' }))
    expect(noted.status).toBe(200)
    expect(noted.body.thread.at(-1)).toMatchObject({ direction: 'note', text: 'Called the courier.' })

    const agent = await seedUser(db, a.org.id, 'agent')
    const owned = await api(`/cases/${ref}/owner`, bearer(writeA, { email: agent.email.toUpperCase() }))
    expect(owned.status).toBe(200)
    expect(owned.body).toMatchObject({ status: 'triaged', owner: { id: agent.id } })
    const other = await seedUser(db, a.org.id, 'agent')
    const noReason = await api(`/cases/${ref}/owner`, bearer(writeA, { ownerId: other.id }))
    expect(noReason.status).toBe(400)
    expect(noReason.body.error.message).toContain('reason')
    expect((await api(`/cases/${ref}/owner`, bearer(writeA, { ownerId: other.id, reason: 'Agent is on leave' }))).body.owner.id).toBe(
      other.id,
    )
    expect((await api(`/cases/${ref}/owner`, bearer(writeA, { email: 'nobody@nowhere.test' }))).status).toBe(400)
    expect((await api(`/cases/${ref}/owner`, bearer(writeA, {}))).status).toBe(400)

    expect((await api(`/cases/${ref}/severity`, bearer(writeA, { severity: 'SEV-1' }))).status).toBe(400)
    const raised = await api(`/cases/${ref}/severity`, bearer(writeA, { severity: 'SEV-1', reason: 'Press is calling' }))
    expect(raised.body.severity).toBe('SEV-1')
    expect((await api(`/cases/${ref}/severity`, bearer(writeA, { severity: 'SEV-1', reason: 'again' }))).status).toBe(409)

    expect((await api(`/cases/${ref}/status`, bearer(writeA, { status: 'in_progress' }))).body.status).toBe('in_progress')
    expect((await api(`/cases/${ref}/status`, bearer(writeA, { status: 'closed' }))).status).toBe(409) // not from in progress
    expect((await api(`/cases/${ref}/status`, bearer(writeA, { status: 'resolved' }))).body.status).toBe('resolved')
    const unconfirmed = await api(`/cases/${ref}/status`, bearer(writeA, { status: 'closed' }))
    expect(unconfirmed.status).toBe(400)
    expect(unconfirmed.body.error.message).toContain('give a reason')

    const events = (await auditActions(db, a.org.id, aCases[1]!.id)).filter((e) => e.details.via === 'api')
    expect(events.map((e) => e.action)).toEqual([
      'note.add',
      'case.assign',
      'case.reassign',
      'case.severity_change',
      'case.status_change',
      'case.resolve',
    ])
    for (const e of events) expect(e).toMatchObject({ actorId: a.admin.id, details: { token: writeA.slice(0, 11) } })
    // The case page's timeline names the token along with the admin.
    const page = await app().request(`/cases/${aCases[1]!.id}`, {
      headers: { accept: 'text/html', cookie: await sessionCookie(db, a.admin) },
    })
    expect(await page.text()).toContain(`admin user (through API token ${writeA.slice(0, 11)}) changed severity`)
  })

  it('never approves, edits a draft or sends: no such route, and the statuses of the gate are refused', async () => {
    const ref = aCases[0]!.label
    for (const path of [
      `/cases/${ref}/approve`,
      `/cases/${ref}/drafts`,
      `/cases/${ref}/send`,
      `/cases/${ref}/drafts/1/approve`,
      '/approvals',
    ]) {
      const res = await api(path, bearer(writeA, { note: 'ok' }))
      expect(res.status, path).toBe(404)
      expect(res.body.error.code).toBe('NOT_FOUND')
    }
    for (const status of ['awaiting_approval', 'responded']) {
      expect((await api(`/cases/${ref}/status`, bearer(writeA, { status }))).status, status).toBe(400)
    }
    const sent = await withOrg(db, a.org.id, (tx) => tx`select 1 from outbox union all select 1 from approvals`)
    expect(sent).toHaveLength(0)
  })
})
