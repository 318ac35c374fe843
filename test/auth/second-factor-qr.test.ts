import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QR_MARGIN, totpQrSvg } from '../../src/auth/second-factor-qr.ts'
import type { Db } from '../../src/db.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// The TOTP enrolment's QR code. No QR decoder is installed here, so the test reads the drawing
// back into modules and checks it is exactly the symbol the qrcode package encodes for the URI
// the page links (a different URI draws a different symbol), and that the page stays within
// its CSP: no script, no style attribute, the stylesheet under the request's nonce.

/** The dark modules an SVG of totpQrSvg draws, read back from its path, row by row. */
function modulesDrawn(svg: string): boolean[][] {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1])
  const size = side - 2 * QR_MARGIN
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false))
  const d = /<path fill="#000000" d="([^"]*)"/.exec(svg)![1]!
  for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g))
    for (let i = 0; i < Number(w); i++) grid[Number(y) - QR_MARGIN]![Number(x) - QR_MARGIN + i] = true
  expect(d.replace(/M(\d+) (\d+)h(\d+)v1h-\3z/g, '')).toBe('') // nothing but runs
  return grid
}

/** The symbol the qrcode package makes for the text, row by row. */
function symbolOf(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  return Array.from({ length: modules.size }, (_, y) => Array.from({ length: modules.size }, (_, x) => modules.get(x, y) === 1))
}

describe('TOTP enrolment QR code', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(2)
  })
  afterAll(() => db.end())

  it('the enrolment page draws the otpauth URI it links as an inline SVG with a text alternative, within the CSP', async () => {
    const org = await seedOrg(db, { name: 'Acme & <Sons>' })
    const user = { ...(await seedUser(db, org.id, 'agent')), orgId: org.id }
    const res = await createTestApp(db).request('/second-factor/totp', formPost({}, { cookie: await sessionCookie(db, user) }))
    expect(res.status).toBe(200)
    const page = await res.text()
    const uri = /<a href="(otpauth:\/\/totp\/[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&')
    const secret = /id="totp-secret" type="text" readonly="" value="([A-Z2-7]+)"/.exec(page)![1]!
    expect(new URL(uri).searchParams.get('secret')).toBe(secret)

    const svg = /<svg[^>]*id="totp-qr"[\s\S]*?<\/svg>/.exec(page)![0]
    expect(modulesDrawn(svg)).toEqual(symbolOf(uri))
    expect(modulesDrawn(svg)).not.toEqual(symbolOf(uri.replace(secret, 'A'.repeat(secret.length))))
    expect(svg).toMatch(/role="img" aria-labelledby="totp-qr-title"/)
    expect(svg).toMatch(/<title id="totp-qr-title">QR code of the authenticator link below/)
    // The key and the link stay as text beside it, for whoever cannot scan.
    expect(page.indexOf('id="totp-qr"')).toBeLessThan(page.indexOf('id="totp-secret"'))

    expect(svg).not.toMatch(/style=|<script|on[a-z]+=/i)
    const csp = res.headers.get('content-security-policy')!
    expect(csp).not.toContain('unsafe-inline')
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)![1]!
    expect(page).toContain(`<style nonce="${nonce}">.totp-qr-figure`)
    expect(page.match(/<style(?![^>]*nonce=)/g)).toBeNull()
  })

  it('draws any URI it is given exactly, with a 4-module quiet zone and an escaped title', () => {
    for (const uri of ['otpauth://totp/a?secret=JBSWY3DPEHPK3PXP', `otpauth://totp/${'x'.repeat(300)}?secret=JBSWY3DPEHPK3PXP`]) {
      const svg = totpQrSvg(uri, 'A <b>title</b> & more')
      expect(modulesDrawn(svg)).toEqual(symbolOf(uri))
      expect(svg).toContain(`viewBox="0 0 ${symbolOf(uri).length + 8} ${symbolOf(uri).length + 8}"`)
      expect(svg).toContain('<title id="totp-qr-title">A &lt;b&gt;title&lt;/b&gt; &amp; more</title>')
    }
  })
})
