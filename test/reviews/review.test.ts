import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listCaseAudit } from '../../src/audit/audit.ts'
import { changeStatus } from '../../src/cases/lifecycle.ts'
import { addNote } from '../../src/cases/notes.ts'
import { assignOwner } from '../../src/cases/ownership.ts'
import { changeSeverity } from '../../src/cases/severity.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { loadReview } from '../../src/reviews/review.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('post-incident review', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let approver: { id: string; email: string }
  let cookie: string
  const app = () => createTestApp(db)
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  const get = (path: string) => app().request(path, { headers: { cookie, accept: 'text/html' } })
  const post = (path: string, fields: Record<string, string>) => app().request(path, formPost(fields, { cookie }))

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
  })
  afterAll(() => db.end())

  /** A SEV-1 incident with a history: escalated, owned, noted, worked on, resolved. */
  async function incident() {
    // Intake reads it as an ordinary complaint; the owner raises it once they know every store is down.
    const c = await seedCase(db, org.id, {
      subject: 'Checkout problems',
      body: 'The checkout page looks different since yesterday. Where did the gift-card field go?',
      from: `Pat Customer <pat-${randomBytes(4).toString('hex')}@customer.test>`,
    })
    await inOrg((tx) => changeSeverity(tx, org.id, c.id, 'SEV-1', { kind: 'user', id: approver.id }, 'every store is down'))
    await inOrg((tx) => assignOwner(tx, org.id, c.id, owner.id, { id: owner.id, role: 'agent' }))
    await inOrg((tx) => addNote(tx, org.id, c.id, owner, 'Payment provider certificate expired.'))
    await inOrg((tx) => changeStatus(tx, org.id, c.id, { kind: 'user', id: owner.id }, { to: 'in_progress' }))
    await inOrg((tx) => changeStatus(tx, org.id, c.id, { kind: 'user', id: owner.id }, { to: 'resolved' }))
    return c
  }

  it('is generated from the case; opening it stores nothing', async () => {
    const c = await incident()
    const events = (await auditActions(db, org.id, c.id)).length
    const res = await get(`/cases/${c.id}/review`)
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('Post-incident review')
    expect(page).toMatch(/SEV-1 service escalation from Pat Customer/)
    expect(page).toContain('every store is down')
    expect(page).toContain('Why did the customer escalate?')
    expect(page).toContain('Executive call + credit + roadmap commitment')
    expect(await inOrg((tx) => tx`select count(*)::int as n from incident_reviews where case_id = ${c.id}`)).toEqual([{ n: 0 }])
    expect((await auditActions(db, org.id, c.id)).length).toBe(events)
  })

  it("the report's timeline is the audit trail: every event, in order, at its time, in the page, the Markdown and the print", async () => {
    const c = await incident()
    await post(`/cases/${c.id}/review/actions`, { title: 'Monitor certificate expiry', ownerId: owner.id, dueOn: '2030-01-31' })
    const trail = await inOrg((tx) => listCaseAudit(tx, c.id))
    const report = (await inOrg((tx) => loadReview(tx, org.id, c.id)))!
    expect(report.timeline.map((e) => [e.seq, e.action, e.at.toISOString()])).toEqual(
      trail.map((e) => [String(e.seq), e.action, e.createdAt.toISOString()]),
    )
    expect(report.timeline.map((e) => e.action)).toEqual([
      'case.create',
      'case.severity_change',
      'case.assign',
      'note.add',
      'case.status_change',
      'case.resolve',
      'prevention.add',
    ])

    const markdown = await (await get(`/cases/${c.id}/review.md`)).text()
    const section = markdown.slice(markdown.indexOf('## Timeline'), markdown.indexOf('## Customer impact'))
    const lines = section.split('\n').filter((l) => l.startsWith('- '))
    expect(lines).toEqual(
      report.timeline.map(
        (e) =>
          `- ${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(e.at)} UTC — ${e.text}`,
      ),
    )
    expect(lines[1]).toContain('changed severity SEV-4 → SEV-1: “every store is down”')

    const print = await (await get(`/cases/${c.id}/review/print`)).text()
    let at = 0
    for (const e of report.timeline) {
      const found = print.indexOf(`datetime="${e.at.toISOString()}"`, at)
      expect(found).toBeGreaterThan(at)
      at = found
    }
  })

  it('saves the five whys and the rest, audited; a stale save is refused and keeps the text', async () => {
    const c = await incident()
    const fields = {
      base: '',
      summary: 'Checkout was down for 3 hours.',
      customerImpact: 'All stores lost sales.',
      why1: 'Checkout failed',
      why2: 'The payment call was refused',
      why3: 'The certificate had expired',
      why4: 'Nobody renewed it',
      why5: 'Renewal was manual and unowned',
      rootCause: 'Manual certificate renewal with no owner.',
      resolution: 'Certificate renewed.',
      recoveryTaken: 'Executive call and a service credit.',
      lessons: 'Automate renewals.',
    }
    const res = await post(`/cases/${c.id}/review`, fields)
    expect(res.status).toBe(303)
    const [row] = await inOrg((tx) => tx`select whys, root_cause, updated_at from incident_reviews where case_id = ${c.id}`)
    expect(row!.whys).toEqual([fields.why1, fields.why2, fields.why3, fields.why4, fields.why5])
    expect(row!.root_cause).toBe(fields.rootCause)
    const saved = (await auditActions(db, org.id, c.id)).filter((e) => e.action.startsWith('review.'))
    expect(saved).toEqual([expect.objectContaining({ action: 'review.create', actorId: owner.id })])

    // Someone saved meanwhile: this form (still base '') must not overwrite their text.
    const stale = await post(`/cases/${c.id}/review`, { ...fields, lessons: 'My own lessons' })
    expect(stale.status).toBe(409)
    expect(await stale.text()).toContain('My own lessons')
    expect((await inOrg((tx) => tx`select lessons from incident_reviews where case_id = ${c.id}`))[0]!.lessons).toBe('Automate renewals.')

    const current = (row!.updated_at as Date).toISOString()
    expect(
      (await post(`/cases/${c.id}/review`, { ...fields, base: current, lessons: 'Automate renewals; alert 30 days ahead.' })).status,
    ).toBe(303)
    const update = (await auditActions(db, org.id, c.id)).find((e) => e.action === 'review.update')
    expect(update?.details).toEqual({ fields: ['lessons'] })
    const markdown = await (await get(`/cases/${c.id}/review.md`)).text()
    expect(markdown).toContain('3. **Why did that happen?** The certificate had expired')
    expect(markdown).toContain('alert 30 days ahead')
  })

  it('prevention actions have an owner, a due date and a status, tracked to done; overdue ones are flagged', async () => {
    const c = await incident()
    expect(
      (await post(`/cases/${c.id}/review/actions`, { title: 'Automate certificate renewal', ownerId: approver.id, dueOn: '2020-01-31' }))
        .status,
    ).toBe(303)
    const [action] = await inOrg(
      (tx) => tx<{ id: string; status: string; due: string }[]>`
      select id, status, to_char(due_on, 'YYYY-MM-DD') as due from prevention_actions where case_id = ${c.id}`,
    )
    expect(action).toMatchObject({ status: 'open', due: '2020-01-31' })
    // The digest's view of it: open, due before today.
    const overdue = await inOrg(
      (tx) =>
        tx`select count(*)::int as n from prevention_actions where to_regclass('prevention_actions') is not null and status = 'open' and due_on < current_date and case_id = ${c.id}`,
    )
    expect(overdue).toEqual([{ n: 1 }])
    expect(await (await get(`/cases/${c.id}/review.md`)).text()).toContain('| Automate certificate renewal |')
    expect(await (await get(`/cases/${c.id}`)).text()).toMatch(/1 overdue/)

    expect((await post(`/cases/${c.id}/review/actions/${action!.id}`, { status: 'done' })).status).toBe(303)
    const [done] = await inOrg((tx) => tx`select status, done_at is not null as stamped from prevention_actions where id = ${action!.id}`)
    expect(done).toEqual({ status: 'done', stamped: true })
    const again = await post(`/cases/${c.id}/review/actions/${action!.id}`, { status: 'done' })
    expect(again.status).toBe(409)
    expect((await auditActions(db, org.id, c.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['prevention.add', 'prevention.done']),
    )

    // Refusals a person can fix: no title, an owner from nowhere.
    expect((await post(`/cases/${c.id}/review/actions`, { title: '', ownerId: owner.id, dueOn: '2030-01-01' })).status).toBe(400)
    expect(
      (await post(`/cases/${c.id}/review/actions`, { title: 'x', ownerId: '00000000-0000-4000-8000-000000000000', dueOn: '2030-01-01' }))
        .status,
    ).toBe(400)
  })

  it('SEV-3/4 get the short review (sql/00035), and another org cannot see any', async () => {
    const minor = await seedCase(db, org.id, { subject: 'Gift cards', body: 'Where did the gift-card field go on the checkout page?' })
    const short = await get(`/cases/${minor.id}/review`)
    expect(short.status).toBe(200)
    expect(await short.text()).toMatch(/Short review: ESC-\d+/)
    expect((await post(`/cases/${minor.id}/review`, { summary: 'x', rootCause: 'y', prevention: 'z' })).status).toBe(303)
    const md = await (await get(`/cases/${minor.id}/review.md`)).text()
    expect(md).toContain('## Prevention\n\nz')
    expect(md).not.toContain('## Process review')
    const c = await incident()
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'admin')
    const strangerCookie = await sessionCookie(db, { id: stranger.id, orgId: other.id })
    for (const path of [`/cases/${c.id}/review`, `/cases/${c.id}/review.md`, `/cases/${c.id}/review/print`]) {
      expect((await app().request(path, { headers: { cookie: strangerCookie, accept: 'text/html' } })).status).toBe(404)
    }
    expect(
      (
        await app().request(
          `/cases/${c.id}/review/actions`,
          formPost({ title: 'x', ownerId: stranger.id, dueOn: '2030-01-01' }, { cookie: strangerCookie }),
        )
      ).status,
    ).toBe(404)
  })

  it('every case shows a recovery suggestion proportional to its impact', async () => {
    const minor = await seedCase(db, org.id, { from: `Lee <lee-${Date.now()}@customer.test>` })
    const page = await (await get(`/cases/${minor.id}`)).text()
    expect(page).toContain('Recovery suggestion')
    expect(page).toMatch(/<strong>Apology<\/strong>/)
    // Every case has a review now: the short form for SEV-3/4.
    expect(page).toContain(`/cases/${minor.id}/review"`)
    const c = await incident()
    const incidentPage = await (await get(`/cases/${c.id}`)).text()
    expect(incidentPage).toContain('Executive call + credit + roadmap commitment')
    expect(incidentPage).toContain(`/cases/${c.id}/review`)
  })
})
