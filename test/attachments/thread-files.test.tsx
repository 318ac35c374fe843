// What the thread shows of a message's files and copies (views/case/attachments.tsx): rendered
// the way the case page renders it (Hono's JSX renderer, the request's user and database), so
// hostile names stay text, only images get a thumbnail, and a letter's text is one click away.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { jsxRenderer } from 'hono/jsx-renderer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionUser } from '../../src/auth/sessions.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { AppEnv } from '../../src/http/app-env.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { MessageAttachments, MessageRecipients } from '../../views/case/attachments.tsx'
import { testAnalysis } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

function mail(files: { name: string; type: string; bytes: Uint8Array }[], cc?: string): Uint8Array {
  const parts = files.flatMap((f) => [
    '--b',
    `Content-Type: ${f.type}`,
    `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(f.bytes).toString('base64'),
  ])
  return new TextEncoder().encode(
    [
      'From: Pat Customer <pat@customer.test>',
      'To: escalations@example.com',
      ...(cc ? [`Cc: ${cc}`] : []),
      'Subject: Files',
      `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'My order never arrived.',
      ...parts,
      '--b--',
      '',
    ].join('\r\n'),
  )
}

describe("a message's files and copies in the thread", () => {
  let db: Db
  let org: Org
  let user: SessionUser

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const u = await seedUser(db, org.id, 'agent')
    user = { id: u.id, orgId: org.id, email: u.email, name: 'Agent', role: 'agent' } as SessionUser
  })
  afterAll(() => db.end())

  async function thread(raw: Uint8Array, as: SessionUser = user) {
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test', analyze: testAnalysis.analyze })
    const [m] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ caseId: string; messageId: string }[]>`
        select m.case_id as "caseId", m.id as "messageId" from messages m join cases c on c.id = m.case_id
        where 'ESC-' || c.number = ${outcome.case}`,
    )
    const app = new Hono<AppEnv>()
    app.use(jsxRenderer(undefined, { docType: false }))
    app.use(async (c, next) => {
      c.set('deps', { db } as AppEnv['Variables']['deps'])
      c.set('user', as)
      await next()
    })
    app.get('/', (c) =>
      c.render(
        <article>
          <MessageRecipients caseId={m!.caseId} messageId={m!.messageId} />
          <MessageAttachments caseId={m!.caseId} messageId={m!.messageId} />
        </article>,
      ),
    )
    return { ...m!, html: await (await app.request('/')).text() }
  }

  it('lists each file as escaped text with its type, size and link; an image gets a thumbnail, nothing else does', async () => {
    const hostile = '<img src=x onerror=alert(1)>.png'
    const { caseId, html } = await thread(
      mail(
        [
          { name: hostile, type: 'image/png', bytes: png },
          { name: '../../etc/passwd', type: 'text/plain', bytes: new TextEncoder().encode('root:x:0:0') },
          { name: 'drawing.svg', type: 'image/svg+xml', bytes: new TextEncoder().encode('<svg onload="alert(1)"/>') },
        ],
        'Alex <alex@customer.test>',
      ),
    )
    expect(html).toContain('3 attachments')
    expect(html).not.toContain('<img src=x')
    // Characters no file system takes in a name are replaced; the rest is escaped text.
    expect(html).toContain('>_img src=x onerror=alert(1)_.png</a>')
    expect(html).toContain('>passwd</a>')
    expect(html).toContain('text/plain · 10 bytes')
    expect(html).toContain('Cc: alex@customer.test')
    const thumbnails = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1])
    expect(thumbnails).toHaveLength(1)
    expect(thumbnails[0]).toMatch(new RegExp(`^/cases/${caseId}/attachments/[0-9a-f-]{36}\\?inline=1$`))
  })

  it("shows a PDF letter's text folded under its name, and nothing for another org's user", async () => {
    const raw = new Uint8Array(readFileSync('test/fixtures/intake-eval/main/legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml'))
    const { html } = await thread(raw)
    expect(html).toMatch(/<details><summary>Read the text of 2026-10-06_Schreiben_Northwind_412-26_BR07\.pdf<\/summary>/)
    expect(html).toContain('Sabine Kötter')
    expect(html).toContain('Cc: legal@northwind.example')

    const stranger = await seedOrg(db)
    const other = await seedUser(db, stranger.id, 'admin')
    const copy = Buffer.from(raw)
      .toString('latin1')
      .replace(/^Message-ID:.*$/im, `Message-ID: <${randomBytes(6).toString('hex')}@x.test>`)
    const seen = await thread(new Uint8Array(Buffer.from(copy, 'latin1')), {
      id: other.id,
      orgId: stranger.id,
      email: other.email,
      name: 'Other',
      role: 'admin',
    } as SessionUser)
    expect(seen.html).not.toContain('Sabine')
    expect(seen.html).not.toContain('attachment')
  })
})
