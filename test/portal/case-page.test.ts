import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

type Member = { id: string; email: string; orgId: string; cookie: string }

describe('case page and its actions', () => {
  let db: Db
  let org: Org
  let agent: Member
  let other: Member
  let approver: Member
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const member = async (role: 'agent' | 'approver') => {
      const user = { ...(await seedUser(db, org.id, role)), orgId: org.id }
      return { ...user, cookie: await sessionCookie(db, user) }
    }
    agent = await member('agent')
    other = await member('agent')
    approver = await member('approver')
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const page = (id: string, who: Member) => app().request(`/cases/${id}`, { headers: { accept: 'text/html', cookie: who.cookie } })
  const post = (id: string, action: string, who: Member, fields: Record<string, string>, htmx = false) =>
    app().request(`/cases/${id}/${action}`, formPost(fields, { cookie: who.cookie, ...(htmx ? { 'hx-request': 'true' } : {}) }))
  const caseRow = (id: string) =>
    withOrg(
      db,
      org.id,
      async (tx) =>
        (
          await tx<{ ownerId: string | null; status: string; severity: string; acknowledgedAt: Date | null }[]>`
      select owner_id as "ownerId", status, severity, acknowledged_at as "acknowledgedAt" from cases where id = ${id}`
        )[0]!,
    )

  it('renders the thread text-first, the customer panel, clocks, severity reasons and the timeline', async () => {
    const kase = await seedCase(db, org.id, { subject: 'My order never arrived', body: 'Order 4471 is three weeks late.\nPlease call me.' })
    const res = await page(kase.id, agent)
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toContain(`${kase.label}</span> My order never arrived`)
    expect(body).toMatch(/<pre class="mail-body">Order 4471 is three weeks late.\r?\nPlease call me.\s*<\/pre>/)
    expect(body).not.toContain('<iframe') // a plain-text mail has no formatted version to show
    expect(body).toMatch(/<h2>Customer<\/h2><p><strong>Pat Customer<\/strong><br\/><span class="muted">pat@customer.test<\/span>/)
    expect(body).toContain('<h3>First response</h3>')
    expect(body).toMatch(/<span class="countdown (ok|at_risk|breached)" data-due="[^"]+" data-risk="[^"]*"/)
    expect(body).toMatch(/<h3>Why SEV-\d<\/h3><ul><li>[^<]+<\/li>/)
    expect(body).toMatch(/<li data-action="case.create"><time datetime="[^"]+">/)
    expect(body).toContain('id="draft"')
  })

  it('assigns an owner with a plain form post (303) and shows it in the timeline', async () => {
    const kase = await seedCase(db, org.id)
    const res = await post(kase.id, 'assign', agent, { ownerId: agent.id })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/cases/${kase.id}`)
    expect(await caseRow(kase.id)).toMatchObject({ ownerId: agent.id, status: 'triaged' })
    const body = await (await page(kase.id, agent)).text()
    expect(body).toMatch(/<li data-action="case.assign"><time [^>]+>[^<]+<\/time><span>agent user assigned [^<]*owner<\/span>/)
  })

  it('acknowledges, changes severity and status, and adds a note through htmx: #case comes back', async () => {
    const kase = await seedCase(db, org.id)
    await post(kase.id, 'assign', agent, { ownerId: agent.id })

    const ack = await post(kase.id, 'acknowledge', agent, {}, true)
    expect(ack.status).toBe(200)
    const ackBody = await ack.text()
    expect(ackBody).toMatch(/^<div id="case">/)
    expect(ackBody).not.toContain('<html')
    expect(ackBody).toContain('Acknowledged')
    expect((await caseRow(kase.id)).acknowledgedAt).toBeInstanceOf(Date)

    const current = (await caseRow(kase.id)).severity
    const to = current === 'SEV-1' ? 'SEV-2' : 'SEV-1'
    const severity = await post(kase.id, 'severity', agent, { severity: to, reason: 'The customer mentioned a regulator' }, true)
    expect(severity.status).toBe(200)
    expect(await severity.text()).toContain(`Severity is now ${to}`)
    expect((await caseRow(kase.id)).severity).toBe(to)

    const status = await post(kase.id, 'status', agent, { status: 'in_progress', reason: '' }, true)
    expect(status.status).toBe(200)
    expect((await caseRow(kase.id)).status).toBe('in_progress')

    const note = await post(kase.id, 'notes', agent, { text: 'Called the warehouse <b>twice</b>' }, true)
    expect(note.status).toBe(200)
    const noteBody = await note.text()
    expect(noteBody).toContain('Called the warehouse &lt;b&gt;twice&lt;/b&gt;')

    const actions = (await auditActions(db, org.id, kase.id)).map((e) => e.action)
    expect(actions).toEqual(
      expect.arrayContaining(['case.assign', 'case.acknowledge', 'case.severity_change', 'case.status_change', 'note.add']),
    )
    const change = (await auditActions(db, org.id, kase.id)).find((e) => e.action === 'case.severity_change')
    expect(change?.details).toMatchObject({ to, reason: 'The customer mentioned a regulator' })
  })

  it('plain form posts of every action redirect back to the case (303)', async () => {
    const kase = await seedCase(db, org.id)
    expect((await post(kase.id, 'assign', agent, { ownerId: agent.id })).status).toBe(303)
    expect((await post(kase.id, 'acknowledge', agent, {})).status).toBe(303)
    const to = (await caseRow(kase.id)).severity === 'SEV-4' ? 'SEV-3' : 'SEV-4'
    expect((await post(kase.id, 'severity', agent, { severity: to, reason: 'Only a billing question' })).status).toBe(303)
    expect((await post(kase.id, 'status', agent, { status: 'in_progress' })).status).toBe(303)
    expect((await post(kase.id, 'notes', agent, { text: 'Left a voicemail' })).status).toBe(303)
    expect(await caseRow(kase.id)).toMatchObject({ severity: to, status: 'in_progress' })
  })

  it('refusals re-render the case with the message and a 4xx status, changing nothing', async () => {
    const kase = await seedCase(db, org.id)
    await post(kase.id, 'assign', agent, { ownerId: agent.id })
    const before = await caseRow(kase.id)
    const eventsBefore = (await auditActions(db, org.id, kase.id)).length

    const noReason = await post(kase.id, 'severity', agent, { severity: before.severity === 'SEV-1' ? 'SEV-2' : 'SEV-1' }, true)
    expect(noReason.status).toBe(400)
    const fragment = await noReason.text()
    // The refusal is shown beside the form that was sent, not at the top of the case.
    expect(fragment).toMatch(/^<div id="case">/)
    expect(fragment).toMatch(/<h2 id="severity">Severity<\/h2><div class="flash error" role="alert"[^>]*>[^<]*needs a reason/)

    const close = await post(kase.id, 'status', agent, { status: 'closed' })
    expect(close.status).toBe(400)
    const closePage = await close.text()
    expect(closePage).toContain('<html')
    expect(closePage).toContain('give a reason to close it anyway')

    const notAllowed = await post(kase.id, 'status', agent, { status: 'responded' }, true)
    expect(notAllowed.status).toBe(409)
    expect(await notAllowed.text()).toContain('not responded')

    const emptyNote = await post(kase.id, 'notes', agent, { text: '   ' }, true)
    expect(emptyNote.status).toBe(400)
    expect(await emptyNote.text()).toContain('Write something in the note first.')

    const notOwner = await post(kase.id, 'acknowledge', other, {}, true)
    expect(notOwner.status).toBe(403)
    expect(await notOwner.text()).toContain('Only the owner')

    expect(await caseRow(kase.id)).toEqual(before)
    expect(await auditActions(db, org.id, kase.id)).toHaveLength(eventsBefore)
  })

  it('an agent cannot reassign an owned case; an approver can, with a written reason', async () => {
    const kase = await seedCase(db, org.id)
    await post(kase.id, 'assign', agent, { ownerId: agent.id })
    const eventsBefore = (await auditActions(db, org.id, kase.id)).length

    const grab = await post(kase.id, 'assign', other, { ownerId: other.id, reason: 'I want it' }, true)
    expect(grab.status).toBe(403)
    expect(await grab.text()).toContain('already has an owner; only an approver or admin can reassign it')
    expect((await caseRow(kase.id)).ownerId).toBe(agent.id)
    expect(await auditActions(db, org.id, kase.id)).toHaveLength(eventsBefore)
    // The agent's page says so instead of offering the form.
    const otherPage = await (await page(kase.id, other)).text()
    expect(otherPage).toContain('Ownership is locked')
    expect(otherPage).not.toContain(`action="/cases/${kase.id}/assign"`)

    const unexplained = await post(kase.id, 'assign', approver, { ownerId: other.id }, true)
    expect(unexplained.status).toBe(400)
    expect((await caseRow(kase.id)).ownerId).toBe(agent.id)

    const moved = await post(kase.id, 'assign', approver, { ownerId: other.id, reason: 'Agent is on leave' })
    expect(moved.status).toBe(303)
    expect((await caseRow(kase.id)).ownerId).toBe(other.id)
    const reassign = (await auditActions(db, org.id, kase.id)).find((e) => e.action === 'case.reassign')
    expect(reassign).toMatchObject({ actorId: approver.id, details: { from: agent.id, to: other.id, reason: 'Agent is on leave' } })
  })
})
