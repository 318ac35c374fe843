import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { requestApproval } from '../../src/approvals/requests.ts'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { changeOrganization } from '../../src/orgs/organization.ts'
import { createResendMailer } from '../../src/outbound/mailer.ts'
import { fromFor } from '../../src/outbound/identity.ts'
import { insertOrg, type Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedUser, testDb } from '../support/db.ts'
import { startResendServer } from '../support/resend-server.ts'

// Who a reply comes from, as the customer sees it: the org's own sender; for mail that reached
// an executive, the executive (From their own address when the org may send as it, else "Name
// via Org"). Reply-To is always the case's token address. The From is approved with the text:
// recorded on the approval and the outbox row, covered by the approval's hash.

describe('the From of a reply', () => {
  it('is the org sender, the executive, or the executive via the org', () => {
    const dana = { email: 'dana@acme.test', name: 'Dana Ruiz', title: 'CEO', sendAs: true }
    const lee = { email: 'lee@acme.test', name: 'Lee Park', title: 'COO', sendAs: false }
    expect(fromFor('Acme Support <support@acme.test>', 'Acme', null)).toBe('Acme Support <support@acme.test>')
    expect(fromFor('Acme Support <support@acme.test>', 'Acme', dana)).toBe('Dana Ruiz <dana@acme.test>')
    expect(fromFor('Acme Support <support@acme.test>', 'Acme', lee)).toBe('Lee Park via Acme <support@acme.test>')
    expect(fromFor('support@acme.test', 'Acme, Inc.', lee)).toBe('"Lee Park via Acme, Inc." <support@acme.test>')
    expect(fromFor('support@acme.test', 'Acme', { ...lee, name: '' })).toBe('support@acme.test')
    expect(fromFor('support@acme.test', 'Acme', { ...dana, name: '' })).toBe('dana@acme.test')
  })
})

describe('sending in the configured identity', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let org: Org
  let domain: string
  let approver: { id: string; orgId: string }
  let admin: { id: string; orgId: string }
  const env = testEnv({ MAIL_FROM: 'Escalation Desk <desk@desk.test>' })

  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
    domain = `acme-${randomBytes(4).toString('hex')}.test`
    org = await insertOrg(db, { slug: `acme-${randomBytes(4).toString('hex')}`, name: 'Acme', inboundAddresses: [`escalations@${domain}`] })
    admin = { ...(await seedUser(db, org.id, 'admin')), orgId: org.id }
    approver = { ...(await seedUser(db, org.id, 'approver')), orgId: org.id }
    const changed = await changeOrganization(
      db,
      org.id,
      {
        replyFrom: `Acme Support <support@${domain}>`,
        executives: [
          { email: `dana@${domain}`, name: 'Dana Ruiz', title: 'CEO', sendAs: true },
          { email: `lee@${domain}`, name: 'Lee Park', title: 'COO', sendAs: false },
        ],
      },
      { kind: 'user', id: admin.id },
    )
    expect(changed).toMatchObject({ ok: true })
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const mailer = () => createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: env.MAIL_FROM })
  const runJobs = () =>
    runJobsOnce({ db, env, handlers: jobHandlers({ mailer: mailer() }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })

  /** A complaint forwarded by `forwarder` (or sent by the customer), drafted by the template. */
  async function caseFrom(forwarder: string | null) {
    const id = randomBytes(6).toString('hex')
    const lines = forwarder
      ? [
          `From: ${forwarder}`,
          `To: escalations@${domain}`,
          `Subject: Fwd: Billing disaster ${id}`,
          `Message-ID: <fwd-${id}@${domain}>`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Can someone handle this today?',
          '',
          '---------- Forwarded message ---------',
          `From: Pat Customer <pat-${id}@customer.test>`,
          'Date: Mon, 19 Jan 2026 09:00:00 +0000',
          `Subject: Billing disaster ${id}`,
          `To: ${forwarder}`,
          '',
          'You charged me three times and nobody answers. I want this fixed today.',
          '',
        ]
      : [
          `From: Pat Customer <pat-${id}@customer.test>`,
          `To: escalations@${domain}`,
          `Subject: Billing disaster ${id}`,
          `Message-ID: <${id}@customer.test>`,
          'Content-Type: text/plain',
          '',
          'You charged me three times.',
          '',
        ]
    const outcome = await ingestMessage(db, { orgId: org.id, raw: new TextEncoder().encode(lines.join('\r\n')), provider: 'test' })
    const [kase] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; source: string }[]>`select id, source from cases where 'ESC-' || number = ${outcome.case}`,
    )
    await runJobs() // the draft
    const [draft] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; body: string; flags: { code: string; severity: string }[] }[]>`
      select id, body, guardrail_flags as flags from drafts where case_id = ${kase!.id} order by version desc limit 1`,
    )
    return { caseId: kase!.id, source: kase!.source, draft: draft! }
  }

  async function approveAndSend(c: Awaited<ReturnType<typeof caseFrom>>) {
    const acknowledged = c.draft.flags.filter((f) => f.severity === 'warn').map((f) => f.code)
    const result = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c.caseId,
        draftId: c.draft.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        acknowledged,
        via: 'portal',
        messageIdDomain: domain,
        mailFrom: env.MAIL_FROM,
      }),
    )
    if (!result.ok || !result.outboxId) throw new Error(`approval failed: ${JSON.stringify(result)}`)
    await runJobs()
    const [row] = await withOrg(
      db,
      org.id,
      (tx) =>
        tx<
          { from_address: string; reply_to: string; status: string }[]
        >`select from_address, reply_to, status from outbox where id = ${result.outboxId}`,
    )
    return { row: row!, email: resend.emails.find((e) => e.idempotencyKey === `reply/${result.outboxId}`)! }
  }

  it("a forward from an executive the org may send as goes out From the executive's address, drafted in their voice", async () => {
    const c = await caseFrom(`Dana Ruiz <dana@${domain}>`)
    expect(c.source).toBe('ceo_inbox')
    expect(c.draft.body).toMatch(/Dana Ruiz\nCEO, Acme$/)
    const { row, email } = await approveAndSend(c)
    expect(row).toMatchObject({ status: 'sent', from_address: `Dana Ruiz <dana@${domain}>` })
    expect(email.body).toMatchObject({
      from: `Dana Ruiz <dana@${domain}>`,
      reply_to: expect.stringMatching(new RegExp(`^escalations\\+[A-Za-z0-9_-]{16,}@${domain.replace('.', '\\.')}$`)),
    })
  })

  it('a forward from an executive the org may not send as goes out in their name, from the org sender', async () => {
    const { row, email } = await approveAndSend(await caseFrom(`Lee Park <lee@${domain}>`))
    expect(row.from_address).toBe(`Lee Park via Acme <support@${domain}>`)
    expect(email.body.from).toBe(`Lee Park via Acme <support@${domain}>`)
  })

  it("any other case goes out From the org's sender; an org without one uses MAIL_FROM", async () => {
    const { email } = await approveAndSend(await caseFrom(null))
    expect(email.body.from).toBe(`Acme Support <support@${domain}>`)
    await changeOrganization(db, org.id, { replyFrom: null }, { kind: 'user', id: admin.id })
    try {
      const plain = await approveAndSend(await caseFrom(null))
      expect(plain.email.body.from).toBe('Escalation Desk <desk@desk.test>')
    } finally {
      await changeOrganization(db, org.id, { replyFrom: `Acme Support <support@${domain}>` }, { kind: 'user', id: admin.id })
    }
  })

  it('the From is approved with the text: the database refuses an outbox row or approval with another sender', async () => {
    const c = await caseFrom(`Dana Ruiz <dana@${domain}>`)
    const acknowledged = c.draft.flags.filter((f) => f.severity === 'warn').map((f) => f.code)
    const result = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c.caseId,
        draftId: c.draft.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        acknowledged,
        via: 'portal',
        messageIdDomain: domain,
        mailFrom: env.MAIL_FROM,
      }),
    )
    if (!result.ok || !result.outboxId) throw new Error('approval failed')
    const [approval] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; from: string; hash: string }[]>`
      select a.id, a.from_address as from, a.content_hash as hash from approvals a join outbox o on o.approval_id = a.id where o.id = ${result.outboxId}`,
    )
    expect(approval!.from).toBe(`Dana Ruiz <dana@${domain}>`)
    // The hash is of recipients, subject, body and this From: another From gives another hash.
    const [hashes] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ same: string; other: string }[]>`
      select reply_content_hash(d.to_emails, d.subject, d.body, ${approval!.from}) as same,
             reply_content_hash(d.to_emails, d.subject, d.body, 'Mallory <mallory@evil.test>') as other from drafts d where d.id = ${c.draft.id}`,
    )
    expect(hashes).toEqual({ same: approval!.hash, other: expect.not.stringMatching(approval!.hash) })

    const refused = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: Error) => e.message,
      )
    expect(
      await refused(
        withOrg(db, org.id, (tx) => tx`update outbox set from_address = 'Mallory <mallory@evil.test>' where id = ${result.outboxId}`),
      ),
    ).toMatch(/frozen/)
    await withOrg(db, org.id, (tx) => tx`update outbox set status = 'cancelled' where id = ${result.outboxId}`)
    expect(
      await refused(
        withOrg(
          db,
          org.id,
          (tx) => tx`
      insert into outbox (org_id, case_id, draft_id, approval_id, to_emails, subject, body, from_address, message_id, reply_to, idempotency_key)
      select d.org_id, d.case_id, d.id, ${approval!.id}, d.to_emails, d.subject, d.body, 'Mallory <mallory@evil.test>', ${`x-${randomBytes(4).toString('hex')}@x.test`}, 'r@x.test', ${`k-${randomBytes(4).toString('hex')}`}
      from drafts d where d.id = ${c.draft.id}`,
        ),
      ),
    ).toMatch(/no approval of this exact draft version/)
    expect(
      await refused(
        withOrg(
          db,
          org.id,
          (tx) => tx`
      insert into approvals (org_id, case_id, draft_id, content_hash, from_address, approver_id, decision, via)
      select d.org_id, d.case_id, d.id, ${approval!.hash}, 'Mallory <mallory@evil.test>', ${approver.id}, 'rejected', 'portal' from drafts d where d.id = ${c.draft.id}`,
        ),
      ),
    ).toMatch(/the text changed/)
  })

  it('the approval page and the case page show the From and Reply-To exactly as the customer will see them', async () => {
    const c = await caseFrom(`Lee Park <lee@${domain}>`)
    const key = await linkSigningKey(db, env.LINK_SECRET)
    const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, c.caseId, admin))
    const app = createTestApp(db, { env })
    const invite = invites.find((i) => i.approverId === approver.id)!
    const page = await (await app.request(new URL(invite.url).pathname + new URL(invite.url).search)).text()
    const [token] = await withOrg(db, org.id, (tx) => tx<{ t: string }[]>`select reply_token as t from cases where id = ${c.caseId}`)
    const shown = (html: string) =>
      [...html.matchAll(/<dd data-sender="true">([^<]*)<\/dd>\s*<dt>Reply-To<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]])
    const expected = [`Lee Park via Acme &lt;support@${domain}&gt;`, `escalations+${token!.t}@${domain}`]
    expect(shown(page)).toEqual([expected])
    const casePage = await (await app.request(`/cases/${c.caseId}`, { headers: { cookie: await sessionCookie(db, admin) } })).text()
    expect(shown(casePage)).toEqual([expected])
    expect(invite).toMatchObject({ orgName: 'Acme' })
  })
})
