import { describe, expect, it } from 'vitest'
import { htmlToText } from '../../src/intake/html-text.ts'
import { parseMime } from '../../src/intake/parse.ts'
import { corpusDir, fixturesDir, readBytes } from './mail-helpers.ts'

async function parsed(path: string) {
  const result = await parseMime(readBytes(path))
  if (!result.ok) throw new Error(result.reason)
  return result.mail
}

describe('parseMime', () => {
  it('keeps Message-IDs without angle brackets and reads the sender', async () => {
    const mail = await parsed(`${fixturesDir}corpus/complex-forward-anonymized.eml`)
    expect(mail.messageId).toBe('PSAPR06MB4007CBF69BCF98EEE3B726E79C90A@PSAPR06MB4007.apcprd06.prod.outlook.com')
    expect(mail.from).toEqual({ email: 'flo.b@anonymized.com', name: 'Flo Beta' })
    expect(mail.deliveredTo).toEqual(['florian.m@anonymized.com'])
    expect(mail.subject).toBe('RE: Tr: Fwd: on va tester les forward avec contenu')
  })

  it('lists In-Reply-To and every References id', async () => {
    const mail = await parsed(`${corpusDir}replies/mail-gem/raw_email_reply.eml`)
    expect(mail.inReplyTo).not.toMatch(/[<>]/)
    expect(mail.references.length).toBeGreaterThan(0)
    for (const id of mail.references) expect(id).not.toMatch(/[<>\s]/)
  })

  it('parses an attached message as a message of its own', async () => {
    const mail = await parsed(`${fixturesDir}corpus/flanker-enclosed.eml`)
    expect(mail.attachments).toEqual([{ filename: 'thanks.eml', mimeType: 'message/rfc822', size: expect.any(Number), isMessage: true }])
    expect(mail.attachedMessages).toHaveLength(1)
    expect(mail.attachedMessages[0]!.from).toEqual({ email: 'dan@example.com', name: 'Kirk Douglas' })
    expect(mail.attachedMessages[0]!.subject).toBe('Thanks!')
  })

  it('lists a PDF attachment with its name, type and size', async () => {
    const mail = await parsed(`${fixturesDir}synthetic/lawyer-letter-pdf.eml`)
    expect(mail.attachments).toEqual([
      { filename: 'Letter_to_Example_Inc_re_Rivera.pdf', mimeType: 'application/pdf', size: expect.any(Number), isMessage: false },
    ])
    expect(mail.attachments[0]!.size).toBeGreaterThan(100)
  })

  it('turns an HTML-only message into readable text, without its script or style', async () => {
    const mail = await parsed(`${fixturesDir}synthetic/html-only-forward.eml`)
    expect(mail.html).toContain('<blockquote')
    expect(mail.text).not.toMatch(/alert|margin|<\/?(?:div|p|br|script|style|strong|span|a|blockquote)\b/)
    expect(mail.text).toContain('Please correct it & send a credit note.')
    expect(mail.text.split('\n')).toEqual(
      expect.arrayContaining(['---------- Forwarded message ---------', 'Subject: Billing error on invoice 2026-0031']),
    )
  })
})

describe('htmlToText', () => {
  it('keeps paragraphs apart and line breaks, table rows and quotes on their own lines', () => {
    const html =
      '<p>First</p><div>Second<br/>Third</div><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table><blockquote>quoted</blockquote>'
    expect(htmlToText(html)).toBe('First\n\nSecond\nThird\na b\nc\nquoted')
  })

  it('drops scripts, styles and comments, and decodes entities', () => {
    const html =
      '<style>.x{color:red}</style><script>steal()</script><!-- hidden --><p>Tom &amp; Jerry &lt;3 &#233;t&eacute; &#x1F600;&nbsp;ok</p>'
    expect(htmlToText(html)).toBe('Tom & Jerry <3 été 😀 ok')
  })

  it('treats source line breaks as spaces, like a browser', () => {
    expect(htmlToText('<p>one\n two\n\n three</p>')).toBe('one two three')
  })
})

describe("header values that become our reply's headers", () => {
  const parse = async (lines: string[]) => {
    const result = await parseMime(new TextEncoder().encode([...lines, 'Content-Type: text/plain', '', 'body', ''].join('\r\n')))
    if (!result.ok) throw new Error(result.reason)
    return result.mail
  }

  it('turns a CR/LF decoded from an encoded word into a space, and drops other control characters, in the subject', async () => {
    const mail = await parse([
      'From: a@customer.test',
      'Subject: =?utf-8?Q?Refund_please=0D=0ABcc:_spy@attacker.test?= =?utf-8?Q?and=07_=1B[31mmore=09tabs?=',
    ])
    expect(mail.subject).toBe('Refund please Bcc: spy@attacker.testand [31mmore tabs')
    expect(mail.subject).not.toMatch(/[\x00-\x1f\x7f]/)
  })

  it('keeps a subject to one header line (998 characters)', async () => {
    const mail = await parse(['From: a@customer.test', `Subject: ${'x'.repeat(5000)}`])
    expect(mail.subject).toHaveLength(998)
  })

  it('keeps only Message-IDs, In-Reply-To and References shaped like a msg-id', async () => {
    const mail = await parse([
      'From: a@customer.test',
      'Subject: ids',
      'Message-ID: =?utf-8?Q?<m1=0D=0ABcc:_spy@attacker.test>?=',
      'In-Reply-To: <no-at-sign>',
      'References: =?utf-8?Q?<r0@x=0D=0AX-Injected:_yes>?= <good.1@mail.example> <with space@x> <CA+Ok=Zz@mail.gmail.com>',
    ])
    expect(mail.messageId).toBeNull()
    expect(mail.inReplyTo).toBeNull()
    expect(mail.references).toEqual(['good.1@mail.example', 'CA+Ok=Zz@mail.gmail.com'])
  })
})
