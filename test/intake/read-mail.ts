// Mail as senders write it, read by intake for an invented org (Fjellstad Gear, a Norwegian-
// German outdoor shop). Nothing here is copied from the evaluation set: these are the tests'
// own messages, marked synthetic.
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { orgContext } from '../../src/intake/org-context.ts'

export const fjellstad = orgContext({
  name: 'Fjellstad Gear',
  inboundAddresses: ['desk@fjellstad.example'],
  domains: ['fjellstad.example', 'fjellstad.de'],
  teamAddresses: ['ola.nordmann@fjellstad.example', 'kari@fjellstad.example'],
  executives: [{ email: 'anna.berg@fjellstad.example', name: 'Anna Berg', title: 'CEO' }],
})

type Letter = {
  from: string
  subject: string
  body: string
  to?: string
  date?: string
  headers?: string[]
  contentType?: string
}

let counter = 0

/** One RFC 5322 message with CRLF line ends, the way a client sends it. */
export function letter(l: Letter): Uint8Array {
  const lines = [
    `From: ${l.from}`,
    `To: ${l.to ?? 'desk@fjellstad.example'}`,
    `Subject: ${l.subject}`,
    `Date: ${l.date ?? 'Tue, 10 Nov 2026 09:15:00 +0100'}`,
    `Message-ID: <t${++counter}.${Math.random().toString(36).slice(2)}@test.example>`,
    'X-Synthetic: true',
    ...(l.headers ?? []),
    'MIME-Version: 1.0',
    `Content-Type: ${l.contentType ?? 'text/plain; charset=utf-8'}`,
    'Content-Transfer-Encoding: 8bit',
    '',
    l.body.replace(/\r?\n/g, '\r\n'),
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}

export async function read(raw: Uint8Array, org = fjellstad) {
  const analysis = await analyzeMessage(raw, org)
  if (!analysis.ok) throw new Error(analysis.reason)
  return { ...analysis.summary, classification: analysis.classification, unwrapped: analysis.unwrapped }
}

/** A cover mail with a letter attached as PDF, the way a body or a firm sends one. */
export function withPdf(l: Letter & { pdfName: string }): Uint8Array {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64')
  return letter({
    ...l,
    contentType: 'multipart/mixed; boundary="cover-1"',
    body: [
      '--cover-1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      l.body,
      '--cover-1',
      `Content-Type: application/pdf; name="${l.pdfName}"`,
      `Content-Disposition: attachment; filename="${l.pdfName}"`,
      'Content-Transfer-Encoding: base64',
      '',
      pdf,
      '--cover-1--',
      '',
    ].join('\n'),
  })
}
