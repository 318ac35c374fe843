import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { requestApproval } from '../../src/approvals/requests.ts'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createResendMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { startResendServer } from '../support/resend-server.ts'

// An approval covers one version of the reply, as things stood when it was given. A newer
// version, or new mail from the customer, holds back every reply that has not left yet, even
// one whose first attempt failed and is waiting to be retried; the database refuses the rest.

/** Raw SQL as the application role, inside the org: what any code path (or injection) could do. */
const asApp = (db: Db, orgId: string, sql: string) => withOrg(db, orgId, (tx) => tx.unsafe(sql))

describe('nothing stale leaves', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let org: Org
  let approver: { id: string }
  let agent: { id: string }
  let cookie: string
  const app = () => createTestApp(db)

  beforeAll(async () => {
    db = testDb(8)
    resend = await startResendServer()
    org = await seedOrg(db)
    approver = await seedUser(db, org.id, 'approver')
    agent = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const mailer = () => createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })
  const run = () =>
    runJobsOnce({ db, env: testEnv(), handlers: jobHandlers({ mailer: mailer() }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })
  const emailsFor = (outboxId: string) => resend.emails.filter((e) => e.idempotencyKey === `reply/${outboxId}`)
  const outboxRow = (id: string) =>
    withOrg(
      db,
      org.id,
      async (tx) =>
        (
          await tx<{ status: string; attempts: number; last_error: string | null }[]>`
    select status, attempts, last_error from outbox where id = ${id}`
        )[0]!,
    )
  const caseStatus = (id: string) =>
    withOrg(db, org.id, async (tx) => (await tx<{ status: string }[]>`select status from cases where id = ${id}`)[0]!.status)
  const voids = async (caseId: string) => (await auditActions(db, org.id, caseId)).filter((a) => a.action === 'approval.void')

  /** A customer complaint with v1 drafted and approved: the reply is queued. */
  async function approvedReply() {
    const customerMessageId = `stale-${Date.now()}-${Math.random().toString(36).slice(2)}@customer.test`
    const outcome = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Pat Doe <pat@customer.test>', messageId: customerMessageId }),
      provider: 'test',
    })
    const [c] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers(), log: () => {} }, { orgId: org.id }) // the draft job writes v1
    const [draft] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, c!.id, 1))
    const acknowledged = draft!.guardrailFlags.filter((f) => f.severity === 'warn').map((f) => f.code)
    const result = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c!.id,
        draftId: draft!.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        acknowledged,
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    if (!result.ok || result.decision !== 'approved' || !result.outboxId) throw new Error(`approval failed: ${JSON.stringify(result)}`)
    return { caseId: c!.id, customerMessageId, outboxId: result.outboxId }
  }
  /** The first attempt meets a busy provider: the row waits in `sending` for its retry. */
  async function failedFirstAttempt() {
    const reply = await approvedReply()
    resend.failNext(1, 503)
    await run()
    expect(await outboxRow(reply.outboxId)).toMatchObject({ status: 'sending', attempts: 1 })
    return reply
  }
  const makeJobDue = (outboxId: string) =>
    withOrg(db, org.id, (tx) => tx`update jobs set run_at = now() where payload->>'outboxId' = ${outboxId}`)
  const saveVersion2 = (caseId: string) =>
    app().request(
      `/cases/${caseId}/drafts`,
      formPost(
        {
          baseVersion: '1',
          to: 'pat@customer.test',
          subject: 'Re: your complaint',
          body: 'CORRECTED version 2: please ignore our earlier reply.',
        },
        { cookie, 'hx-request': 'true' },
      ),
    )

  it('a newer version saved while the reply waits for a retry cancels it, audited; the retry sends nothing', async () => {
    const { caseId, outboxId } = await failedFirstAttempt()
    expect((await saveVersion2(caseId)).status).toBe(200)
    expect(await outboxRow(outboxId)).toMatchObject({
      status: 'cancelled',
      last_error: expect.stringMatching(/newer version of the reply was saved/),
    })
    expect(await voids(caseId)).toEqual([
      expect.objectContaining({
        actorId: agent.id,
        details: expect.objectContaining({ reason: 'a newer version of the reply was saved', cancelledSends: 1 }),
      }),
    ])

    await makeJobDue(outboxId)
    await run()
    expect(emailsFor(outboxId)).toHaveLength(0)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'cancelled', attempts: 1 })
    expect(await caseStatus(caseId)).not.toBe('responded')
  })

  it('the customer writing again while the reply waits for a retry cancels it; the retry sends nothing', async () => {
    const { caseId, customerMessageId, outboxId } = await failedFirstAttempt()
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({
        from: 'Pat Doe <pat@customer.test>',
        subject: 'Re: your complaint',
        headers: [`In-Reply-To: <${customerMessageId}>`],
        body: 'Actually I already got the refund, do not send anything.',
      }),
      provider: 'test',
    })
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'cancelled', last_error: expect.stringMatching(/customer wrote again/) })
    expect(await voids(caseId)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'the customer wrote again', cancelledSends: 1 }) }),
    ])

    await makeJobDue(outboxId)
    await run()
    expect(emailsFor(outboxId)).toHaveLength(0)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'cancelled' })
  })

  it('a newer version saved before the first attempt cancels the queued reply', async () => {
    const { caseId, outboxId } = await approvedReply()
    expect((await saveVersion2(caseId)).status).toBe(200)
    await run()
    expect(emailsFor(outboxId)).toHaveLength(0)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'cancelled', attempts: 0 })
  })

  it("the send job re-checks with the row locked: a version stored behind the app's back still holds the reply", async () => {
    const { caseId, outboxId } = await approvedReply()
    await seedDraft(db, org.id, caseId, { body: 'Version two, stored without the app noticing.' })
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'pending' })
    await run()
    expect(emailsFor(outboxId)).toHaveLength(0)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'cancelled', attempts: 0 })
    expect(await voids(caseId)).toEqual([
      expect.objectContaining({
        actorId: null,
        details: expect.objectContaining({ reason: 'a newer version of the reply was saved', cancelledSends: 1 }),
      }),
    ])
  })

  it('a version saved while the provider is answering waits for that send: what left is recorded as sent', async () => {
    const { caseId, outboxId } = await approvedReply()
    const held = resend.holdNextAnswer()
    const sending = run()
    const release = await held // the provider has accepted the mail; its answer is in flight
    const saving = saveVersion2(caseId)
    await new Promise((r) => setTimeout(r, 300))
    release()
    await sending
    expect((await saving).status).toBe(200)
    expect(emailsFor(outboxId)).toHaveLength(1)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'sent' })
    expect(await caseStatus(caseId)).toBe('responded')
    expect(await voids(caseId)).toEqual([])
  })

  it('every void is audited with its reason: a new version and a new request both say why the open links lapsed', async () => {
    const outcome = await ingestMessage(db, { orgId: org.id, raw: buildEml({ from: 'Kim <kim@customer.test>' }), provider: 'test' })
    const [c] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    if (!c) throw new Error('no case')
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers(), log: () => {} }, { orgId: org.id })
    const key = await linkSigningKey(db, undefined)
    await withOrg(db, org.id, (tx) => requestApproval(tx, { env: testEnv(), key }, org.id, c.id, agent))
    await withOrg(db, org.id, (tx) => requestApproval(tx, { env: testEnv(), key }, org.id, c.id, agent))
    expect((await voids(c.id)).map((v) => v.details)).toEqual([
      expect.objectContaining({ reason: 'a new approval request was sent', requests: 1, cancelledSends: 0 }),
    ])
    const edit = await app().request(
      `/cases/${c.id}/drafts`,
      formPost(
        { baseVersion: '1', to: 'kim@customer.test', subject: 'Re: your complaint', body: 'A better reply, version 2.' },
        { cookie, 'hx-request': 'true' },
      ),
    )
    expect(edit.status).toBe(200)
    expect((await voids(c.id)).map((v) => v.details)).toEqual([
      expect.objectContaining({ reason: 'a new approval request was sent', requests: 1 }),
      expect.objectContaining({ reason: 'a newer version of the reply was saved', requests: 1, cancelledSends: 0 }),
    ])
    const open = await withOrg(
      db,
      org.id,
      (tx) => tx`select void_reason from approval_requests where case_id = ${c.id} and voided_at is null and decided_at is null`,
    )
    expect(open).toEqual([])
  })

  describe('in the database, for the application role', () => {
    it('a cancelled reply stays cancelled; a sent one stays sent unless it bounces (failed), and failed is final', async () => {
      const { caseId, outboxId } = await approvedReply()
      expect((await saveVersion2(caseId)).status).toBe(200)
      for (const status of ['sending', 'sent', 'pending']) {
        await expect(asApp(db, org.id, `update outbox set status = '${status}' where id = '${outboxId}'`)).rejects.toThrow(/outbox refused/)
      }
      const sent = await approvedReply()
      await run()
      expect(await outboxRow(sent.outboxId)).toMatchObject({ status: 'sent' })
      for (const status of ['cancelled', 'sending', 'pending']) {
        await expect(asApp(db, org.id, `update outbox set status = '${status}' where id = '${sent.outboxId}'`)).rejects.toThrow(
          /outbox refused/,
        )
      }
      // The customer's server returned it: the send failed after all, and stays failed.
      await asApp(db, org.id, `update outbox set status = 'failed' where id = '${sent.outboxId}'`)
      for (const status of ['sent', 'sending', 'pending', 'cancelled']) {
        await expect(asApp(db, org.id, `update outbox set status = '${status}' where id = '${sent.outboxId}'`)).rejects.toThrow(
          /outbox refused/,
        )
      }
    })

    it('refuses to start sending a reply whose version is no longer the latest, or after the customer wrote again', async () => {
      const superseded = await approvedReply()
      await seedDraft(db, org.id, superseded.caseId, { body: 'Version two.' })
      await expect(
        asApp(db, org.id, `update outbox set status = 'sending', attempts = attempts + 1 where id = '${superseded.outboxId}'`),
      ).rejects.toThrow(/outbox refused: a newer version/)
      await expect(asApp(db, org.id, `update outbox set status = 'sent' where id = '${superseded.outboxId}'`)).rejects.toThrow(
        /outbox refused: a newer version/,
      )

      const answered = await approvedReply()
      // The customer's mail stored directly, so nothing in the app cancels the queued reply.
      await withOrg(
        db,
        org.id,
        (tx) => tx`
        insert into messages (org_id, case_id, direction, from_email, subject, text_body)
        values (${org.id}, ${answered.caseId}, 'inbound', 'pat@customer.test', 'Re: your complaint', 'Stop, do not send that.')`,
      )
      await expect(
        asApp(db, org.id, `update outbox set status = 'sending', attempts = attempts + 1 where id = '${answered.outboxId}'`),
      ).rejects.toThrow(/outbox refused: the customer wrote again/)
    })
  })
})
