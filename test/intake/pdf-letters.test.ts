// Letters attached as PDFs are read (src/intake/pdf-text.ts): the notice and counsel readers see
// the letter's text after the mail's own words, and a PDF that cannot be read adds nothing and
// loses nothing.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { parseMime } from '../../src/intake/parse.ts'
import { evalRoot, northwind } from '../eval/intake-eval.ts'
import { orgContext } from '../../src/intake/org-context.ts'

const org = orgContext(northwind)
const eml = (path: string) => new Uint8Array(readFileSync(`${evalRoot}${path}`))

function withPdf(pdf: Uint8Array, body: string): Uint8Array {
  const b64 = Buffer.from(pdf).toString('base64').replace(/.{76}/g, '$&\r\n')
  const lines = [
    'From: Kancelaria Adwokacka Nowak <biuro@kancelaria-nowak.example>',
    'To: escalations@northwind.example',
    'Subject: Pismo w sprawie klienta',
    'Date: Mon, 02 Nov 2026 10:00:00 +0100',
    'Message-ID: <pdf-letter-test@kancelaria-nowak.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '--b',
    'Content-Type: application/pdf; name=pismo.pdf',
    'Content-Disposition: attachment; filename=pismo.pdf',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '--b--',
    '',
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}

describe('letters attached as PDFs', () => {
  it("gives the parsed mail the letter's text", async () => {
    const parsed = await parseMime(eml('main/legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml'))
    expect(parsed.ok).toBe(true)
    const letters = parsed.ok ? [parsed.mail, ...parsed.mail.attachedMessages].flatMap((m) => m.letters) : []
    expect(letters).toHaveLength(1)
    expect(letters[0]!.text).toMatch(/Sabine Kötter/)
  })

  it("counsel's client is named in full from the letter, and the reason says so", async () => {
    const a = await analyzeMessage(eml('main/legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml'), org)
    if (!a.ok) throw new Error(a.reason)
    expect(a.summary.source).toBe('lawyer')
    expect(a.summary.customer).toEqual({ name: 'Sabine Kötter', email: null })
    expect(a.summary.reasons.customer[0]).toMatch(/in the attached letter/)
  })

  it('a PDF that is not one (or is broken) adds no text and the message is still read', async () => {
    const garbage = new TextEncoder().encode('%PDF-1.7\n' + 'x'.repeat(5000) + '\n%%EOF')
    const raw = withPdf(garbage, 'Szanowni Państwo,\n\nw załączeniu pismo.\n\nAdw. Jan Nowak')
    const parsed = await parseMime(raw)
    expect(parsed.ok && parsed.mail.letters).toEqual([])
    const a = await analyzeMessage(raw, org)
    expect(a.ok).toBe(true)
  })
})
