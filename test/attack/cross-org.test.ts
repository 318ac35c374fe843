import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionUser } from '../../src/auth/sessions.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { addPreventionAction } from '../../src/reviews/prevention.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

// Attack suite, tenant isolation beyond the URL: test/portal/isolation.test.ts tries
// another org's ids in every route's path. Here they come in the form body (an owner, a draft
// version, a prevention action, an import run), and every page and export a signed-in admin can
// open — queue, metrics, digest settings, reports, CSVs — is searched for another org's data,
// whatever org the query string names.

describe("another org's ids in forms, and its data on any page", () => {
  let db: Db
  let orgA: Org
  let orgB: Org
  let admin: { id: string; cookie: string }
  let a: { caseId: string; draftId: string }
  let b: { caseId: string; draftId: string; userId: string; actionId: string; marker: string }
  const app = () => createTestApp(db)

  beforeAll(async () => {
    db = testDb()
    orgA = await seedOrg(db)
    orgB = await seedOrg(db)
    const userA = await seedUser(db, orgA.id, 'admin')
    admin = { id: userA.id, cookie: await sessionCookie(db, { id: userA.id, orgId: orgA.id }) }
    // SEV-1 mail ("legal action") so both cases have post-incident reviews.
    const threat = { body: 'My lawyer will file a lawsuit today; this is a legal matter.' }
    const caseA = await seedCase(db, orgA.id, threat)
    a = { caseId: caseA.id, draftId: (await seedDraft(db, orgA.id, caseA.id)).id }
    const marker = `ORGB${randomBytes(6).toString('hex')}`
    const userB = await seedUser(db, orgB.id, 'admin')
    const caseB = await seedCase(db, orgB.id, {
      ...threat,
      subject: `${marker} subject`,
      from: `${marker} Customer <${marker.toLowerCase()}@customer.test>`,
    })
    const draftB = await seedDraft(db, orgB.id, caseB.id, { body: `${marker} draft body` })
    const sessionB: SessionUser = { id: userB.id, orgId: orgB.id, email: userB.email, name: 'B', role: 'admin' } as SessionUser
    const actionId = await withOrg(db, orgB.id, async (tx) => {
      await tx`update cases set severity = 'SEV-1' where id = ${caseB.id}`
      return addPreventionAction(tx, orgB.id, caseB.id, sessionB, { title: `${marker} action`, ownerId: userB.id, dueOn: '2026-12-01' })
    })
    await withOrg(db, orgA.id, (tx) => tx`update cases set severity = 'SEV-1' where id = ${a.caseId}`)
    b = { caseId: caseB.id, draftId: draftB.id, userId: userB.id, actionId, marker }
  })
  afterAll(() => db.end())

  const post = (path: string, fields: Record<string, string>) => app().request(path, formPost(fields, { cookie: admin.cookie }))
  const stateOf = async () => ({
    a: await withOrg(
      db,
      orgA.id,
      async (tx) =>
        (
          await tx`
      select owner_id, status, (select count(*)::int from approvals where case_id = ${a.caseId}) as approvals,
             (select count(*)::int from outbox where case_id = ${a.caseId}) as outbox from cases where id = ${a.caseId}`
        )[0],
    ),
    b: await withOrg(
      db,
      orgB.id,
      async (tx) =>
        (
          await tx`
      select owner_id, status, (select count(*)::int from approvals where case_id = ${b.caseId}) as approvals,
             (select string_agg(status, ',') from prevention_actions where case_id = ${b.caseId}) as actions,
             (select count(*)::int from audit_events) as audit from cases where id = ${b.caseId}`
        )[0],
    ),
  })

  it("refuses another org's user, draft, action and run given in a form, changing nothing in either org", async () => {
    const before = await stateOf()
    const attempts: [string, Response][] = [
      ["assign to B's user", await post(`/cases/${a.caseId}/assign`, { ownerId: b.userId, reason: 'cross-org' })],
      ["approve B's draft on A's case", await post(`/cases/${a.caseId}/approval/decide`, { draftId: b.draftId, decision: 'approved' })],
      ["approve B's draft on B's case", await post(`/cases/${b.caseId}/approval/decide`, { draftId: b.draftId, decision: 'approved' })],
      ["mark B's action on B's case", await post(`/cases/${b.caseId}/review/actions/${b.actionId}`, { status: 'done' })],
      [
        "add an action owned by B's user",
        await post(`/cases/${a.caseId}/review/actions`, { title: 'cross-org owner', ownerId: b.userId, dueOn: '2026-12-01' }),
      ],
      ["change B's user's role", await post(`/admin/users/${b.userId}/role`, { role: 'agent' })],
    ]
    for (const [what, res] of attempts) {
      expect({ what, refused: res.status >= 400 && res.status < 500 }).toEqual({ what, refused: true })
      expect(await res.text()).not.toContain(b.marker)
    }
    // B's action on A's own case is answered exactly as an action that does not exist.
    const theirs = await post(`/cases/${a.caseId}/review/actions/${b.actionId}`, { status: 'done' })
    const nobody = await post(`/cases/${a.caseId}/review/actions/${randomUUID()}`, { status: 'done' })
    expect(theirs.status).toBe(nobody.status)
    expect(theirs.status).toBeGreaterThanOrEqual(400)
    expect(await stateOf()).toEqual(before)
  })

  it("shows none of another org's data on any page or export, whatever org the query names", { timeout: 60_000 }, async () => {
    const queries = [
      '',
      `?org=${orgB.slug}`,
      `?orgId=${orgB.id}`,
      `?org_id=${orgB.id}&case=${b.caseId}`,
      '?view=all&period=365d',
      '?period=custom&from=2000-01-01&to=2100-01-01',
    ]
    const fill = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => (name === 'id' ? a.caseId : randomUUID()))
    const routes = app().routes.filter(
      (r) => r.method === 'GET' && !/^\/(inbound|static|healthz|favicon)/.test(r.path) && !r.path.includes('*'),
    )
    expect(routes.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/', '/metrics', '/metrics.csv', '/admin/audit.csv', '/reports/severity']),
    )
    const leaks: string[] = []
    let pages = 0
    for (const route of routes) {
      for (const query of queries) {
        const res = await app().request(`${fill(route.path)}${query}`, { headers: { accept: 'text/html', cookie: admin.cookie } })
        const body = await res.text()
        if (res.status === 200) pages++
        if (body.includes(b.marker) || body.includes(b.caseId) || body.includes(b.userId)) leaks.push(`${route.path}${query}`)
      }
    }
    expect(leaks).toEqual([])
    expect(pages).toBeGreaterThan(40)
    // The same pages do show org A's own data (the search above would find a leak).
    const own = await (await app().request(`/cases/${a.caseId}`, { headers: { accept: 'text/html', cookie: admin.cookie } })).text()
    expect(own).toContain(a.caseId)
  })
})
