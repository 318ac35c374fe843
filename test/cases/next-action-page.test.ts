import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// The case page renders the next step nextAction decides, with its control, and an answer to
// that control shows in the bar, not beside the sidebar form that does the same thing.
describe('the next step on the case page, as the server renders it', () => {
  let db: Db
  let org: Org
  let agent: { id: string; cookie: string }
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const user = await seedUser(db, org.id, 'agent')
    agent = { id: user.id, cookie: await sessionCookie(db, { ...user, orgId: org.id }) }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const page = async (id: string) =>
    (await app().request(`/cases/${id}`, { headers: { accept: 'text/html', cookie: agent.cookie } })).text()
  const post = (path: string, fields: Record<string, string>) =>
    app().request(path, formPost(fields, { cookie: agent.cookie, 'hx-request': 'true' }))

  it('unowned: "Assign an owner" with the assign form in the bar, and the sidebar has no second one', async () => {
    const kase = await seedCase(db, org.id)
    const body = await page(kase.id)
    expect(body).toMatch(/<section class="next-action next-assign_owner" id="next-action"[^>]*>/)
    expect(body).toContain('<h2 id="next-action-title">Assign an owner</h2>')
    expect(body.match(/action="\/cases\/[^"]+\/assign"/g)).toHaveLength(1)
  })

  it('answered, nothing owed: "Confirm resolution" resolves from the bar, and says so there', async () => {
    const kase = await seedCase(db, org.id)
    await post(`/cases/${kase.id}/assign`, { ownerId: agent.id })
    await post(`/cases/${kase.id}/acknowledge`, {})
    // As if the first reply went out and the customer has nothing open: no draft job, no cadence.
    await withOrg(
      db,
      org.id,
      (tx) => tx`update cases set status = 'in_progress', first_response_at = now(), next_update_due_at = null where id = ${kase.id}`,
    )
    // The draft job intake queued is taken as done (the app role may not write jobs; the owner may).
    await db`update jobs set done_at = now() where payload->>'caseId' = ${kase.id}`
    const body = await page(kase.id)
    expect(body).toContain('<h2 id="next-action-title">Confirm resolution</h2>')
    expect(body).toContain(`action="/cases/${kase.id}/status?from=next"`)

    const resolved = await post(`/cases/${kase.id}/status?from=next`, { status: 'resolved' })
    expect(resolved.status).toBe(200)
    const fragment = await resolved.text()
    const bar = /<section class="next-action[^]*?<\/section>/.exec(fragment)![0]
    expect(bar).toMatch(/role="status"[^>]*>Moved to resolved/i)
    expect(fragment.match(/role="status"/g)).toHaveLength(1)
  })
})
