import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { isNoReplyAddress } from '../../src/intake/org-context.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createMailer } from '../../src/outbound/mailer.ts'
import { insertOrg, insertUser, type Org } from '../../src/orgs/queries.ts'
import { evalRoot } from '../eval/intake-eval.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, formPost, sessionCookie } from '../support/auth.ts'
import { testDb } from '../support/db.ts'
import { startResendServer } from '../support/resend-server.ts'

// Where a reply goes, through the whole loop: real notices, a counsel's letter and colleagues'
// reports (from the evaluation set) are ingested, drafted, put up for approval, approved through
// the mailed link and sent; the Resend stand-in shows where each reply went. Never a no-reply
// address, never a colleague; a notice without the consumer's address goes back through the
// body, a lawyer's letter to counsel, and the approver is told so before approving.

const domains = ['northwind.example', 'northwind.de', 'northwind-outfitters.example']
const isColleague = (address: string) => domains.some((d) => address.toLowerCase().endsWith(`@${d}`))

type Draft = { id: string; toEmails: string[]; flags: { code: string; severity: string; message: string }[] }

describe('the right recipient for every reply, from intake to the provider', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let org: Org
  let agent: { id: string }
  let admin: { id: string }
  let app: ReturnType<typeof createTestApp>
  let env: ReturnType<typeof testEnv>

  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
    const slug = `nw-${randomBytes(4).toString('hex')}`
    org = await insertOrg(db, {
      slug,
      name: 'Northwind Outfitters',
      inboundAddresses: ['escalations@northwind.example'],
      domains,
      executiveForwarders: ['dana.ruiz@northwind.example'],
    })
    agent = await insertUser(db, org.id, { email: 'k.ito@northwind.example', name: 'Kenji Ito', role: 'agent' })
    await insertUser(db, org.id, { email: 'dana.ruiz@northwind.example', name: 'Dana Ruiz', role: 'approver' })
    admin = await insertUser(db, org.id, { email: 'it-admin@northwind.example', name: 'Avery Admin', role: 'admin' })
    env = testEnv({ RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.baseUrl })
    app = createTestApp(db, { env, mailer: createMailer(db, env) })
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const runJobs = () =>
    runJobsOnce({ db, env, handlers: jobHandlers({ mailer: createMailer(db, env) }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })

  async function ingestFixture(file: string) {
    const raw = new Uint8Array(await readFile(join(evalRoot, 'main', file)))
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(outcome.status).toBe('created')
    await runJobs() // the template draft
    const [kase] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    return kase!.id
  }

  const latestDraft = async (caseId: string) =>
    (
      await withOrg(
        db,
        org.id,
        (tx) => tx<Draft[]>`
    select id, to_emails as "toEmails", guardrail_flags as flags from drafts where case_id = ${caseId} order by version desc limit 1`,
      )
    )[0]!

  /** Asks for approval as the agent, opens the mailed link, approves what it shows; returns the link page and what was sent. */
  async function approveThroughLink(caseId: string) {
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    const { ctx, settled } = collectingExecutionCtx()
    const asked = await app.request(`/cases/${caseId}/approval/request`, formPost({}, { cookie }), undefined, ctx)
    expect(asked.status).toBe(303)
    await settled()
    const invite = [...resend.emails]
      .reverse()
      .find((m) => String(m.body.text).includes('/approve?token=') && (m.body.to as string[]).includes('dana.ruiz@northwind.example'))!
    const token = decodeURIComponent(/\/approve\?token=([^\s]+)/.exec(String(invite.body.text))![1]!)
    const page = await (await app.request(`/approve?token=${encodeURIComponent(token)}`)).text()
    const draft = await latestDraft(caseId)
    const [text] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ subject: string; body: string }[]>`select subject, body from drafts where id = ${draft.id}`,
    )
    const form = new URLSearchParams({
      token,
      decision: 'approved',
      to: draft.toEmails.join(', '),
      subject: text!.subject,
      body: text!.body,
    })
    for (const f of draft.flags.filter((f) => f.severity === 'warn')) form.append('ack', f.code)
    const approved = await app.request('/approve', {
      method: 'POST',
      headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: form.toString(),
    })
    expect(approved.status).toBe(200)
    await runJobs() // the send
    const [outbox] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; status: string }[]>`select id, status from outbox where case_id = ${caseId}`,
    )
    expect(outbox!.status).toBe('sent')
    const sent = resend.emails.find((m) => m.idempotencyKey === `reply/${outbox!.id}`)!
    return { page, to: sent.body.to as string[] }
  }

  const casePage = async (caseId: string, userId = agent.id) => {
    const cookie = await sessionCookie(db, { id: userId, orgId: org.id })
    return (await app.request(`/cases/${caseId}`, { headers: { cookie } })).text()
  }

  it("a BBB notice with the consumer's address: the reply goes to the consumer", { timeout: 60_000 }, async () => {
    const caseId = await ingestFixture('notices/001-bbb-new-complaint-portal.eml')
    expect((await latestDraft(caseId)).toEmails).toEqual(['ghartley58@comcast.net'])
    const { page, to } = await approveThroughLink(caseId)
    expect(page).toContain(
      'This reply goes to the customer, Gregory Hartley &lt;ghartley58@comcast.net&gt;, not through the BBB (BBB Great West + Pacific).',
    )
    expect(to).toEqual(['ghartley58@comcast.net'])
    expect(await casePage(caseId)).toContain('Came through: <strong>BBB Great West + Pacific, case #22874013</strong>')
  })

  it(
    'a BBB notice without it, forwarded by the CEO: back through the BBB, never to the CEO, and the approver is told',
    { timeout: 60_000 },
    async () => {
      const caseId = await ingestFixture('notices/006-bbb-second-notice-fwd-ceo-iphone.eml')
      const [kase] = await withOrg(
        db,
        org.id,
        (tx) => tx`select customer_name, customer_email, channel_kind, channel_email from cases where id = ${caseId}`,
      )
      expect(kase).toEqual({
        customer_name: 'Patricia Ambrose',
        customer_email: null,
        channel_kind: 'bbb',
        channel_email: 'complaints@greatwestpacific.bbb.org',
      })
      expect((await latestDraft(caseId)).toEmails).toEqual(['complaints@greatwestpacific.bbb.org'])
      expect(await casePage(caseId)).toContain(
        'This reply goes to the BBB (BBB Great West + Pacific) &lt;complaints@greatwestpacific.bbb.org&gt;, not to the consumer.',
      )
      const { page, to } = await approveThroughLink(caseId)
      expect(page).toContain(
        'This reply goes to the BBB (BBB Great West + Pacific) &lt;complaints@greatwestpacific.bbb.org&gt;, not to the consumer.',
      )
      expect(to).toEqual(['complaints@greatwestpacific.bbb.org'])
    },
  )

  it(
    "a BBB notice from the bureau's no-reply address, with no consumer address: no recipient, and it cannot be approved",
    { timeout: 60_000 },
    async () => {
      const caseId = await ingestFixture('notices/003-bbb-rebuttal-local-bureau-plaintext.eml')
      const draft = await latestDraft(caseId)
      expect(draft.toEmails).toEqual([])
      expect(draft.flags).toContainEqual(
        expect.objectContaining({
          code: 'missing_recipient',
          severity: 'block',
          message: expect.stringMatching(/^No recipient: the notice gives no address for Denise Okonjo-Pratt/),
        }),
      )
      // A person who fills in the bureau's no-reply address, or a colleague's, is stopped too.
      const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
      for (const [to, code] of [
        ['noreply@centralohio.bbb.org', 'no_reply_recipient'],
        ['t.baker@northwind.example', 'colleague_recipient'],
      ] as const) {
        const current = await latestDraft(caseId)
        const [version] = await withOrg(
          db,
          org.id,
          (tx) =>
            tx<{ version: number; subject: string; body: string }[]>`select version, subject, body from drafts where id = ${current.id}`,
        )
        const res = await app.request(
          `/cases/${caseId}/drafts`,
          formPost({ to, subject: version!.subject, body: version!.body, baseVersion: String(version!.version) }, { cookie }),
        )
        expect(res.status).toBeLessThan(500)
        expect((await latestDraft(caseId)).flags).toContainEqual(expect.objectContaining({ code, severity: 'block' }))
      }
      const approverCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
      const refused = await app.request(
        `/cases/${caseId}/approval/decide`,
        formPost({ draftId: (await latestDraft(caseId)).id, decision: 'approved' }, { cookie: approverCookie }),
      )
      expect(refused.status).toBeGreaterThanOrEqual(400)
      const [sends] = await withOrg(
        db,
        org.id,
        (tx) => tx<{ n: number }[]>`select count(*)::int as n from outbox where case_id = ${caseId}`,
      )
      expect(sends!.n).toBe(0)
    },
  )

  it(
    "counsel's letter forwarded by the Geschäftsführerin: to counsel, with legal review, never to her or the client",
    { timeout: 60_000 },
    async () => {
      const caseId = await ingestFixture('legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml')
      const draft = await latestDraft(caseId)
      expect(draft.toEmails).toEqual(['s.lehner@brandauer-kollegen.de'])
      expect(draft.flags.map((f) => f.code)).toContain('legal_review')
      const page = await casePage(caseId, admin.id)
      expect(page).toContain('This reply goes to counsel, Brandauer &amp; Kollegen Rechtsanwälte &lt;s.lehner@brandauer-kollegen.de&gt;')
      expect(page).toContain('Customer writes in <strong>German</strong>')
      expect(page).toContain('Add Jana Weber (Geschäftsführerin) to the executives list')
      const { page: link, to } = await approveThroughLink(caseId)
      expect(link).toContain('This reply goes to counsel, Brandauer &amp; Kollegen Rechtsanwälte')
      expect(to).toEqual(['s.lehner@brandauer-kollegen.de'])
    },
  )

  it("a colleague's report: the customer it names gets the reply, never the colleague", { timeout: 60_000 }, async () => {
    const caseId = await ingestFixture('direct/004-account-manager-call-note-alpenglow.eml')
    expect((await latestDraft(caseId)).toEmails).toEqual(['helene.dubois@alpenglow-adventures.fr'])
    const { to } = await approveThroughLink(caseId)
    expect(to).toEqual(['helene.dubois@alpenglow-adventures.fr'])

    const noAddress = await ingestFixture('direct/005-account-manager-phone-note-no-address-takahashi.eml')
    const draft = await latestDraft(noAddress)
    expect(draft.toEmails).toEqual([])
    expect(draft.flags.map((f) => [f.code, f.severity])).toContainEqual(['missing_recipient', 'block'])
  })

  it('nothing the provider was asked to send as a reply went to a no-reply address or a colleague', () => {
    const replies = resend.emails.filter((m) => m.idempotencyKey?.startsWith('reply/'))
    expect(replies.length).toBe(4)
    for (const reply of replies) {
      for (const address of reply.body.to as string[]) {
        expect(isNoReplyAddress(address), address).toBe(false)
        expect(isColleague(address), address).toBe(false)
      }
    }
  })
})
