import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createResendMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { auditActions } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { repoRoot } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

describe('sending approved replies through Resend', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let org: Org
  let approver: { id: string }

  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
    org = await seedOrg(db)
    approver = await seedUser(db, org.id, 'approver')
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const mailer = () => createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })
  const run = (o: { backoffMs?: (n: number) => number } = {}) =>
    runJobsOnce(
      { db, env: testEnv(), handlers: jobHandlers({ mailer: mailer() }), backoffMs: o.backoffMs ?? (() => 0), log: () => {} },
      { orgId: org.id },
    )

  /** A customer complaint, drafted and approved: returns the case and its queued outbox row. */
  async function approvedReply() {
    const customerId = `cust-${Date.now()}-${Math.random().toString(36).slice(2)}@customer.test`
    const outcome = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Pat Doe <pat@customer.test>', messageId: customerId, headers: ['References: <earlier@customer.test>'] }),
      provider: 'test',
    })
    const [c] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    // The draft job writes v1 first: a version saved after the approval would hold the reply back.
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers(), log: () => {} }, { orgId: org.id })
    const draft = await seedDraft(db, org.id, c!.id)
    const result = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c!.id,
        draftId: draft.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    if (!result.ok || !result.outboxId) throw new Error('approval failed')
    return { caseId: c!.id, customerId, outboxId: result.outboxId }
  }
  const outboxRow = (id: string) => withOrg(db, org.id, async (tx) => (await tx`select * from outbox where id = ${id}`)[0]!)
  const emailsFor = (outboxId: string) => resend.emails.filter((e) => e.idempotencyKey === `reply/${outboxId}`)

  it("sends in the customer's thread, records the first response, and the customer's reply lands on the same case", async () => {
    const { caseId, customerId, outboxId } = await approvedReply()
    await run()
    const [email] = emailsFor(outboxId)
    const row = await outboxRow(outboxId)
    expect(email!.body).toMatchObject({
      to: ['pat@customer.test'],
      subject: 'Re: your complaint',
      reply_to: expect.stringMatching(/^escalations\+[A-Za-z0-9_-]{16,}@t-[0-9a-f]+\.test$/),
      headers: {
        'Message-ID': `<${row.message_id}>`,
        'In-Reply-To': `<${customerId}>`,
        References: `<earlier@customer.test> <${customerId}>`,
      },
      tags: expect.arrayContaining([{ name: 'kind', value: 'reply' }]),
    })
    expect(row).toMatchObject({ status: 'sent', provider_id: email!.id, attempts: 1 })
    const kase = await withOrg(
      db,
      org.id,
      async (tx) => (await tx`select status, first_response_at, next_update_due_at from cases where id = ${caseId}`)[0]!,
    )
    expect(kase.status).toBe('responded')
    expect(kase.first_response_at).toBeInstanceOf(Date)
    const actions = (await auditActions(db, org.id, caseId)).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['draft.approve', 'case.first_response', 'email.send']))

    // The customer answers our mail: In-Reply-To is our Message-ID.
    const reply = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Pat Doe <pat@customer.test>', subject: 'Re: your complaint', headers: [`In-Reply-To: <${row.message_id}>`] }),
      provider: 'test',
    })
    const [threaded] = await withOrg(db, org.id, (tx) => tx`select 'ESC-' || number as label, status from cases where id = ${caseId}`)
    expect(reply).toMatchObject({ status: 'threaded', case: threaded!.label })
    expect(threaded!.status).toBe('in_progress')
  })

  it('retries 429 (honouring retry-after) and 500, then sends exactly once', async () => {
    const { outboxId } = await approvedReply()
    resend.failNext(1, 429, 2)
    await run()
    const job = await withOrg(
      db,
      org.id,
      async (tx) => (await tx`select run_at, last_error from jobs where payload->>'outboxId' = ${outboxId}`)[0]!,
    )
    const wait = job.run_at.getTime() - Date.now()
    expect(wait).toBeGreaterThan(1000) // retry-after: 2 s, not the immediate test backoff
    expect(job.last_error).toMatch(/429/)
    await withOrg(db, org.id, (tx) => tx`update jobs set run_at = now() where payload->>'outboxId' = ${outboxId}`)
    resend.failNext(2, 500)
    await run()
    await run()
    expect(emailsFor(outboxId)).toHaveLength(0)
    await run()
    expect(emailsFor(outboxId)).toHaveLength(1)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'sent', attempts: 4 })
  })

  it('a permanent refusal fails the send, visibly, without retrying', async () => {
    const { caseId, outboxId } = await approvedReply()
    resend.failNext(1, 422)
    await run()
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/Resend refused/) })
    expect((await auditActions(db, org.id, caseId)).map((a) => a.action)).toContain('email.fail')
    await run()
    expect(emailsFor(outboxId)).toHaveLength(0)
  })

  it('a worker killed after Resend accepted the mail, before recording it, does not send it twice', { timeout: 60_000 }, async () => {
    const { caseId, outboxId } = await approvedReply()
    const env = { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0', RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.baseUrl }
    const worker = () =>
      spawn(process.execPath, ['src/desk.mjs', 'worker', '--org', org.slug, '--interval-ms', '100'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: 'ignore',
      })
    const held = resend.holdNextAnswer()
    const first = worker()
    const release = await held // Resend has accepted and stored the email; its answer is in flight
    first.kill('SIGKILL')
    await new Promise((done) => first.once('exit', done))
    release()
    expect(emailsFor(outboxId)).toHaveLength(1)
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'sending' })

    // Time passes: the dead runner's lease runs out, and a new worker picks the job up.
    await withOrg(
      db,
      org.id,
      (tx) => tx`update jobs set locked_until = now() - interval '1 second' where payload->>'outboxId' = ${outboxId}`,
    )
    const second = worker()
    try {
      for (let i = 0; i < 100 && (await outboxRow(outboxId)).status !== 'sent'; i++) await new Promise((r) => setTimeout(r, 100))
    } finally {
      second.kill('SIGTERM')
    }
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'sent', provider_id: emailsFor(outboxId)[0]!.id })
    expect(emailsFor(outboxId)).toHaveLength(1) // the retry used the same idempotency key
    const kase = await withOrg(db, org.id, async (tx) => (await tx`select status from cases where id = ${caseId}`)[0]!)
    expect(kase.status).toBe('responded')
  })
})
