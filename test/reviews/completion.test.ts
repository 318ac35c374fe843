import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changeStatus, confirmResolution } from '../../src/cases/lifecycle.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { arrangeCase } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Issue 20, learning: closing a SEV-1/2 case waits for a completed review (or a written,
// audited reason); SEV-3/4 get the short form.
describe('review before closing', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let approver: { id: string; email: string }
  let cookie: string
  const app = () => createTestApp(db)
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  const post = (path: string, fields: Record<string, string>) => app().request(path, formPost(fields, { cookie }))
  const get = (path: string) => app().request(path, { headers: { cookie, accept: 'text/html' } })
  const statusOf = async (id: string) =>
    (await inOrg((tx) => tx<{ status: string }[]>`select status from cases where id = ${id}`))[0]!.status
  const resolved = (severity: 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4') =>
    arrangeCase(db, org.id, { severity, status: 'resolved', resolvedAt: new Date(), ownerId: owner.id, customerEmail: 'pat@customer.test' })

  const fullReview = {
    summary: 'Checkout was down for two hours.',
    why1: 'The payment certificate expired.',
    rootCause: 'Nobody owned certificate renewals.',
    process1: 'Yes, SEV-1 within minutes.',
    process2: 'Updates every 30 minutes.',
    process3: 'Payments joined late.',
    process4: 'No expiry monitoring.',
    process5: 'Page payments at once.',
    tags: 'Certificate expiry, Payments',
  }

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('a SEV-1 case is not closed without a completed review; the reason to close anyway is audited', async () => {
    const c = await resolved('SEV-1')
    const refused = await post(`/cases/${c.id}/status`, { status: 'closed', reason: 'customer went quiet' })
    expect(refused.status).toBe(409)
    expect(await refused.text()).toContain('closing it needs a completed post-incident review')
    expect(await statusOf(c.id)).toBe('resolved')
    expect((await auditActions(db, org.id, c.id)).map((e) => e.action)).not.toContain('review.override')
    // The case page offers the field for the reason.
    expect(await (await get(`/cases/${c.id}`)).text()).toContain('name="reviewOverride"')

    const closed = await post(`/cases/${c.id}/status`, {
      status: 'closed',
      reason: 'customer went quiet',
      reviewOverride: 'Duplicate of the incident reviewed on ESC-1',
    })
    expect(closed.status).toBe(303)
    expect(await statusOf(c.id)).toBe('closed')
    const override = (await auditActions(db, org.id, c.id)).find((e) => e.action === 'review.override')
    expect(override).toMatchObject({
      actorId: owner.id,
      details: { reason: 'Duplicate of the incident reviewed on ESC-1', severity: 'SEV-1' },
    })
  })

  it('a completed review lets the case close; completion needs the five whys, the root cause and the process review', async () => {
    const c = await resolved('SEV-2')
    expect((await post(`/cases/${c.id}/review`, { summary: 'Only a summary' })).status).toBe(303)
    const early = await post(`/cases/${c.id}/review/complete`, {})
    expect(early.status).toBe(400)
    expect(await early.text()).toMatch(/the first of the five whys, the root cause, 5 process review questions/)
    const page = await get(`/cases/${c.id}/review`)
    const base = /name="base" value="([^"]+)"/.exec(await page.text())![1]!
    expect((await post(`/cases/${c.id}/review`, { ...fullReview, base })).status).toBe(303)
    expect((await post(`/cases/${c.id}/review/complete`, {})).status).toBe(303)
    const stored = await inOrg(
      (tx) => tx`select root_cause_tags as tags, process_answers as process, completed_by from incident_reviews where case_id = ${c.id}`,
    )
    expect(stored[0]).toMatchObject({ tags: ['certificate-expiry', 'payments'], completed_by: owner.id })
    expect((stored[0]!.process as string[]).length).toBe(5)
    expect((await post(`/cases/${c.id}/status`, { status: 'closed', reason: 'confirmed by phone' })).status).toBe(303)
    const actions = (await auditActions(db, org.id, c.id)).map((e) => e.action)
    expect(actions).toContain('review.complete')
    expect(actions).not.toContain('review.override')
    // Completing twice is refused.
    expect((await post(`/cases/${c.id}/review/complete`, {})).status).toBe(409)
  })

  it('SEV-3/4 get the short review and close freely, unless the org requires it for them', async () => {
    const c = await resolved('SEV-4')
    const page = await (await get(`/cases/${c.id}/review`)).text()
    expect(page).toContain('Short review')
    expect(page).toContain('How we prevent it')
    expect(page).not.toContain('Process review')
    await inOrg((tx) => changeStatus(tx, org.id, c.id, { kind: 'user', id: owner.id }, { to: 'closed', reason: 'done' }))

    const admin = await seedUser(db, org.id, 'admin')
    const adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    // Only admins change the requirement.
    expect((await post('/admin/reviews', { severity: 'SEV-3' })).status).toBe(403)
    const body = new URLSearchParams([
      ['severity', 'SEV-1'],
      ['severity', 'SEV-2'],
      ['severity', 'SEV-3'],
      ['severity', 'SEV-9'],
    ]).toString()
    const saved = await app().request('/admin/reviews', { ...formPost({}, { cookie: adminCookie }), body })
    expect(saved.status).toBe(200)
    expect(await inOrg((tx) => tx`select required_severities as s from review_settings`)).toEqual([{ s: ['SEV-1', 'SEV-2', 'SEV-3'] }])

    const minor = await resolved('SEV-3')
    const refused = await inOrg((tx) =>
      changeStatus(tx, org.id, minor.id, { kind: 'user', id: owner.id }, { to: 'closed', reason: 'done' }),
    ).catch((e: Error) => e)
    expect(String(refused)).toMatch(/SEV-3: closing it needs a completed post-incident review/)
    // The short form's three parts complete it.
    await post(`/cases/${minor.id}/review`, {
      summary: 'A typo in the invoice.',
      rootCause: 'Manual entry.',
      prevention: 'Validate totals.',
    })
    expect((await post(`/cases/${minor.id}/review/complete`, {})).status).toBe(303)
    await inOrg((tx) => changeStatus(tx, org.id, minor.id, { kind: 'user', id: owner.id }, { to: 'closed', reason: 'done' }))
    expect(await statusOf(minor.id)).toBe('closed')
  })

  it("the customer's confirmation still closes a SEV-1 case: the customer is never refused", async () => {
    const c = await resolved('SEV-1')
    await inOrg((tx) => confirmResolution(tx, org.id, c.id, { kind: 'customer', id: 'pat@customer.test' }))
    expect(await statusOf(c.id)).toBe('closed')
  })

  it("another org's case is a 404 for every review and recovery route", async () => {
    const c = await resolved('SEV-1')
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'admin')
    const strangerCookie = await sessionCookie(db, { id: stranger.id, orgId: other.id })
    for (const path of ['/review/complete', '/recovery', '/recovery/check', '/recovery/items', `/recovery/items/${c.id}`]) {
      const res = await app().request(`/cases/${c.id}${path}`, formPost({ impactLevel: 'minor' }, { cookie: strangerCookie }))
      expect(res.status).toBe(404)
    }
  })
})
