// The files of inbound mail (sql/00024, src/attachments/): every attachment is recorded with its
// SHA-256 and size and kept within the limits (a reason when not), served only to the org's
// users as a download with nosniff and a sandboxing CSP, images alone previewable inline (never
// SVG); a PDF letter's text is on the case page and in the drafting model's context; Cc is kept.
// Mail goes in through POST /inbound/raw and the analysis worker, as in production.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { loadDraftContext } from '../../src/drafts/context.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { defaultLimits } from '../../src/intake/parse.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testAnalysis, testEnv } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'

const secret = 'attachments-test-secret-0123456789'

// A 1×1 PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>')
const realPdfMail = new Uint8Array(readFileSync('test/fixtures/intake-eval/main/legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml'))

type File = { name: string; type: string; bytes: Uint8Array; inline?: string }

function mail(files: File[], o: { from?: string; cc?: string; subject?: string; body?: string } = {}): Uint8Array<ArrayBuffer> {
  const parts = files.flatMap((f) => [
    '--b',
    `Content-Type: ${f.type}; name="${f.name}"`,
    `Content-Disposition: ${f.inline ? 'inline' : 'attachment'}; filename="${f.name}"`,
    ...(f.inline ? [`Content-ID: <${f.inline}>`] : []),
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(f.bytes).toString('base64').replace(/.{76}/g, '$&\r\n'),
  ])
  const lines = [
    `From: ${o.from ?? 'Pat Customer <pat@customer.test>'}`,
    'To: escalations@example.com',
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject ?? 'Complaint with files'}`,
    'Date: Sun, 22 Nov 2026 09:00:00 +0000',
    `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? 'My order never arrived. The files are attached.',
    ...parts,
    '--b--',
    '',
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('attachments of inbound mail', () => {
  let db: Db
  let org: Org
  let other: Org
  let cookie: string
  let otherCookie: string
  const app = () => createTestApp(db, { env: testEnv({ INBOUND_SECRET: secret }) })

  async function deliver(raw: Uint8Array<ArrayBuffer>, to: Org = org) {
    const target = `/inbound/raw?org=${to.slug}`
    const res = await app().request(target, { method: 'POST', body: raw, headers: signRaw(secret, raw, { target }) })
    expect(res.status).toBe(200)
    const outcome = (await res.json()) as { status: string; case: string }
    const [row] = await withOrg(db, to.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
    return { ...outcome, caseId: row?.id ?? '' }
  }

  const filesOf = (orgId: string, caseId: string) =>
    withOrg(
      db,
      orgId,
      (tx) => tx<
        {
          id: string
          filename: string
          contentType: string
          size: number
          sha256: string
          kept: boolean
          notKept: string | null
          extractedText: string | null
          contentId: string | null
          depth: number
        }[]
      >`
        select a.id, a.filename, a.content_type as "contentType", a.size::int as size, a.sha256, a.content is not null as kept,
               a.not_kept as "notKept", a.extracted_text as "extractedText", a.content_id as "contentId", a.depth
        from message_attachments a join messages m on m.id = a.message_id where m.case_id = ${caseId} order by a.position`,
    )

  const get = (path: string, as = cookie) => app().request(path, { headers: { cookie: as } })

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    other = await seedOrg(db)
    const user = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: user.id, orgId: org.id })
    const otherUser = await seedUser(db, other.id, 'admin')
    otherCookie = await sessionCookie(db, { id: otherUser.id, orgId: other.id })
  })
  afterAll(() => db.end())

  it('stores each file with its SHA-256 and size, and serves it back byte for byte as a download', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\nnot much of a PDF\n%%EOF')
    const html = new TextEncoder().encode('<script>alert(document.cookie)</script>')
    const raw = mail([
      { name: 'Invoice 4411 – März.pdf', type: 'application/pdf', bytes: pdf },
      { name: 'page.html', type: 'text/html', bytes: html },
      { name: 'logo.png', type: 'image/png', bytes: png, inline: 'logo@customer.test' },
    ])
    const c = await deliver(raw)
    expect(c.status).toBe('created')
    const files = await filesOf(org.id, c.caseId)
    expect(files.map((f) => [f.filename, f.contentType, f.size, f.sha256, f.kept])).toEqual([
      ['Invoice 4411 – März.pdf', 'application/pdf', pdf.byteLength, sha256(pdf), true],
      ['page.html', 'text/html', html.byteLength, sha256(html), true],
      ['logo.png', 'image/png', png.byteLength, sha256(png), true],
    ])
    expect(files[2]!.contentId).toBe('logo@customer.test')

    const res = await get(`/cases/${c.caseId}/attachments/${files[0]!.id}`)
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Invoice 4411 _ M_rz.pdf"; filename*=UTF-8''${encodeURIComponent('Invoice 4411 – März.pdf')}`,
    )
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")

    // A type browsers render as a page is never sent as one, inline asked for or not.
    for (const query of ['', '?inline=1']) {
      const page = await get(`/cases/${c.caseId}/attachments/${files[1]!.id}${query}`)
      expect(page.headers.get('content-type')).toBe('application/octet-stream')
      expect(page.headers.get('content-disposition')).toMatch(/^attachment; /)
      expect(page.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    }

    // The image previews inline, with the same sandbox.
    const preview = await get(`/cases/${c.caseId}/attachments/${files[2]!.id}?inline=1`)
    expect(preview.headers.get('content-type')).toBe('image/png')
    expect(preview.headers.get('content-disposition')).toMatch(/^inline; /)
    expect(preview.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")

    // The case page lists the three, with one thumbnail: the image's.
    const casePage = await (await get(`/cases/${c.caseId}`)).text()
    expect(casePage).toContain('3 attachments')
    expect(casePage).toContain(`href="/cases/${c.caseId}/attachments/${files[0]!.id}"`)
    expect(casePage).toContain(`src="/cases/${c.caseId}/attachments/${files[2]!.id}?inline=1"`)
    expect(casePage).not.toContain(`src="/cases/${c.caseId}/attachments/${files[1]!.id}`)
  })

  it('never previews SVG, nor an image whose bytes are not the image it claims to be', async () => {
    const c = await deliver(
      mail([
        { name: 'chart.svg', type: 'image/svg+xml', bytes: svg },
        { name: 'photo.png', type: 'image/png', bytes: new TextEncoder().encode('<html><script>alert(1)</script></html>') },
      ]),
    )
    const [chart, fake] = await filesOf(org.id, c.caseId)
    for (const file of [chart!, fake!]) {
      const res = await get(`/cases/${c.caseId}/attachments/${file.id}?inline=1`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; /)
      expect(res.headers.get('content-type')).not.toMatch(/svg|html/)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it("is a 404 for another org's user, another case's id, a malformed id, and asks a stranger to sign in", async () => {
    const c = await deliver(mail([{ name: 'a.png', type: 'image/png', bytes: png }]))
    const [file] = await filesOf(org.id, c.caseId)
    const elsewhere = await deliver(mail([{ name: 'b.png', type: 'image/png', bytes: png }]), other)
    const path = `/cases/${c.caseId}/attachments/${file!.id}`
    expect((await get(path)).status).toBe(200)
    expect((await get(path, otherCookie)).status).toBe(404)
    expect((await get(`${path}?inline=1`, otherCookie)).status).toBe(404)
    // The other org's own case id with this org's file id, and a file id under the wrong case.
    expect((await get(`/cases/${elsewhere.caseId}/attachments/${file!.id}`, otherCookie)).status).toBe(404)
    const mine = await deliver(mail([{ name: 'c.png', type: 'image/png', bytes: png }]))
    expect((await get(`/cases/${mine.caseId}/attachments/${file!.id}`)).status).toBe(404)
    for (const bad of [
      `/cases/${c.caseId}/attachments/not-a-uuid`,
      `/cases/x/attachments/${file!.id}`,
      `/cases/${c.caseId}/attachments/${randomUUID()}`,
    ]) {
      expect((await get(bad)).status).toBe(404)
    }
    const anonymous = await app().request(path)
    expect([302, 303, 401]).toContain(anonymous.status)
    expect(anonymous.headers.get('content-disposition')).toBeNull()
  })

  it("reads the real PDF letter's text: stored with the file, on the case page, and given to the drafting model", async () => {
    const c = await deliver(realPdfMail)
    expect(c.status).toBe('created')
    const files = await filesOf(org.id, c.caseId)
    const pdf = files.find((f) => f.contentType === 'application/pdf')!
    expect(pdf.filename).toBe('2026-10-06_Schreiben_Northwind_412-26_BR07.pdf')
    expect(pdf.kept).toBe(true)
    expect(pdf.extractedText).toMatch(/Sabine Kötter/)
    const page = await (await get(`/cases/${c.caseId}`)).text()
    expect(page).toContain('Read the text of 2026-10-06_Schreiben_Northwind_412-26_BR07.pdf')
    expect(page).toContain('Sabine Kötter')
    // The mail was copied to Legal: the thread says so.
    expect(page).toContain('Cc: legal@northwind.example')
    const context = await withOrg(db, org.id, (tx) => loadDraftContext(tx, c.caseId))
    const first = context!.thread[0]!.text
    expect(first).toContain('[Attached letter: 2026-10-06_Schreiben_Northwind_412-26_BR07.pdf]')
    expect(first.slice(first.indexOf('[Attached letter'))).toMatch(/Sabine Kötter[\s\S]*\[End of the attached letter\]$/)
  })

  it('a hostile PDF (garbage behind a %PDF header, or one far past the reading limit) is kept, adds no text, and the mail is a case', async () => {
    const garbage = new Uint8Array([
      ...new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Length 99999999 >> stream\n'),
      ...randomBytes(200_000),
    ])
    const huge = new Uint8Array(9 * 1024 * 1024)
    huge.set(new TextEncoder().encode('%PDF-1.4\n'))
    huge.fill(0x41, 9)
    const started = Date.now()
    const c = await deliver(
      mail([
        { name: 'letter.pdf', type: 'application/pdf', bytes: garbage },
        { name: 'huge.pdf', type: 'application/pdf', bytes: huge },
      ]),
    )
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(c.status).toBe('created')
    const files = await filesOf(org.id, c.caseId)
    expect(files.map((f) => [f.filename, f.size, f.kept, f.extractedText])).toEqual([
      ['letter.pdf', garbage.byteLength, true, null],
      ['huge.pdf', huge.byteLength, true, null],
    ])
    expect(files[1]!.sha256).toBe(sha256(huge))
    expect((await get(`/cases/${c.caseId}`)).status).toBe(200)
  })

  it("keeps the files inside a forwarded message attached to the mail, after the mail's own", async () => {
    const inner = mail([{ name: 'receipt.png', type: 'image/png', bytes: png }], { from: 'Kim Buyer <kim@buyer.test>', subject: 'Refund' })
    const raw = new TextEncoder().encode(
      [
        'From: Dana Ruiz <dana@example.com>',
        'To: escalations@example.com',
        'Subject: Fwd: Refund',
        `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        '--outer',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please handle the attached complaint.',
        '--outer',
        'Content-Type: message/rfc822; name="Refund.eml"',
        'Content-Disposition: attachment; filename="Refund.eml"',
        '',
        new TextDecoder().decode(inner),
        '--outer--',
        '',
      ].join('\r\n'),
    )
    const c = await deliver(raw)
    const files = await filesOf(org.id, c.caseId)
    expect(files.map((f) => [f.filename, f.contentType, f.depth, f.kept])).toEqual([
      ['Refund.eml', 'message/rfc822', 0, true],
      ['receipt.png', 'image/png', 1, true],
    ])
    expect(files[1]!.sha256).toBe(sha256(png))
    const eml = await get(`/cases/${c.caseId}/attachments/${files[0]!.id}`)
    expect(eml.headers.get('content-type')).toBe('message/rfc822')
    expect(eml.headers.get('content-disposition')).toMatch(/^attachment; /)
  })

  it('keeps at most 20 files of a message, and says why the others were not kept', async () => {
    const many = Array.from({ length: 22 }, (_, n) => ({ name: `scan-${n + 1}.png`, type: 'image/png', bytes: png }))
    const c = await deliver(mail(many))
    const files = await filesOf(org.id, c.caseId)
    expect(files).toHaveLength(22)
    expect(files.filter((f) => f.kept)).toHaveLength(20)
    expect(files.slice(20).map((f) => [f.filename, f.kept, f.notKept])).toEqual([
      ['scan-21.png', false, 'more than 20 files in one message'],
      ['scan-22.png', false, 'more than 20 files in one message'],
    ])
    expect(files[21]!.sha256).toBe(sha256(png))
    expect((await get(`/cases/${c.caseId}/attachments/${files[21]!.id}`)).status).toBe(404)
    expect(await (await get(`/cases/${c.caseId}`)).text()).toContain('Not kept: more than 20 files in one message.')
  })

  it("keeps files within each file's, each message's and the organization's limit", async () => {
    const small = await seedOrg(db)
    const limits = { ...defaultLimits, files: { maxFiles: 20, maxFileBytes: 3000, maxMessageBytes: 5000, maxOrgBytes: 7000 } }
    const ingest = (raw: Uint8Array) => ingestMessage(db, { orgId: small.id, raw, provider: 'test', analyze: testAnalysis.analyze, limits })
    const bytes = (n: number) => new Uint8Array(randomBytes(n))
    const first = await ingest(
      mail([
        { name: 'big.bin', type: 'application/octet-stream', bytes: bytes(3001) },
        { name: 'a.bin', type: 'application/octet-stream', bytes: bytes(2000) },
        { name: 'b.bin', type: 'application/octet-stream', bytes: bytes(2000) },
        { name: 'c.bin', type: 'application/octet-stream', bytes: bytes(2000) },
      ]),
    )
    const second = await ingest(
      mail([
        { name: 'd.bin', type: 'application/octet-stream', bytes: bytes(2000) },
        { name: 'e.bin', type: 'application/octet-stream', bytes: bytes(2000) },
      ]),
    )
    expect([first.status, second.status]).toEqual(['created', 'created'])
    const rows = await withOrg(
      db,
      small.id,
      (tx) => tx<{ filename: string; kept: boolean; notKept: string | null }[]>`
        select a.filename, a.content is not null as kept, a.not_kept as "notKept"
        from message_attachments a join messages m on m.id = a.message_id order by m.created_at, a.position`,
    )
    expect(rows).toEqual([
      { filename: 'big.bin', kept: false, notKept: 'larger than 3 KB, the limit for one file' },
      { filename: 'a.bin', kept: true, notKept: null },
      { filename: 'b.bin', kept: true, notKept: null },
      { filename: 'c.bin', kept: false, notKept: "the message's files passed 5 KB, the limit for one message" },
      { filename: 'd.bin', kept: true, notKept: null },
      { filename: 'e.bin', kept: false, notKept: 'the organization keeps at most 7 KB of attachments, and that is used up' },
    ])
    const [usage] = await withOrg(db, small.id, (tx) => tx<{ bytes: number }[]>`select stored_bytes::int as bytes from attachment_usage`)
    expect(usage!.bytes).toBe(6000)
  })

  it("never passes the organization's limit under concurrent deliveries, new cases and threads alike", async () => {
    const org = await seedOrg(db)
    const limit = 10_000
    const limits = { ...defaultLimits, files: { maxFiles: 20, maxFileBytes: 3000, maxMessageBytes: 5000, maxOrgBytes: limit } }
    const ingest = (raw: Uint8Array) => ingestMessage(db, { orgId: org.id, raw, provider: 'test', analyze: testAnalysis.analyze, limits })
    const bytes = (n: number) => new Uint8Array(randomBytes(n))
    const files = (i: number): File[] => [
      { name: `big-${i}.bin`, type: 'application/octet-stream', bytes: bytes(1500 + i) },
      { name: `small-${i}.bin`, type: 'application/octet-stream', bytes: bytes(300 + i) },
    ]
    const first = mail([])
    const firstId = /^Message-ID: (<[^>]+>)/m.exec(new TextDecoder().decode(first))![1]!
    expect((await ingest(first)).status).toBe('created')
    const reply = (raw: Uint8Array) =>
      new TextEncoder().encode(new TextDecoder().decode(raw).replace('MIME-Version: 1.0', `In-Reply-To: ${firstId}\r\nMIME-Version: 1.0`))
    // Half open cases, half answer the first one's thread: 16 messages of about 1.8 KB each against 10 KB.
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        ingest(i % 2 ? reply(mail(files(i), { subject: 'Re: Complaint with files' })) : mail(files(i), { subject: `Complaint ${i}` })),
      ),
    )
    expect(outcomes.map((o) => o.status).sort()).toEqual([...Array(8).fill('created'), ...Array(8).fill('threaded')])
    const rows = await withOrg(
      db,
      org.id,
      (tx) => tx<{ size: number; kept: boolean; notKept: string | null }[]>`
        select size::int as size, content is not null as kept, not_kept as "notKept" from message_attachments`,
    )
    const [usage] = await withOrg(db, org.id, (tx) => tx<{ bytes: number }[]>`select stored_bytes::int as bytes from attachment_usage`)
    const keptBytes = rows.filter((r) => r.kept).reduce((sum, r) => sum + r.size, 0)
    expect(rows).toHaveLength(32)
    expect(usage!.bytes).toBe(keptBytes)
    expect(keptBytes).toBeLessThanOrEqual(limit)
    const refused = rows.filter((r) => !r.kept)
    expect(refused.length).toBeGreaterThan(0)
    for (const r of refused) {
      expect(r.notKept).toBe('the organization keeps at most 10 KB of attachments, and that is used up')
      // Refused only when it did not fit: the room only shrinks, so each was larger than what is left.
      expect(r.size).toBeGreaterThan(limit - keptBytes)
    }
  })

  it("keeps Cc of every inbound message, and a forward's original To and Cc", async () => {
    const c = await deliver(mail([], { cc: 'Alex Manager <alex@customer.test>, "Sam" <sam@partner.test>' }))
    const forward = [
      'From: Dana Ruiz <dana@example.com>',
      'To: escalations@example.com',
      'Subject: Fwd: Still no refund',
      'Date: Sun, 22 Nov 2026 10:00:00 +0000',
      `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Can someone handle this?',
      '',
      '---------- Forwarded message ---------',
      'From: Kim Buyer <kim@buyer.test>',
      'Date: Sat, 21 Nov 2026 at 18:00',
      'Subject: Still no refund',
      'To: Dana Ruiz <dana@example.com>',
      'Cc: Lee Buyer <lee@buyer.test>',
      '',
      'I was promised a refund three weeks ago and nothing has happened.',
      '',
    ].join('\r\n')
    const f = await deliver(new TextEncoder().encode(forward))
    const rows = await withOrg(
      db,
      org.id,
      (tx) => tx<{ caseId: string; cc: string[]; originalTo: string[]; originalCc: string[] }[]>`
        select case_id as "caseId", cc_emails as cc, original_to_emails as "originalTo", original_cc_emails as "originalCc"
        from messages where case_id in (${c.caseId}, ${f.caseId}) order by created_at`,
    )
    expect(rows).toEqual([
      { caseId: c.caseId, cc: ['alex@customer.test', 'sam@partner.test'], originalTo: [], originalCc: [] },
      { caseId: f.caseId, cc: [], originalTo: ['dana@example.com'], originalCc: ['lee@buyer.test'] },
    ])
    expect(await (await get(`/cases/${c.caseId}`)).text()).toContain('Cc: alex@customer.test, sam@partner.test')
    expect(await (await get(`/cases/${f.caseId}`)).text()).toContain('The forwarded original was to dana@example.com, cc lee@buyer.test')
  })
})
