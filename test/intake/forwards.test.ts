import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { buildEml, corpusDir, org, readBytes, readJson } from './mail-helpers.ts'

type Box = { address: string | null; name: string | null }
type CrispCase = {
  case_id: string
  body_file: string
  subject_file: string | null
  expected: { forwarded: boolean; from?: Box; subject?: string }
  asserted_fields: string[]
}
type EmlCase = { file: string; expected_original_sender: { address: string; name?: string | null }; expected_original_subject?: string }

const crispDir = `${corpusDir}forwards/crisp-inline/`
const crisp = readJson<{ cases: CrispCase[] }>(`${crispDir}cases.json`).cases
const forwarder = { email: 'ops.lead@example.com', header: 'Sam Ops <ops.lead@example.com>' }

async function analyzeCrisp(c: CrispCase) {
  const body = readFileSync(`${crispDir}fixtures/${c.body_file}`, 'utf8')
  const subject = c.subject_file ? readFileSync(`${crispDir}fixtures/${c.subject_file}`, 'utf8').trim() : 'Fwd: something'
  const result = await analyzeMessage(buildEml({ from: forwarder.header, subject, body }), org)
  if (!result.ok) throw new Error(`${c.case_id}: ${result.reason}`)
  return result.summary
}

describe('inline forwards from email-forward-parser’s fixtures, sent as real messages', () => {
  it('covers all 149 upstream cases', () => {
    expect(crisp).toHaveLength(149)
  })

  it.each(crisp.filter((c) => c.expected.forwarded).map((c) => [c.case_id, c] as const))(
    '%s: the customer is the original sender, the forwarder is recorded',
    async (_id, c) => {
      const summary = await analyzeCrisp(c)
      const from = c.expected.from!
      if (from.address) expect(summary.customer.email).toBe(from.address)
      else expect(summary.customer).toEqual({ email: null, name: from.name })
      if (from.address && from.name) expect(summary.customer.name).toBe(from.name)
      expect(summary.forwardedBy).toEqual([forwarder.email])
      if (c.asserted_fields.includes('subject')) expect(summary.subject).toBe(c.expected.subject)
    },
  )

  it.each(crisp.filter((c) => !c.expected.forwarded).map((c) => [c.case_id, c] as const))(
    '%s: a reply is not a forward, the sender stays the customer',
    async (_id, c) => {
      const summary = await analyzeCrisp(c)
      expect(summary.customer.email).toBe(forwarder.email)
      expect(summary.forwardedBy).toEqual([])
    },
  )
})

describe('real forwarded messages', () => {
  for (const folder of ['eml-inline', 'eml-attached']) {
    const dir = `${corpusDir}forwards/${folder}/`
    const cases = readJson<{ cases: EmlCase[] }>(`${dir}expectations.json`).cases
    it.each(cases.map((c) => [c.file, c] as const))(`${folder}/%s: the customer is the original sender`, async (_file, c) => {
      const result = await analyzeMessage(readBytes(dir + c.file), org)
      if (!result.ok) throw new Error(result.reason)
      const expected = c.expected_original_sender
      expect(result.summary.customer.email).toBe(expected.address)
      if (expected.name) expect(result.summary.customer.name).toBe(expected.name)
      if (c.expected_original_subject) expect(result.summary.subject).toBe(c.expected_original_subject)
    })
  }

  it('follows a five-message chain through French Outlook headers with empty values and a GMX-style block', async () => {
    const result = await analyzeMessage(readBytes(`${corpusDir}forwards/eml-inline/complex-forward-anonymized.eml`), org)
    if (!result.ok) throw new Error(result.reason)
    expect(result.summary.customer.email).toBe('florian.m@anonymized.com')
    expect(result.summary.forwardedBy[0]).toBe('flo.b@anonymized.com')
    expect(result.summary.forwardedBy).toContain('yodjj@anonymized.com')
    expect(result.summary.subject).toBe('on va tester les forward avec contenu')
    expect(result.unwrapped.text).toMatch(/^Hello\. tu me foward ca/)
    expect(result.unwrapped.note).toMatch(/^Dernier message du moment/)
  })

  it('keeps the attached original’s Message-ID, so a reply can join the customer’s thread', async () => {
    const result = await analyzeMessage(readBytes(`${corpusDir}forwards/eml-attached/flanker-enclosed.eml`), org)
    if (!result.ok) throw new Error(result.reason)
    expect(result.unwrapped.originalMessageId).toBe('BANLkTinHZL1QMDHOv7Ewp+Z5u6SPvYcc+Q@mail.gmail.com')
    expect(result.summary).toMatchObject({
      subject: 'Thanks!',
      forwardedBy: ['bob@example.net'],
      messageId: '4FEEF9B3.7060508@example.net',
    })
  })

  it.each(['postal-mime/bounce.eml', 'flanker/bounce/office365.eml'])(
    'does not treat the message returned in a bounce (%s) as a forward, nor its sender as a customer',
    async (file) => {
      const result = await analyzeMessage(readBytes(`${corpusDir}mime-edge/${file}`), org)
      if (!result.ok) throw new Error(result.reason)
      expect(result.unwrapped.depth).toBe(0)
      expect(result.unwrapped.customer?.email).toBe(result.mail.from?.email)
      expect(result.summary.forwardedBy).toEqual([])
      // A delivery report is not an escalation, and MAILER-DAEMON/postmaster is nobody's customer.
      expect(result.summary).toMatchObject({ isEscalation: false, customer: { email: null } })
    },
  )
})
