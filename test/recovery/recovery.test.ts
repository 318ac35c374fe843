import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { previewDigest } from '../../src/digest/digest.ts'
import { digestSections } from '../../src/digest/sections.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { arrangeCase } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Issue 20, customer recovery: the plan's proportional items with owners and due dates, overdue
// ones in the digest ("no follow-through"), and the 90-day check, on a faked clock.
describe('recovery plan', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let cookie: string
  const start = new Date()
  const day = 86_400_000
  const app = () => createTestApp(db)
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  const post = (path: string, fields: Record<string, string>) => app().request(path, formPost(fields, { cookie }))
  const at = (offsetDays: number) => vi.setSystemTime(new Date(start.getTime() + offsetDays * day))
  const localDate = (offsetDays: number) => new Date(start.getTime() + offsetDays * day).toISOString().slice(0, 10)
  const items = (caseId: string) =>
    inOrg(
      (tx) =>
        tx<{ id: string; kind: string; dueOn: string; credit: string | null; status: string }[]>`
        select id, kind, to_char(due_on, 'YYYY-MM-DD') as "dueOn", credit_amount::text || ' ' || credit_currency as credit, status
        from recovery_items where case_id = ${caseId} order by due_on, kind`,
    )
  const digest = async () => (await previewDigest(db, testEnv({ PUBLIC_URL: 'https://desk.example.test' }), org.id, new Date())).digest

  beforeAll(async () => {
    db = testDb(4)
    // UTC, so the org's local date is the ISO date of the faked instant.
    org = await seedOrg(db, { timezone: 'UTC' })
    owner = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
  })
  afterEach(() => vi.useRealTimers())
  afterAll(() => db.end())

  it('the impact level makes its proportional items, a credit with its amount, and check-ins at 1, 2 and 4 weeks', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    at(0)
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'in_progress', ownerId: owner.id })
    const noAmount = await post(`/cases/${c.id}/recovery`, { impactLevel: 'significant', ownerId: owner.id, creditAmount: '' })
    expect(noAmount.status).toBe(400)
    expect(await noAmount.text()).toContain('includes a service credit: give its amount')
    expect(await items(c.id)).toEqual([])

    const made = await post(`/cases/${c.id}/recovery`, {
      impactLevel: 'significant',
      ownerId: owner.id,
      creditAmount: '1,500',
      creditCurrency: 'eur',
    })
    expect(made.status).toBe(303)
    expect((await items(c.id)).map((i) => [i.kind, i.dueOn, i.credit])).toEqual([
      ['executive_call', localDate(3), null],
      ['check_in', localDate(7), null],
      ['service_credit', localDate(7), '1500.00 EUR'],
      ['check_in', localDate(14), null],
      ['roadmap', localDate(14), null],
      ['check_in', localDate(28), null],
    ])
    const audit = (await auditActions(db, org.id, c.id)).find((e) => e.action === 'recovery.plan')
    expect(audit?.details).toMatchObject({ impactLevel: 'significant', from: null, credit: '1500 EUR' })

    // Raising the level adds the bigger gestures and keeps every promise already made.
    await post(`/cases/${c.id}/recovery`, { impactLevel: 'severe', ownerId: owner.id })
    const kinds = (await items(c.id)).map((i) => i.kind)
    expect(kinds.filter((k) => k === 'check_in').length).toBe(3)
    expect(kinds).toEqual(expect.arrayContaining(['executive_call', 'service_credit', 'roadmap', 'in_person_meeting', 'gesture']))
    // The case page shows the plan.
    const page = await (await app().request(`/cases/${c.id}`, { headers: { cookie, accept: 'text/html' } })).text()
    expect(page).toContain('Recovery plan')
    expect(page).toContain('1500.00 EUR')
  })

  it('an item not done by its due date is in the digest as no follow-through, until it is done', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    at(0)
    const c = await arrangeCase(db, org.id, { severity: 'SEV-2', status: 'in_progress', ownerId: owner.id, subject: 'Invoice doubled' })
    await post(`/cases/${c.id}/recovery`, { impactLevel: 'minor', ownerId: owner.id })
    const [apology] = (await items(c.id)).filter((i) => i.kind === 'apology')
    expect(apology!.dueOn).toBe(localDate(1))
    at(1) // the due date itself: not overdue yet
    expect((await digest()).recoveryOverdue?.some((r) => r.caseId === c.id)).toBe(false)
    at(2)
    const d = await digest()
    const line = d.recoveryOverdue?.find((r) => r.caseId === c.id)
    expect(line).toMatchObject({ title: 'Apologise and thank them', dueOn: localDate(1) })
    const section = digestSections(d, 'https://desk.example.test').find((s) => s.title === 'Recovery promises overdue')
    expect(section?.lines.find((l) => l.url?.endsWith(c.id))?.detail).toContain('no follow-through')
    // Marked done: off the digest.
    expect((await post(`/cases/${c.id}/recovery/items/${apology!.id}`, { status: 'done' })).status).toBe(303)
    expect((await digest()).recoveryOverdue?.some((r) => r.caseId === c.id)).toBe(false)
    expect((await auditActions(db, org.id, c.id)).map((e) => e.action)).toContain('recovery.item_done')
    // Done twice is refused; an item id from nowhere is not found.
    expect((await post(`/cases/${c.id}/recovery/items/${apology!.id}`, { status: 'done' })).status).toBe(409)
    expect((await post(`/cases/${c.id}/recovery/items/00000000-0000-4000-8000-000000000000`, { status: 'done' })).status).toBe(409)
  })

  it('the 90-day check falls due 90 days after resolution, is in the digest until recorded, and is recorded once', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    at(0)
    const c = await arrangeCase(db, org.id, { severity: 'SEV-1', status: 'resolved', resolvedAt: new Date(), ownerId: owner.id })
    await post(`/cases/${c.id}/recovery`, { impactLevel: 'moderate', ownerId: owner.id, creditAmount: '200' })
    const early = await post(`/cases/${c.id}/recovery/check`, { maintained: 'yes' })
    expect(early.status).toBe(409)
    expect(await early.text()).toContain(`The 90-day check is due on ${localDate(90)}`)
    at(89)
    expect((await digest()).recoveryChecksDue?.some((r) => r.caseId === c.id)).toBe(false)
    at(90)
    expect((await digest()).recoveryChecksDue?.find((r) => r.caseId === c.id)).toMatchObject({ dueOn: localDate(90) })
    expect((await post(`/cases/${c.id}/recovery/check`, { maintained: '' })).status).toBe(400)
    const done = await post(`/cases/${c.id}/recovery/check`, { maintained: 'no', note: 'They did not renew.' })
    expect(done.status).toBe(303)
    const [plan] = await inOrg(
      (tx) => tx`select relationship_maintained as m, check_note as note, checked_by as by from recovery_plans where case_id = ${c.id}`,
    )
    expect(plan).toEqual({ m: false, note: 'They did not renew.', by: owner.id })
    expect((await digest()).recoveryChecksDue?.some((r) => r.caseId === c.id)).toBe(false)
    expect((await post(`/cases/${c.id}/recovery/check`, { maintained: 'yes' })).status).toBe(409)
    const audit = (await auditActions(db, org.id, c.id)).find((e) => e.action === 'recovery.check')
    expect(audit?.details).toEqual({ maintained: false, note: 'They did not renew.' })
  })

  it('an owner from another org is refused', async () => {
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'agent')
    const c = await arrangeCase(db, org.id, { severity: 'SEV-3', status: 'in_progress', ownerId: owner.id })
    const res = await post(`/cases/${c.id}/recovery`, { impactLevel: 'minor', ownerId: stranger.id })
    expect(res.status).toBe(400)
    expect(await items(c.id)).toEqual([])
  })
})
