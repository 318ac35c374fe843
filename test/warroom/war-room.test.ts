import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listCaseAudit } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase } from '../support/digest.ts'

// The war room on the case (resolution management): each change checked, saved, audited and on
// the timeline; another org's ids refused; the checklist never closes a case by itself.

describe('war room on the case', () => {
  let db: Db
  let org: Org
  let other: Org
  let owner: { id: string; email: string }
  let helper: { id: string; email: string }
  let stranger: { id: string; email: string }
  let cookie: string
  const app = () => createTestApp(db)
  const post = (path: string, fields: Record<string, string>) => app().request(path, formPost(fields, { cookie }))
  const page = async (caseId: string) => (await app().request(`/cases/${caseId}`, { headers: { cookie, accept: 'text/html' } })).text()
  const trail = (caseId: string) => withOrg(db, org.id, (tx) => listCaseAudit(tx, caseId))
  const room = (caseId: string) => db`select * from case_war_rooms where case_id = ${caseId}`

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { timezone: 'Europe/Berlin' })
    other = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    helper = await seedUser(db, org.id, 'agent')
    stranger = await seedUser(db, other.id, 'admin')
    await db`update app_users set name = 'Olive Owner' where id = ${owner.id}`
    await db`update app_users set name = 'Hugo Helper' where id = ${helper.id}`
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('SEV-1: the war room is open on the page; the commander defaults to the owner', async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', ownerId: owner.id })
    const html = await page(c.id)
    expect(html).toMatch(/<section class="panel war-room prominent" id="war-room"/)
    expect(html).toMatch(/Incident commander<\/dt><dd>Olive Owner<span class="muted"> \(the owner\)/)
    const sev3 = await arrangeCase(db, org.id, { severity: 'SEV-3', ownerId: owner.id })
    // SEV-3/4: folded away (a <details> without open).
    expect(await page(sev3.id)).toMatch(
      /<section class="panel war-room" id="war-room" aria-labelledby="war-room-heading"><details><summary>/,
    )
  })

  it('saves every field, the ETA in the org’s zone, and audits what changed in one timeline sentence', async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', ownerId: owner.id })
    const res = await post(`/cases/${c.id}/war-room`, {
      commanderId: helper.id,
      statusLine: 'Payments failing for EU stores',
      nextAction: 'Roll back the gateway release',
      nextActionOwnerId: helper.id,
      nextActionEta: '2026-12-01T14:30',
      workaround: 'Take card payments by phone',
      workaroundCommunicated: 'yes',
      hypothesis: 'The certificate rotation broke TLS to the acquirer',
      channelUrl: 'https://example.slack.com/archives/C0123',
    })
    expect(res.status).toBe(303)
    const [saved] = await room(c.id)
    expect(saved).toMatchObject({
      commander_id: helper.id,
      status_line: 'Payments failing for EU stores',
      next_action_owner_id: helper.id,
      workaround_communicated: true,
      channel_url: 'https://example.slack.com/archives/C0123',
    })
    // 14:30 in Berlin in winter is 13:30 UTC.
    expect((saved!.next_action_eta as Date).toISOString()).toBe('2026-12-01T13:30:00.000Z')
    const events = (await trail(c.id)).filter((e) => e.action === 'warroom.update')
    expect(events).toHaveLength(1)
    expect(events[0]!.details).toMatchObject({ fields: expect.arrayContaining(['commanderId', 'workaroundCommunicated']) })
    const html = await page(c.id)
    expect(html).toContain('updated the war room: incident commander Hugo Helper; status “Payments failing for EU stores”')
    expect(html).toContain('workaround communicated to the customer')
    expect(html).toContain('href="https://example.slack.com/archives/C0123"')

    // The same form again changes nothing and writes nothing.
    const before = (await trail(c.id)).length
    await post(`/cases/${c.id}/war-room`, {
      commanderId: helper.id,
      statusLine: 'Payments failing for EU stores',
      nextAction: 'Roll back the gateway release',
      nextActionOwnerId: helper.id,
      nextActionEta: '2026-12-01T14:30',
      workaround: 'Take card payments by phone',
      workaroundCommunicated: 'yes',
      hypothesis: 'The certificate rotation broke TLS to the acquirer',
      channelUrl: 'https://example.slack.com/archives/C0123',
    })
    expect((await trail(c.id)).length).toBe(before)
  })

  it("refuses another org's teammate, a non-https channel link and another org's case", async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', ownerId: owner.id })
    const foreign = await post(`/cases/${c.id}/war-room`, { commanderId: stranger.id, statusLine: 'x' })
    expect(foreign.status).toBe(400)
    expect(await foreign.text()).toContain('Choose a teammate from the list.')
    const script = await post(`/cases/${c.id}/war-room`, { channelUrl: 'javascript:alert(1)' })
    expect(script.status).toBe(400)
    expect(await script.text()).toContain('must be an https:// address')
    expect(await room(c.id)).toHaveLength(0)
    expect(await post(`/cases/${c.id}/war-room/collaborators`, { userId: stranger.id })).toHaveProperty('status', 400)

    const theirs = await arrangeCase(db, other.id, { severity: 'SEV-1' })
    expect((await post(`/cases/${theirs.id}/war-room`, { statusLine: 'mine now' })).status).toBe(404)
    expect((await post(`/cases/${theirs.id}/war-room/checklist`, { step: 'confirm_problem' })).status).toBe(404)
    expect((await post(`/cases/${theirs.id}/war-room/collaborators`, { userId: helper.id })).status).toBe(404)
    expect(await db`select 1 from case_war_rooms where case_id = ${theirs.id}`).toHaveLength(0)
    expect(await db`select 1 from case_collaborators where case_id = ${theirs.id}`).toHaveLength(0)
  })

  it('collaborators are added and removed, each audited', async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-2', ownerId: owner.id })
    expect((await post(`/cases/${c.id}/war-room/collaborators`, { userId: helper.id })).status).toBe(303)
    expect((await post(`/cases/${c.id}/war-room/collaborators`, { userId: helper.id })).status).toBe(303) // twice: once
    expect(await db`select user_id from case_collaborators where case_id = ${c.id}`).toEqual([{ user_id: helper.id }])
    expect(await page(c.id)).toContain('added Hugo Helper as a collaborator')
    await post(`/cases/${c.id}/war-room/collaborators/remove`, { userId: helper.id })
    expect(await db`select 1 from case_collaborators where case_id = ${c.id}`).toHaveLength(0)
    expect((await trail(c.id)).map((e) => e.action).filter((a) => a.startsWith('warroom.'))).toEqual([
      'warroom.collaborator_add',
      'warroom.collaborator_remove',
    ])
  })

  it('the resolution checklist ticks and reopens, audited; a fully ticked case still does not close without the customer', async () => {
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', ownerId: owner.id, status: 'resolved', resolvedAt: new Date() })
    for (const step of [
      'confirm_problem',
      'root_cause',
      'options',
      'fix_or_workaround',
      'verified_with_customer',
      'customer_satisfied',
      'documented',
    ])
      expect((await post(`/cases/${c.id}/war-room/checklist`, { step, done: 'yes' })).status).toBe(303)
    expect((await post(`/cases/${c.id}/war-room/checklist`, { step: 'made_up', done: 'yes' })).status).toBe(400)
    await post(`/cases/${c.id}/war-room/checklist`, { step: 'documented', done: 'no' })
    const steps = await db`select step from case_checklist_steps where case_id = ${c.id} order by step`
    expect(steps.map((s) => s.step)).not.toContain('documented')
    expect(steps).toHaveLength(6)
    const html = await page(c.id)
    expect(html).toContain('ticked the resolution step “Confirm customer satisfaction”')
    expect(html).toContain('reopened the resolution step “Document and close”')
    // Closing is the lifecycle's rule, and the checklist does not bypass it.
    const close = await post(`/cases/${c.id}/status`, { status: 'closed' })
    expect(close.status).toBe(400)
    expect(await close.text()).toContain('has not confirmed the resolution')
  })
})
