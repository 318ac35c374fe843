// A reply's copies and files (sql/00033, src/attachments/reply-files.ts, src/drafts/copies.ts):
// the first draft copies whom the customer copied (never our own or a no-reply address), CC and
// files are edited on the draft and covered by the approval hash, a copy to someone not on the
// thread is a warning the approver acknowledges, Resend gets the copies and the bytes, and a file
// changed after approval is never sent. Mail comes in as real MIME through the analysis worker.
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createResendMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testAnalysis, testEnv } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { startResendServer } from '../support/resend-server.ts'

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

// A one-page PDF, as a scanner's software writes one.
const pdf = new TextEncoder().encode(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj',
    '4 0 obj << /Length 62 >> stream',
    'BT /F1 12 Tf 72 760 Td (Faktura 2026-4471: belastet to ganger) Tj ET',
    'endstream endobj',
    '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n'),
)

/** An Outlook message from a Norwegian customer who copied her finance colleague, our account manager and a no-reply robot. */
function customerMail(o: { cc: string; to: string; sender: string }): Uint8Array {
  const lines = [
    `From: ${o.sender}`,
    `To: ${o.to}`,
    `Cc: ${o.cc}`,
    `Subject: =?utf-8?Q?Dobbel_belastning_=E2=80=93_faktura_2026-${randomBytes(2).readUInt16BE()}?=`,
    'Date: Tue, 01 Dec 2026 08:12:44 +0100',
    `Message-ID: <${randomBytes(8).toString('hex')}@EUR03.prod.outlook.com>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="_004_fjordlast_"',
    '',
    '--_004_fjordlast_',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Hei,',
    '',
    'We were charged twice for invoice 2026-4471 (NOK 48 200). I have copied our finance lead.',
    'The invoice is attached. I expect a refund this week or we will cancel the contract.',
    '',
    'Med vennlig hilsen',
    'Ingrid Halvorsøn',
    'Driftsleder, Fjordlast AS',
    '',
    '--_004_fjordlast_',
    'Content-Type: application/pdf; name="Faktura 2026-4471.pdf"',
    'Content-Disposition: attachment; filename="Faktura 2026-4471.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(pdf).toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--_004_fjordlast_--',
    '',
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}

describe('replies with copies and files', () => {
  let db: Db
  let org: Org
  let agent: { id: string; email: string }
  let approver: { id: string; email: string }
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let app: ReturnType<typeof createTestApp>
  let agentCookie: string

  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
    org = await seedOrg(db)
    agent = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    app = createTestApp(db)
    agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  const runJobs = (mailer = createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })) =>
    runJobsOnce({ db, env: testEnv(), handlers: jobHandlers({ mailer }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })

  // Each complaint from another person of the company (one person's second mail would join her open case).
  const senders = ['=?utf-8?Q?Ingrid_Halvors=C3=B8n?= <ingrid.halvorsen@fjordlast.no>', 'Kari Nordmann <kari.nordmann@fjordlast.no>']
  let sent = 0
  const nextSender = () => (sent++ === 0 ? senders[0]! : `${senders[1]!.replace('kari.nordmann', `kari.nordmann${sent}`)}`)

  /** The Norwegian complaint, through intake and the draft job: the case and its first draft. */
  async function complaint(sender = nextSender()) {
    const outcome = await ingestMessage(db, {
      orgId: org.id,
      raw: customerMail({
        sender,
        to: org.inboundAddresses[0]!,
        cc: `"Lars Berg" <lars.berg@fjordlast.no>, ${agent.email}, "Fjordlast varsler" <noreply@fjordlast.no>`,
      }),
      provider: 'test',
      analyze: testAnalysis.analyze,
    })
    if (outcome.status !== 'created') throw new Error(`expected a case, got ${outcome.status}`)
    const [c] = await inOrg((tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    await runJobs()
    const [draft] = await inOrg((tx) => listDraftVersions(tx, c!.id, 1))
    const [file] = await inOrg(
      (tx) => tx<{ id: string }[]>`
      select a.id from message_attachments a join messages m on m.id = a.message_id where m.case_id = ${c!.id}`,
    )
    return { caseId: c!.id, draft: draft!, pdfRef: `message:${file!.id}` }
  }

  const post = (path: string, fields: [string, string][], cookie = agentCookie) =>
    app.request(path, {
      method: 'POST',
      headers: {
        origin: sameOrigin,
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        'hx-request': 'true',
      },
      body: new URLSearchParams(fields).toString(),
    })

  /** The draft form as a person sends it: version's text kept, with the picks given (`file`, `ccPick`, `cc`…). */
  const saveEdit = (
    caseId: string,
    base: { version: number; toEmails: string[]; subject: string; body: string },
    picks: [string, string][],
  ) =>
    post(`/cases/${caseId}/drafts`, [
      ['baseVersion', String(base.version)],
      ['to', base.toEmails.join(', ')],
      ['subject', base.subject],
      ['body', base.body],
      ...picks,
    ])

  const upload = (caseId: string, name: string, type: string, bytes: Uint8Array, baseVersion: number, cookie = agentCookie) => {
    const form = new FormData()
    form.set('baseVersion', String(baseVersion))
    form.set('upload', new File([bytes as BlobPart], name, { type }))
    return app.request(`/cases/${caseId}/drafts/files`, {
      method: 'POST',
      headers: { origin: sameOrigin, cookie, 'hx-request': 'true' },
      body: form,
    })
  }

  const approve = (caseId: string, draftId: string, acknowledged: string[] = []) =>
    inOrg((tx) =>
      decide(tx, {
        orgId: org.id,
        caseId,
        draftId,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        acknowledged,
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )

  it('the first draft copies whom the customer copied, never a colleague or a no-reply address', async () => {
    const { caseId, draft } = await complaint()
    expect(draft.toEmails).toEqual(['ingrid.halvorsen@fjordlast.no'])
    expect(draft.subject).toMatch(/^Re: Dobbel belastning – faktura/)
    expect(draft.ccEmails).toEqual(['lars.berg@fjordlast.no'])
    expect(draft.guardrailFlags.map((f) => f.code)).not.toContain('cc_not_on_thread')
    const page = await (await app.request(`/cases/${caseId}`, { headers: { cookie: agentCookie } })).text()
    expect(page).toContain('lars.berg@fjordlast.no')
    expect(page).toContain('Faktura 2026-4471.pdf')
  })

  it('copies and files are edited on the draft; a copy to someone not on the thread must be acknowledged', async () => {
    const { caseId, draft, pdfRef } = await complaint()
    const res = await saveEdit(caseId, draft, [
      ['ccShown', '1'],
      ['ccPick', 'lars.berg@fjordlast.no'],
      ['cc', 'Erik.Dahl@Fjordlast-Advokat.no'],
      ['filesShown', '1'],
      ['file', pdfRef],
    ])
    expect(res.status).toBe(200)
    const [v2] = await inOrg((tx) => listDraftVersions(tx, caseId, 1))
    expect(v2!.version).toBe(draft.version + 1)
    expect(v2!.ccEmails).toEqual(['lars.berg@fjordlast.no', 'erik.dahl@fjordlast-advokat.no'])
    expect(v2!.attachments).toEqual([
      expect.objectContaining({ kind: 'message', filename: 'Faktura 2026-4471.pdf', contentType: 'application/pdf', sha256: sha256(pdf) }),
    ])
    const flag = v2!.guardrailFlags.find((f) => f.code === 'cc_not_on_thread')
    expect(flag).toMatchObject({ severity: 'warn', evidence: 'Cc: erik.dahl@fjordlast-advokat.no' })

    const refused = await approve(caseId, v2!.id).catch((e: Error) => e)
    expect(String((refused as { result?: { message: string } }).result?.message ?? refused)).toMatch(/cc not on thread/)
    const approved = await approve(
      caseId,
      v2!.id,
      v2!.guardrailFlags.filter((f) => f.severity === 'warn').map((f) => f.code),
    )
    expect(approved).toMatchObject({ ok: true, decision: 'approved' })
  })

  it('Resend gets the copies and the approved bytes; the thread and the audit record them', async () => {
    const { caseId, draft, pdfRef } = await complaint()
    await saveEdit(caseId, draft, [
      ['filesShown', '1'],
      ['file', pdfRef],
    ])
    const [v2] = await inOrg((tx) => listDraftVersions(tx, caseId, 1))
    const result = await approve(
      caseId,
      v2!.id,
      v2!.guardrailFlags.map((f) => f.code),
    )
    if (!result.ok || !result.outboxId) throw new Error('not approved')
    await runJobs()
    const email = resend.emails.find((e) => e.idempotencyKey === `reply/${result.outboxId}`)
    expect(email?.body).toMatchObject({ to: v2!.toEmails, cc: ['lars.berg@fjordlast.no'] })
    const [sent] = email!.body.attachments as { filename: string; content: string; content_type: string }[]
    expect(sent).toMatchObject({ filename: 'Faktura 2026-4471.pdf', content_type: 'application/pdf' })
    expect(sha256(Buffer.from(sent!.content, 'base64'))).toBe(sha256(pdf))
    const [outbound] = await inOrg(
      (tx) => tx<{ cc: string[] }[]>`
      select cc_emails as cc from messages where case_id = ${caseId} and direction = 'outbound'`,
    )
    expect(outbound!.cc).toEqual(['lars.berg@fjordlast.no'])
    const [audit] = await inOrg(
      (tx) => tx<{ details: Record<string, unknown> }[]>`
      select details from audit_events where case_id = ${caseId} and action = 'email.send'`,
    )
    expect(audit!.details).toMatchObject({
      cc: ['lars.berg@fjordlast.no'],
      files: [{ filename: 'Faktura 2026-4471.pdf', sha256: sha256(pdf) }],
    })
  })

  it('an upload becomes a new version; unsendable, oversized and other cases’ files are refused', async () => {
    const { caseId, draft } = await complaint()
    const credit = new TextEncoder().encode('Kreditnota K-2026-118\nBeløp: NOK 48 200\n')
    const ok = await upload(caseId, 'Kreditnota K-2026-118.txt', 'text/plain', credit, draft.version)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('Attached “Kreditnota K-2026-118.txt”')
    const [v2] = await inOrg((tx) => listDraftVersions(tx, caseId, 1))
    expect(v2!.attachments.map((f) => [f.kind, f.filename, f.sha256])).toEqual([['upload', 'Kreditnota K-2026-118.txt', sha256(credit)]])

    const exe = await upload(caseId, 'refund-tool.exe', 'application/x-msdownload', new Uint8Array([0x4d, 0x5a, 1, 2]), v2!.version)
    expect(exe.status).toBe(422)
    expect(await exe.text()).toContain('mail providers refuse .exe files')
    const empty = await upload(caseId, 'blank.pdf', 'application/pdf', new Uint8Array(), v2!.version)
    expect(empty.status).toBe(422)
    const huge = await upload(caseId, 'scan.pdf', 'application/pdf', new Uint8Array(11 * 1024 * 1024), v2!.version)
    expect(huge.status).toBe(413)
    // Stale form: version 1 was the base, version 2 is current.
    const stale = await upload(caseId, 'again.txt', 'text/plain', credit, draft.version)
    expect(stale.status).toBe(409)

    // A file of another case (the same org) cannot be picked, by form or by the database.
    const other = await complaint()
    const res = await saveEdit(caseId, (await inOrg((tx) => listDraftVersions(tx, caseId, 1)))[0]!, [
      ['filesShown', '1'],
      ['file', other.pdfRef],
    ])
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('not a file of this case')
    await expect(
      inOrg(
        (tx) => tx`
        insert into draft_attachments (draft_id, org_id, position, message_attachment_id, filename, content_type, size, sha256)
        values (${v2!.id}, ${org.id}, 5, ${other.pdfRef.slice('message:'.length)}, 'x.pdf', 'application/pdf', 1, ${sha256(pdf)})`,
      ),
    ).rejects.toThrow(/not one of this case's kept files/)

    // Another org's user: the case is not there.
    const stranger = await seedOrg(db)
    const strangerUser = await seedUser(db, stranger.id, 'admin')
    const theirs = await upload(
      caseId,
      'x.txt',
      'text/plain',
      credit,
      2,
      await sessionCookie(db, { id: strangerUser.id, orgId: stranger.id }),
    )
    expect(theirs.status).toBe(404)
  })

  it('the approval covers copies and files: a hash without them is refused by the database', async () => {
    const { caseId, draft, pdfRef } = await complaint()
    await saveEdit(caseId, draft, [
      ['filesShown', '1'],
      ['file', pdfRef],
    ])
    const [v2] = await inOrg((tx) => listDraftVersions(tx, caseId, 1))
    await expect(
      inOrg(
        (tx) => tx`
        insert into approvals (org_id, case_id, draft_id, content_hash, from_address, approver_id, decision, acknowledged_flags, via)
        select d.org_id, d.case_id, d.id, reply_content_hash(d.to_emails, d.subject, d.body, 'Desk <desk@example.com>'),
               'Desk <desk@example.com>', ${approver.id}, 'approved', array['legal_review', 'missing_facts', 'cc_not_on_thread'], 'portal'
        from drafts d where d.id = ${v2!.id}`,
      ),
    ).rejects.toThrow(/the text changed since it was reviewed/)
    const [hashes] = await inOrg(
      (tx) => tx<{ full: string; bare: string }[]>`
      select draft_reply_hash(d, 'Desk <desk@example.com>') as full,
             reply_content_hash(d.to_emails, d.subject, d.body, 'Desk <desk@example.com>') as bare
      from drafts d where d.id = ${v2!.id}`,
    )
    expect(hashes!.full).not.toBe(hashes!.bare)
  })

  it('a file swapped after approval is never sent: the reply is held back and says why', async () => {
    const { caseId, draft } = await complaint()
    const letter = new TextEncoder().encode('Refund confirmation: NOK 48 200 returned on 1 December 2026.\n')
    await upload(caseId, 'refund-confirmation.txt', 'text/plain', letter, draft.version)
    const [v2] = await inOrg((tx) => listDraftVersions(tx, caseId, 1))
    const result = await approve(
      caseId,
      v2!.id,
      v2!.guardrailFlags.map((f) => f.code),
    )
    if (!result.ok || !result.outboxId) throw new Error('not approved')
    // Someone with the database owner's rights (or a tampered store) changes the bytes, same size.
    const forged = new TextEncoder().encode('Refund refused: NOK 48 200 kept, see our terms section 9b.\n'.padEnd(letter.byteLength, ' '))
    expect(forged.byteLength).toBe(letter.byteLength)
    await db`update case_uploads set content = ${Buffer.from(forged)} where case_id = ${caseId}`
    await runJobs()
    expect(resend.emails.filter((e) => e.idempotencyKey === `reply/${result.outboxId}`)).toEqual([])
    const [row] = await inOrg((tx) => tx<{ status: string }[]>`select status from outbox where id = ${result.outboxId}`)
    expect(row!.status).toBe('cancelled')
    const [voided] = await inOrg(
      (tx) => tx<{ details: Record<string, unknown> }[]>`
      select details from audit_events where case_id = ${caseId} and action = 'approval.void' order by seq desc limit 1`,
    )
    expect(voided!.details).toMatchObject({ reason: 'a file attached to the reply changed since it was approved' })
  })

  it('the approval link page lists the copies and the files', async () => {
    const { caseId, draft, pdfRef } = await complaint()
    await saveEdit(caseId, draft, [
      ['filesShown', '1'],
      ['file', pdfRef],
    ])
    const res = await post(`/cases/${caseId}/approval/request`, [])
    expect([200, 303]).toContain(res.status)
    // The invitation leaves after the response (as on Workers): wait for it.
    const mail = await vi.waitFor(
      async () => {
        const [row] = await db<{ text: string }[]>`
          select text_body as text from dev_mailbox where org_id = ${org.id} and ${approver.email} = any(to_addresses)
          order by created_at desc limit 1`
        if (!row) throw new Error('no invitation yet')
        return row
      },
      { timeout: 10_000, interval: 100 },
    )
    const link = /https?:\/\/\S+\/approve\?token=\S+/.exec(mail.text)![0]
    const page = await (await app.request(new URL(link).pathname + new URL(link).search)).text()
    expect(page).toContain('lars.berg@fjordlast.no')
    expect(page).toContain('Faktura 2026-4471.pdf')
  })
})
