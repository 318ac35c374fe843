import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { computeDigest } from '../../src/digest/digest.ts'
import { digestSections } from '../../src/digest/sections.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { getInternalCadence } from '../../src/warroom/cadence.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase, heldMail, minutes } from '../support/digest.ts'

// Internal updates (stakeholder communication): drafted from the case, edited, sent as staff mail
// through the job queue to the stakeholders and never to the customer; the cadence per severity
// (SEV-1 30 min, SEV-2 2 h, SEV-3 a day) and its misses on the case and in the digest.

describe('internal updates and their cadence', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let helper: { id: string; email: string }
  let admin: { id: string; email: string }
  let cookie: string
  let adminCookie: string
  const env = testEnv({ PUBLIC_URL: 'https://desk.example.test' })
  const app = () => createTestApp(db, { env })
  const post = (path: string, fields: Record<string, string>, as = cookie) => app().request(path, formPost(fields, { cookie: as }))
  const get = (path: string, as = cookie) => app().request(path, { headers: { cookie: as, accept: 'text/html' } })
  const runJobs = () => runJobsOnce({ db, env, handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} }, { orgId: org.id })
  const cadence = (caseId: string, now: Date) => withOrg(db, org.id, (tx) => getInternalCadence(tx, org.id, caseId, now))
  const ago = (m: number) => new Date(Date.now() - minutes(m))

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    helper = await seedUser(db, org.id, 'agent')
    admin = await seedUser(db, org.id, 'admin')
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('stakeholder lists: admins only, addresses checked, saved and audited', async () => {
    expect((await get('/admin/stakeholders')).status).toBe(403)
    expect((await post('/admin/stakeholders', { 'SEV-1.exec': 'ceo@example.test' })).status).toBe(403)
    const bad = await post('/admin/stakeholders', { 'SEV-1.exec': 'not an address' }, adminCookie)
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('is not an email address')
    const ok = await post(
      '/admin/stakeholders',
      { 'SEV-1.exec': 'CEO@example.test, coo@example.test', 'SEV-1.engineering': 'oncall@example.test\npat@customer.test' },
      adminCookie,
    )
    expect(ok.status).toBe(303)
    const lists =
      await db`select severity, audience, emails from stakeholder_lists where org_id = ${org.id} and cardinality(emails) > 0 order by audience`
    expect(lists).toEqual([
      { severity: 'SEV-1', audience: 'engineering', emails: ['oncall@example.test', 'pat@customer.test'] },
      { severity: 'SEV-1', audience: 'exec', emails: ['ceo@example.test', 'coo@example.test'] },
    ])
    const [event] = await db`select details from audit_events where org_id = ${org.id} and action = 'stakeholders.update'`
    expect(event!.details.lists['SEV-1.exec']).toEqual(['ceo@example.test', 'coo@example.test'])
    expect(await (await get('/admin/stakeholders', adminCookie)).text()).toContain('ceo@example.test, coo@example.test')
  })

  it('the composer drafts from the case and stores nothing; sending goes to the stakeholders, never the customer, and is logged', async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', ownerId: owner.id, customerEmail: 'pat@customer.test', openedAt: ago(10) })
    await post(`/cases/${c.id}/war-room`, { statusLine: 'Checkout down in the EU', nextAction: 'Fail over to the backup acquirer' })
    await post(`/cases/${c.id}/war-room/collaborators`, { userId: helper.id })
    await post(`/cases/${c.id}/war-room/checklist`, { step: 'confirm_problem', done: 'yes' })
    const eventsBefore = (await auditActions(db, org.id, c.id)).length

    const composer = await (await get(`/cases/${c.id}/internal-update`)).text()
    expect(composer).toContain('**Current Status**: Checkout down in the EU')
    expect(composer).toContain('- Confirm the exact problem')
    expect(composer).toContain('- Fail over to the backup acquirer')
    expect(composer).toContain('**Next Update**:')
    expect(composer).toContain(`https://desk.example.test/cases/${c.id}`)
    // The list holds the customer's address: shown as withheld, never a recipient.
    expect(composer).toMatch(/Withheld, because it is the customer’s: pat@customer\.test/)
    expect(await db`select 1 from internal_updates where case_id = ${c.id}`).toHaveLength(0)
    expect((await auditActions(db, org.id, c.id)).length).toBe(eventsBefore)

    const sent = await post(`/cases/${c.id}/internal-update`, { subject: 'ESC update: failing over', body: 'We are failing over now.' })
    expect(sent.status).toBe(303)
    expect(sent.headers.get('location')).toBe(`/cases/${c.id}?notice=internal-update#war-room`)
    await runJobs()
    const mail = (await heldMail(db, org.id)).filter((m) => m.key?.startsWith('internal-update/'))
    expect(mail).toHaveLength(1)
    expect(mail[0]!.subject).toBe('ESC update: failing over')
    expect([...mail[0]!.to].sort()).toEqual(
      [owner.email, helper.email, 'ceo@example.test', 'coo@example.test', 'oncall@example.test'].map((e) => e.toLowerCase()).sort(),
    )
    expect(mail[0]!.to).not.toContain('pat@customer.test')
    // Not customer mail: no outbox row, no draft, no approval.
    expect(await db`select 1 from outbox where case_id = ${c.id}`).toHaveLength(0)
    expect(await db`select 1 from drafts where case_id = ${c.id}`).toHaveLength(0)
    expect(await db`select status from internal_updates where case_id = ${c.id}`).toEqual([{ status: 'sent' }])
    const actions = (await auditActions(db, org.id, c.id)).map((e) => e.action)
    expect(actions.slice(-2)).toEqual(['internal_update.create', 'internal_update.send'])
    const page = await (await get(`/cases/${c.id}`)).text()
    expect(page).toContain('sent an internal update to 5 stakeholders')
    expect(page).toContain('The desk delivered the internal update')
    // Run again: the job is done, and the stored mail is not sent twice.
    await runJobs()
    expect((await heldMail(db, org.id)).filter((m) => m.key?.startsWith('internal-update/'))).toHaveLength(1)
  })

  it('refuses an empty update, and a case with nobody to tell', async () => {
    const lonely = await arrangeCase(db, org.id, { severity: 'SEV-4', ownerId: null })
    const res = await post(`/cases/${lonely.id}/internal-update`, { subject: 'Hello', body: 'Anyone?' })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Nobody receives this update yet')
    const empty = await post(`/cases/${lonely.id}/internal-update`, { subject: 'Hello', body: '   ' })
    expect(empty.status).toBe(400)
    expect(await db`select 1 from internal_updates where case_id = ${lonely.id}`).toHaveLength(0)
  })

  it('SEV-1 every 30 minutes: missed after 30 minutes of silence, met by an update, missed again 30 minutes later', async () => {
    const opened = new Date('2026-03-02T09:00:00Z')
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', ownerId: owner.id, openedAt: opened })
    expect(await cadence(c.id, new Date('2026-03-02T09:29:00Z'))).toMatchObject({ everyMinutes: 30, missed: false })
    expect((await cadence(c.id, new Date('2026-03-02T09:29:00Z'))).dueAt!.toISOString()).toBe('2026-03-02T09:30:00.000Z')
    expect(await cadence(c.id, new Date('2026-03-02T09:31:00Z'))).toMatchObject({ missed: true })

    await post(`/cases/${c.id}/internal-update`, { subject: 'Update 1', body: 'Working on it.' })
    // The update was written "late" for the fake clock above; stand it at 09:40.
    await db`update internal_updates set created_at = '2026-03-02T09:40:00Z' where case_id = ${c.id}`
    expect(await cadence(c.id, new Date('2026-03-02T10:05:00Z'))).toMatchObject({ missed: false })
    const again = await cadence(c.id, new Date('2026-03-02T10:11:00Z'))
    expect(again).toMatchObject({ missed: true })
    expect(again.dueAt!.toISOString()).toBe('2026-03-02T10:10:00.000Z')
    // A failed send is no update.
    await db`update internal_updates set status = 'failed' where case_id = ${c.id}`
    expect((await cadence(c.id, new Date('2026-03-02T09:35:00Z'))).missed).toBe(true)
  })

  it('SEV-2 every 2 hours, SEV-3 daily, SEV-4 none; a finished case owes nothing', async () => {
    const opened = new Date('2026-03-02T09:00:00Z')
    const sev2 = await arrangeCase(db, org.id, { severity: 'SEV-2', ownerId: owner.id, openedAt: opened })
    const sev3 = await arrangeCase(db, org.id, { severity: 'SEV-3', ownerId: owner.id, openedAt: opened })
    const sev4 = await arrangeCase(db, org.id, { severity: 'SEV-4', ownerId: owner.id, openedAt: opened })
    const done = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'resolved', resolvedAt: opened, openedAt: opened })
    expect(await cadence(sev2.id, new Date('2026-03-02T10:59:00Z'))).toMatchObject({ everyMinutes: 120, missed: false })
    expect(await cadence(sev2.id, new Date('2026-03-02T11:01:00Z'))).toMatchObject({ missed: true })
    expect(await cadence(sev3.id, new Date('2026-03-03T08:59:00Z'))).toMatchObject({ everyMinutes: 1440, missed: false })
    expect(await cadence(sev3.id, new Date('2026-03-03T09:01:00Z'))).toMatchObject({ missed: true })
    expect(await cadence(sev4.id, new Date('2027-03-03T09:01:00Z'))).toMatchObject({ everyMinutes: null, dueAt: null, missed: false })
    expect(await cadence(done.id, new Date('2027-03-03T09:01:00Z'))).toMatchObject({ dueAt: null, missed: false })
  })

  it('a missed internal cadence shows on the case and in the digest; a missed customer update shows in the queue', async () => {
    const c = await arrangeCase(db, org.id, {
      subject: 'Missed internal cadence',
      severity: 'SEV-1',
      ownerId: owner.id,
      openedAt: ago(45),
      firstResponseAt: ago(40),
      // The customer-update clock ran out 10 minutes ago.
      nextUpdateDueAt: ago(10),
      nextDeadlineAt: ago(10),
      nextAtRiskAt: ago(20),
    })
    const page = await (await get(`/cases/${c.id}`)).text()
    expect(page).toContain('internal update missed')

    const digest = await withOrg(db, org.id, (tx) => computeDigest(tx, org.id, new Date()))
    const section = digestSections(digest, 'https://desk.example.test').find((s) => s.title === 'Internal updates missed')
    expect(section?.lines.map((l) => l.subject)).toContain('Missed internal cadence')
    expect(section?.lines.find((l) => l.subject === 'Missed internal cadence')?.detail).toMatch(
      /^internal update was due .* \(15 min ago\)/,
    )
    // The customer's clock is its own section (SEV-1/2 updates missed), unchanged.
    expect(digest.cadenceMissed.map((l) => l.id)).toContain(c.id)

    // The queue shows the customer-update clock for the case, overdue.
    const queue = await (await get('/')).text()
    const row = queue.slice(queue.indexOf(`id="case-${c.id}"`), queue.indexOf('</tr>', queue.indexOf(`id="case-${c.id}"`)))
    expect(row).toMatch(
      /<span class="customer-update"><span class="countdown breached"[^>]*><span class="clock-label">customer update<\/span>/,
    )

    // Sending the internal update clears the internal miss (the customer's stays until a reply is sent).
    await post(`/cases/${c.id}/internal-update`, { subject: 'Status', body: 'Still on it.' })
    const after = await withOrg(db, org.id, (tx) => computeDigest(tx, org.id, new Date()))
    expect((after.internalMissed ?? []).map((l) => l.id)).not.toContain(c.id)
    expect(after.cadenceMissed.map((l) => l.id)).toContain(c.id)
    expect(await db`select due_at < created_at as late from internal_updates where case_id = ${c.id}`).toEqual([{ late: true }])
  })
})
