import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { arrangeCase } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Issue 20: the review's customer-facing incident summary reaches the customer only as a reply
// version an approver approved (src/reviews/customer-summary.ts), never by a path of its own.
describe('customer-facing incident summary', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let approver: { id: string; email: string }
  let cookie: string
  const app = () => createTestApp(db)
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  const post = (path: string, fields: Record<string, string>) => app().request(path, formPost(fields, { cookie }))
  const resolved = () =>
    arrangeCase(db, org.id, {
      severity: 'SEV-1',
      status: 'resolved',
      resolvedAt: new Date(),
      ownerId: owner.id,
      customerEmail: 'pat@customer.test',
    })

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('the customer-facing summary becomes a reply version and leaves only once approved', async () => {
    const c = await resolved()
    const refused = await post(`/cases/${c.id}/review/summary-draft`, {})
    expect(refused.status).toBe(400)
    const summary = 'On 3 March checkout failed for two hours because a certificate expired. We renewed it and now monitor expiry.'
    await post(`/cases/${c.id}/review`, { summary: 'x', customerSummary: summary })
    expect((await post(`/cases/${c.id}/review/summary-draft`, {})).status).toBe(303)
    const [draft] = await inOrg(
      (tx) =>
        tx<{ id: string; purpose: string; body: string; toEmails: string[] }[]>`
        select id, purpose, body, to_emails as "toEmails" from drafts where case_id = ${c.id} order by version desc limit 1`,
    )
    expect(draft).toMatchObject({ purpose: 'incident_summary', body: summary, toEmails: ['pat@customer.test'] })
    // Drafted, not sent: no outbox row, no send job.
    const outbox = () => inOrg((tx) => tx<{ body: string }[]>`select body from outbox where case_id = ${c.id}`)
    expect(await outbox()).toEqual([])
    expect(await inOrg((tx) => tx`select 1 from jobs where kind = 'send' and payload->>'caseId' = ${c.id}`)).toEqual([])
    // The owner cannot approve it; an approver can, and only then is there something to send.
    const byOwner = await inOrg((tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c.id,
        draftId: draft!.id,
        approver: { id: owner.id, role: 'agent' },
        decision: 'approved',
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    expect(byOwner).toMatchObject({ ok: false, reason: 'refused' })
    expect(await outbox()).toEqual([])
    const ok = await inOrg((tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c.id,
        draftId: draft!.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    expect(ok).toMatchObject({ ok: true, decision: 'approved' })
    expect((await outbox()).map((o) => o.body.startsWith(summary))).toEqual([true])
  })

  it("another org's case is a 404", async () => {
    const c = await resolved()
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'admin')
    const res = await app().request(
      `/cases/${c.id}/review/summary-draft`,
      formPost({}, { cookie: await sessionCookie(db, { id: stranger.id, orgId: other.id }) }),
    )
    expect(res.status).toBe(404)
    expect(await inOrg((tx) => tx`select 1 from drafts where case_id = ${c.id}`)).toEqual([])
  })
})
