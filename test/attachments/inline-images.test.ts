// A message's HTML shows its own inline images (cid:), from the stored parts, as data: URIs in
// the sanitized frame: only bytes that are PNG, JPEG, GIF or WebP, never SVG whatever the part
// declares, never a remote image, never another message's part.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testAnalysis } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')

/** An Apple Mail message with a signature logo, a screenshot and a disguised SVG, all inline. */
function appleMail(): Uint8Array {
  const b64 = (b: Buffer) => b.toString('base64')
  return new TextEncoder().encode(
    [
      'From: Mateus Oliveira <mateus@cliente.com.br>',
      'To: escalations@example.com',
      'Subject: Cobrança indevida — veja o print',
      'Date: Tue, 01 Dec 2026 10:02:11 -0300',
      `Message-ID: <${randomBytes(8).toString('hex')}@cliente.com.br>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; type="text/html"; boundary="Apple-Mail=_R"',
      '',
      '--Apple-Mail=_R',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><p>Fui cobrado duas vezes. Veja:</p><img src="cid:Print-1@cliente.com.br" alt="print">',
      '<img src="cid:hidden@cliente.com.br" alt="svg"><img src="https://tracker.example/pixel.gif">',
      '<p>--<br><img src="cid:logo%40cliente.com.br" alt="logo"></p></body></html>',
      '--Apple-Mail=_R',
      'Content-Type: image/png; name="print.png"',
      'Content-Disposition: inline; filename="print.png"',
      'Content-ID: <Print-1@cliente.com.br>',
      'Content-Transfer-Encoding: base64',
      '',
      b64(png),
      '--Apple-Mail=_R',
      'Content-Type: image/png; name="logo.png"',
      'Content-Disposition: inline; filename="logo.png"',
      'Content-ID: <logo@cliente.com.br>',
      'Content-Transfer-Encoding: base64',
      '',
      b64(png),
      '--Apple-Mail=_R',
      'Content-Type: image/png; name="hidden.png"',
      'Content-Disposition: inline; filename="hidden.png"',
      'Content-ID: <hidden@cliente.com.br>',
      'Content-Transfer-Encoding: base64',
      '',
      b64(svg),
      '--Apple-Mail=_R--',
      '',
    ].join('\r\n'),
  )
}

describe("inline images in a message's sanitized frame", () => {
  let db: Db
  let org: Org
  let cookie: string
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const user = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: user.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('shows the message’s own PNGs by Content-ID, and nothing that is not an image of it', async () => {
    const outcome = await ingestMessage(db, { orgId: org.id, raw: appleMail(), provider: 'test', analyze: testAnalysis.analyze })
    expect(outcome.status).toBe('created')
    const [m] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ caseId: string; id: string }[]>`
      select m.case_id as "caseId", m.id from messages m join cases c on c.id = m.case_id where 'ESC-' || c.number = ${outcome.case}`,
    )
    const res = await createTestApp(db).request(`/cases/${m!.caseId}/messages/${m!.id}/html`, { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain('img-src data:')
    const html = await res.text()
    const dataPng = `data:image/png;base64,${png.toString('base64')}`
    // The screenshot and the logo (its cid: URL-encoded, as RFC 2392 writes it) are shown.
    expect(html.split(dataPng).length - 1).toBe(2)
    expect(html).toContain('alt="print"')
    expect(html).toContain('alt="logo"')
    // The part that declares PNG but holds SVG, and the remote pixel, are dropped.
    expect(html).not.toContain('alt="svg"')
    expect(html).not.toContain('PHN2Zy')
    expect(html).not.toContain('tracker.example')
  })
})
