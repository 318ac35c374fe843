import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestApproval } from '../../src/approvals/requests.ts'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { saveEditedDraft } from '../../src/drafts/edits.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

const html = { headers: { accept: 'text/html' } }

describe('approval links', () => {
  let db: Db
  let org: Org
  let approver: { id: string; email: string }
  let key: Uint8Array
  const app = () => createTestApp(db)
  const env = testEnv()

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    approver = await seedUser(db, org.id, 'approver')
    key = await linkSigningKey(db, undefined)
  })
  afterAll(() => db.end())

  /** A case with a draft and an approval request; returns the approver's link token. */
  async function pending(mail: Parameters<typeof buildEml>[0] = {}) {
    const owner = await seedUser(db, org.id, 'agent')
    const c = await seedCase(db, org.id, mail)
    const draft = await seedDraft(db, org.id, c.id)
    const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, c.id, owner))
    const invite = invites.find((i) => i.approverId === approver.id)!
    return { caseId: c.id, draft, token: new URL(invite.url).searchParams.get('token')!, url: invite.url }
  }
  const state = (caseId: string) =>
    withOrg(
      db,
      org.id,
      async (tx) =>
        (
          await tx`
    select (select count(*)::int from approvals where case_id = ${caseId}) as approvals,
           (select count(*)::int from outbox where case_id = ${caseId}) as outbox,
           (select count(*)::int from link_tokens t join approval_requests r on r.jti = t.jti where r.case_id = ${caseId} and t.consumed_at is not null) as consumed,
           (select status from cases where id = ${caseId}) as status`
        )[0]!,
    )

  it('opening the link shows the review page and changes nothing', async () => {
    const p = await pending()
    expect(await state(p.caseId)).toMatchObject({ approvals: 0, outbox: 0, consumed: 0, status: 'awaiting_approval' })
    const res = await app().request(`/approve?token=${p.token}`, html)
    expect(res.status).toBe(200)
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    const page = await res.text()
    expect(page).toContain('Approve and send')
    expect(page).toContain('I own this now')
    expect(await state(p.caseId)).toMatchObject({ approvals: 0, outbox: 0, consumed: 0 })
  })

  it('an approver edits a sentence and approves: the edit is a new version by them, and that is what is queued', async () => {
    const p = await pending()
    const body = 'Thank you for writing. I own this now and will call you by 3pm today.'
    const res = await app().request(
      '/approve',
      formPost({ token: p.token, decision: 'approved', to: 'pat@customer.test', subject: 'Re: your complaint', body }),
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/approved and on its way/)
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx`
      select o.body, o.status, d.version, d.author_id, o.idempotency_key, o.id from outbox o join drafts d on d.id = o.draft_id where o.case_id = ${p.caseId}`,
    )
    expect(row).toMatchObject({ body, status: 'pending', version: 2, author_id: approver.id, idempotency_key: `reply/${row!.id}` })
    const actions = (await auditActions(db, org.id, p.caseId)).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['approval.request', 'draft.create', 'draft.approve']))
    // The same link again: refused, nothing new.
    const replay = await app().request(
      '/approve',
      formPost({ token: p.token, decision: 'approved', to: 'pat@customer.test', subject: 'x', body }),
    )
    expect(replay.status).toBe(409)
    expect(await replay.text()).toMatch(/already used/)
    expect((await state(p.caseId)).outbox).toBe(1)
  })

  it('refuses tampered, expired, other-org and purpose-mismatched links', async () => {
    const p = await pending()
    const flipped = p.token.slice(0, -3) + (p.token.at(-3) === 'A' ? 'B' : 'A') + p.token.slice(-2)
    expect(await (await app().request(`/approve?token=${flipped}`, html)).text()).toMatch(/not valid/)
    const expired = await withOrg(db, org.id, (tx) =>
      issueLinkToken(tx, key, {
        orgId: org.id,
        userId: approver.id,
        purpose: 'approve',
        ttlSeconds: 60,
        now: new Date(Date.now() - 3600_000),
      }),
    )
    const expiredRes = await app().request(`/approve?token=${expired.token}`, html)
    expect(expiredRes.status).toBe(410)
    expect(await expiredRes.text()).toMatch(/expired/)
    // Another org's link cannot act here: its request is not in this org.
    const other = await seedOrg(db)
    const otherApprover = await seedUser(db, other.id, 'approver')
    const forged = await withOrg(db, other.id, (tx) =>
      issueLinkToken(tx, key, {
        orgId: other.id,
        userId: otherApprover.id,
        purpose: 'approve',
        ttlSeconds: 600,
        bind: { case: p.caseId, draft: p.draft.id, hash: 'x' },
      }),
    )
    expect(await (await app().request(`/approve?token=${forged.token}`, html)).text()).toMatch(/not valid/)
    const signIn = await withOrg(db, org.id, (tx) =>
      issueLinkToken(tx, key, { orgId: org.id, userId: approver.id, purpose: 'sign_in', ttlSeconds: 600 }),
    )
    expect(await (await app().request(`/approve?token=${signIn.token}`, html)).text()).toMatch(/not valid/)
    expect(await state(p.caseId)).toMatchObject({ approvals: 0, outbox: 0 })
  })

  it('an approver who was made an agent can no longer approve with their link', async () => {
    const p = await pending()
    await db`update app_users set role = 'agent' where id = ${approver.id}`
    try {
      const res = await app().request(
        '/approve',
        formPost({
          token: p.token,
          decision: 'approved',
          to: 'pat@customer.test',
          subject: 'Re: your complaint',
          body: 'Thank you for writing. I own this now and will update you by 5pm today.',
        }),
      )
      expect(res.status).toBe(409)
      expect(await res.text()).toMatch(/Only an approver or admin/)
      expect(await state(p.caseId)).toMatchObject({ approvals: 0, outbox: 0, consumed: 0 })
    } finally {
      await db`update app_users set role = 'approver' where id = ${approver.id}`
    }
  })

  it('a newer draft version or new mail from the customer voids pending links, and the page says so', async () => {
    const p = await pending()
    const editor = await seedUser(db, org.id, 'agent')
    await withOrg(db, org.id, (tx) =>
      saveEditedDraft(tx, org.id, p.caseId, editor, {
        to: 'pat@customer.test',
        subject: 'Re: your complaint',
        body: 'A newer version.',
        baseVersion: '1',
      }),
    )
    const res = await app().request(`/approve?token=${p.token}`, html)
    expect(res.status).toBe(409)
    expect(await res.text()).toMatch(/newer version of the reply was saved.*version 2/s)

    const q = await pending({ from: 'Kim <kim@customer.test>', messageId: `kim-${Date.now()}@customer.test` })
    const [mid] = await withOrg(db, org.id, (tx) => tx`select message_id from messages where case_id = ${q.caseId}`)
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({
        from: 'Kim <kim@customer.test>',
        headers: [`In-Reply-To: <${mid!.message_id}>`],
        body: 'Also, the second order is missing too.',
      }),
      provider: 'test',
    })
    const after = await app().request(`/approve?token=${q.token}`, html)
    expect(await after.text()).toMatch(/customer wrote again/)
  })

  it('a rejection needs a note and sends the case back', async () => {
    const p = await pending()
    const bare = await app().request('/approve', formPost({ token: p.token, decision: 'rejected', note: '' }))
    expect(bare.status).toBe(400)
    const res = await app().request('/approve', formPost({ token: p.token, decision: 'rejected', note: 'Too defensive; apologise first.' }))
    expect(res.status).toBe(200)
    expect(await state(p.caseId)).toMatchObject({ approvals: 1, outbox: 0, status: 'in_progress' })
    const events = await auditActions(db, org.id, p.caseId)
    expect(events.find((e) => e.action === 'draft.reject')?.details).toMatchObject({ note: 'Too defensive; apologise first.' })
  })
})
