import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { findAlertCandidates } from '../../src/digest/alerts.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { runDesk } from '../support/process.ts'

// Not every message is a case: auto-replies, delivery reports and bulk mail are kept with their
// reason, listed for the team, and can be made a case by hand. One that answers a case's thread
// is a flagged note on it, and a bounce of our reply fails that send where the owner sees it.

const crlf = (lines: string[]) => new TextEncoder().encode(lines.join('\r\n'))

function outOfOffice(to: string, headers: string[] = []) {
  return buildEml({
    from: 'Lena Vogt <lena.vogt@web.de>',
    to,
    subject: 'Automatische Antwort: Ihre Anfrage',
    headers: ['Auto-Submitted: auto-replied', ...headers],
    body: 'Vielen Dank für Ihre Nachricht. Ich bin bis zum 30. November nicht im Büro und habe keinen Zugriff auf meine E-Mails.',
  })
}

function newsletter(to: string) {
  return buildEml({
    from: 'Outdoor Retail Weekly <news@outdoorretail.example>',
    to,
    subject: 'This week: complaint trends in outdoor retail',
    headers: ['List-Unsubscribe: <https://outdoorretail.example/u/123>', 'Precedence: bulk'],
    body: 'Complaint volumes rose 12% this quarter across the sector. Read the full report on our site.',
  })
}

/** A Postfix delivery report returning one of our replies (RFC 3464), as it really looks. */
function bounceOf(
  ours: { messageId: string; to: string; inReplyTo: string | null },
  deskAddress: string,
  action: 'failed' | 'delayed' = 'failed',
) {
  const boundary = `b-${randomBytes(6).toString('hex')}`
  const status = action === 'failed' ? '5.2.2' : '4.4.1'
  const diagnostic =
    action === 'failed'
      ? `smtp; 552 5.2.2 <${ours.to}>: Recipient address rejected: Quota exceeded`
      : 'X-Postfix; connect to mx.customer.test[192.0.2.1]:25: Connection timed out'
  return crlf([
    'Return-Path: <>',
    'Date: Fri, 6 Nov 2026 10:20:11 +0100 (CET)',
    'From: MAILER-DAEMON@mx-out.example.com (Mail Delivery System)',
    `Subject: ${action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `To: ${deskAddress}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    `Message-Id: <${randomBytes(8).toString('hex')}@mx-out.example.com>`,
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    action === 'failed'
      ? "I'm sorry to have to inform you that your message could not be delivered to one or more recipients."
      : 'Your message has not yet been delivered. The mail system will continue trying.',
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx-out.example.com',
    '',
    `Final-Recipient: rfc822; ${ours.to}`,
    `Action: ${action}`,
    `Status: ${status}`,
    // Folded at a space, as MTAs fold long fields.
    `Diagnostic-Code: ${diagnostic.slice(0, diagnostic.lastIndexOf(' ', 60))}`,
    `    ${diagnostic.slice(diagnostic.lastIndexOf(' ', 60) + 1)}`,
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `From: Desk <${deskAddress}>`,
    `To: ${ours.to}`,
    'Subject: Re: your complaint',
    `Message-ID: <${ours.messageId}>`,
    ...(ours.inReplyTo ? [`In-Reply-To: <${ours.inReplyTo}>`, `References: <${ours.inReplyTo}>`] : []),
    '',
    `--${boundary}--`,
    '',
  ])
}

describe('mail that is not an escalation', () => {
  let db: Db
  let org: Org
  let agent: { id: string; email: string }
  let approver: { id: string; email: string }
  let app: ReturnType<typeof createTestApp>
  const desk = () => org.inboundAddresses[0]!

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    agent = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    app = createTestApp(db)
  })
  afterAll(async () => {
    await db.end()
  })

  const runJobs = () =>
    runJobsOnce(
      { db, env: testEnv(), handlers: jobHandlers({ mailer: createDevMailer(db) }), backoffMs: () => 0, log: () => {} },
      { orgId: org.id },
    )
  const counts = () =>
    withOrg(
      db,
      org.id,
      async (tx) =>
        (
          await tx<{ cases: number; drafts: number; jobs: number }[]>`
    select (select count(*)::int from cases) as cases, (select count(*)::int from drafts) as drafts,
           (select count(*)::int from jobs where kind = 'draft') as jobs`
        )[0]!,
    )

  it('an out-of-office reply is kept with its reason: no case, no draft, and a redelivery is a duplicate', async () => {
    const before = await counts()
    const raw = outOfOffice(desk())
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(outcome).toMatchObject({ status: 'not_escalation', case: null, reason: expect.stringMatching(/Auto-Submitted: auto-replied/) })
    expect(await counts()).toEqual(before)
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx`select status, reason, case_id, summary from inbound_raw where id = ${outcome.rawId}`,
    )
    expect(row).toMatchObject({
      status: 'not_escalation',
      case_id: null,
      summary: { from: 'lena.vogt@web.de', name: 'Lena Vogt', subject: 'Automatische Antwort: Ihre Anfrage', kind: 'auto_reply' },
    })

    const again = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(again).toEqual({ status: 'duplicate', case: null, rawId: outcome.rawId })
    const [raws] = await withOrg(
      db,
      org.id,
      (tx) =>
        tx<{ n: number }[]>`select count(*)::int as n from inbound_raw where status = 'not_escalation' and reason like 'Auto-Submitted%'`,
    )
    expect(raws!.n).toBe(1)
  })

  it('bulk mail is kept the same way; the team sees both in the Not escalations list, linked from the queue', async () => {
    await ingestMessage(db, { orgId: org.id, raw: newsletter(desk()), provider: 'test' })
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    expect(await (await app.request('/', { headers: { cookie } })).text()).toContain('href="/not-escalations"')
    const page = await (await app.request('/not-escalations', { headers: { cookie } })).text()
    expect(page).toContain('This week: complaint trends in outdoor retail')
    expect(page).toContain('news@outdoorretail.example')
    expect(page).toContain('Precedence: bulk')
    expect(page).toContain('Automatische Antwort: Ihre Anfrage')
    expect(page).toContain('Open a case from this message')
    // Signed-in staff only, and only their own org's mail.
    expect((await app.request('/not-escalations')).status).toBe(401)
    expect((await app.request('/not-escalations', { headers: { accept: 'text/html' } })).headers.get('location')).toMatch(/sign-in/)
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'admin')
    const theirs = await (
      await app.request('/not-escalations', { headers: { cookie: await sessionCookie(db, { id: stranger.id, orgId: other.id }) } })
    ).text()
    expect(theirs).not.toContain('outdoorretail')
  })

  it('"Open a case from this message" runs the normal case creation, audited as the person who asked, once', async () => {
    const raw = buildEml({
      from: 'Marta Ruiz <marta.ruiz@yahoo.es>',
      to: desk(),
      subject: 'Reclamación: pedido no entregado',
      headers: ['Precedence: bulk'],
      body: 'Mi pedido nunca llegó y nadie contesta. Quiero una solución ya.',
    })
    const kept = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(kept.status).toBe('not_escalation')
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    const res = await app.request(`/not-escalations/${kept.rawId}/open`, formPost({}, { cookie }))
    expect(res.status).toBe(303)
    const caseId = res.headers.get('location')!.replace('/cases/', '')
    const [kase] = await withOrg(db, org.id, (tx) => tx`select customer_email, subject from cases where id = ${caseId}`)
    expect(kase).toEqual({ customer_email: 'marta.ruiz@yahoo.es', subject: 'Reclamación: pedido no entregado' })
    const created = (await auditActions(db, org.id, caseId)).find((a) => a.action === 'case.create')!
    expect(created.actorId).toBe(agent.id)
    expect(created.details).toMatchObject({ rawId: kept.rawId, openedFromNotEscalation: expect.stringMatching(/Precedence: bulk/) })
    const [row] = await withOrg(db, org.id, (tx) => tx`select status, case_id from inbound_raw where id = ${kept.rawId}`)
    expect(row).toEqual({ status: 'processed', case_id: caseId })
    await runJobs()
    const [drafts] = await withOrg(db, org.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from drafts where case_id = ${caseId}`)
    expect(drafts!.n).toBe(1)

    // A second click (or a second person) makes no second case.
    const twice = await app.request(`/not-escalations/${kept.rawId}/open`, formPost({}, { cookie }))
    expect(twice.status).toBe(409)
    const [cases] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ n: number }[]>`select count(*)::int as n from cases where customer_email = 'marta.ruiz@yahoo.es'`,
    )
    expect(cases!.n).toBe(1)
  })

  /** A customer's case with an approved reply sent through the dev mailbox; returns what a bounce needs. */
  async function caseWithSentReply() {
    const customerMessageId = `${randomBytes(8).toString('hex')}@customer.test`
    const outcome = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Pat Doe <pat@customer.test>', to: desk(), messageId: customerMessageId }),
      provider: 'test',
    })
    const [kase] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    await runJobs() // the template draft
    const draft = await seedDraft(db, org.id, kase!.id)
    const cookie = await sessionCookie(db, { id: approver.id, orgId: org.id })
    const decided = await app.request(
      `/cases/${kase!.id}/approval/decide`,
      formPost({ draftId: draft.id, decision: 'approved' }, { cookie }),
    )
    expect(decided.status).toBe(303)
    await runJobs() // the send
    const [outbox] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; messageId: string; status: string }[]>`
      select id, message_id as "messageId", status from outbox where case_id = ${kase!.id}`,
    )
    expect(outbox!.status).toBe('sent')
    return {
      caseId: kase!.id,
      label: outcome.case as string,
      outboxId: outbox!.id,
      ours: { messageId: outbox!.messageId, to: 'pat@customer.test', inReplyTo: customerMessageId },
    }
  }

  it('an auto-reply to our reply is a flagged note on the case: not the customer, nothing reopened or voided', async () => {
    const { caseId, label, ours } = await caseWithSentReply()
    const [before] = await withOrg(db, org.id, (tx) => tx`select status, updated_at from cases where id = ${caseId}`)
    const raw = buildEml({
      from: 'Pat Doe <pat@customer.test>',
      to: desk(),
      subject: 'Automatic reply: Re: your complaint',
      headers: ['Auto-Submitted: auto-replied', `In-Reply-To: <${ours.messageId}>`, `References: <${ours.inReplyTo}> <${ours.messageId}>`],
      body: 'I am out of the office until Monday with limited access to email.',
    })
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(outcome).toMatchObject({ status: 'not_escalation', case: label })
    const [after] = await withOrg(db, org.id, (tx) => tx`select status from cases where id = ${caseId}`)
    expect(after!.status).toBe(before!.status)
    const notes = await withOrg(
      db,
      org.id,
      (tx) =>
        tx`select direction, automatic, automatic_reason, from_email from messages where case_id = ${caseId} and raw_id = ${outcome.rawId}`,
    )
    expect(notes).toEqual([
      {
        direction: 'note',
        automatic: 'auto_reply',
        automatic_reason: 'Auto-Submitted: auto-replied (RFC 3834)',
        from_email: 'pat@customer.test',
      },
    ])
    expect((await auditActions(db, org.id, caseId)).map((a) => a.action)).toContain('message.automatic')
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    const page = await (await app.request(`/cases/${caseId}`, { headers: { cookie } })).text()
    expect(page).toContain('data-automatic="auto_reply"')
    expect(page).toContain('Automatic reply from Pat Doe')
  })

  it('a bounce of our reply fails that send, says why on the case, and the failed-send alert fires', async () => {
    const { caseId, label, outboxId, ours } = await caseWithSentReply()
    const outcome = await ingestMessage(db, { orgId: org.id, raw: bounceOf(ours, desk()), provider: 'test' })
    expect(outcome).toMatchObject({ status: 'not_escalation', case: label })
    const [outbox] = await withOrg(db, org.id, (tx) => tx`select status, last_error from outbox where id = ${outboxId}`)
    expect(outbox).toEqual({
      status: 'failed',
      last_error: "The customer's server refused the reply: 552 5.2.2 <pat@customer.test>: Recipient address rejected: Quota exceeded",
    })
    const failed = (await auditActions(db, org.id, caseId)).find((a) => a.action === 'email.fail')
    expect(failed?.details).toMatchObject({ outboxId, bounced: true, permanent: true })
    const alerts = await findAlertCandidates(db, new Date(), [org.id])
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'send_failed', outboxId, caseId }))
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    const page = await (await app.request(`/cases/${caseId}`, { headers: { cookie } })).text()
    expect(page).toContain('FAILED')
    expect(page).toContain('The customer&#39;s server refused the reply: 552 5.2.2')
    expect(page).toContain('data-automatic="delivery_report"')
  })

  it('a delay warning is a note, and the send stays sent', async () => {
    const { caseId, label, outboxId, ours } = await caseWithSentReply()
    const outcome = await ingestMessage(db, { orgId: org.id, raw: bounceOf(ours, desk(), 'delayed'), provider: 'test' })
    expect(outcome).toMatchObject({ status: 'not_escalation', case: label })
    const [outbox] = await withOrg(db, org.id, (tx) => tx`select status from outbox where id = ${outboxId}`)
    expect(outbox!.status).toBe('sent')
    const [note] = await withOrg(
      db,
      org.id,
      (tx) => tx`select automatic from messages where case_id = ${caseId} and raw_id = ${outcome.rawId}`,
    )
    expect(note!.automatic).toBe('delivery_report')
  })

  it('desk ingest --json prints the not_escalation outcome with no case', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'desk-noise-'))
    try {
      const file = join(dir, 'ooo.eml')
      await writeFile(file, outOfOffice(desk(), [`X-Test: ${randomBytes(4).toString('hex')}`]))
      const result = await runDesk(['ingest', file, '--org', org.slug, '--json'], { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({ status: 'not_escalation', case: null, reason: 'Auto-Submitted: auto-replied (RFC 3834)' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
