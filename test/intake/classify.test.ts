import { describe, expect, it } from 'vitest'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { fixturesDir, org, readBytes } from './mail-helpers.ts'

async function analyzeSynthetic(name: string) {
  const raw = readBytes(`${fixturesDir}synthetic/${name}`)
  expect(new TextDecoder().decode(raw)).toMatch(/^X-Synthetic: true$/m)
  const result = await analyzeMessage(raw, org)
  if (!result.ok) throw new Error(`${name}: ${result.reason}`)
  return { ...result.summary, type: result.classification.type, sourceReasons: result.classification.sourceReasons }
}

describe('classifying escalations (synthetic samples written by the team)', () => {
  it('a BBB complaint notification is bbb, SEV-2, with the complaint number as reference and the consumer as customer', async () => {
    const c = await analyzeSynthetic('bbb-complaint-notification.eml')
    expect(c).toMatchObject({
      source: 'bbb',
      externalRef: 'BBB-18834521',
      severity: 'SEV-2',
      type: 'business',
      channel: { kind: 'bbb' },
      customer: { name: 'Patricia Gomez', email: null },
    })
    expect(c.sourceReasons).toContain("BBB notice: sent from bbb.org, the BBB's domain")
    expect(c.severityReasons).toContain("a complaints body's notice (BBB Complaints)")
  })

  it('a differently worded BBB notice forwarded by the CEO stays bbb and says who forwarded it', async () => {
    const c = await analyzeSynthetic('bbb-complaint-forwarded-by-ceo.eml')
    expect(c).toMatchObject({ source: 'bbb', externalRef: 'BBB-50917736', severity: 'SEV-2', forwardedBy: ['ceo@example.com'] })
    // The notice names no consumer: no customer address, and never the BBB's own address; the
    // BBB's reply address is the channel's.
    expect(c.customer).toEqual({ email: null, name: null })
    expect(c.channel).toEqual({ kind: 'bbb', name: 'Better Business Bureau', email: 'complaints@cbbb.bbb.org' })
    expect(c.sourceReasons).toEqual(
      expect.arrayContaining([
        "BBB notice: sent from cbbb.bbb.org, the BBB's domain",
        'reached executive ceo@example.com: ceo@example.com is on the executives list',
      ]),
    )
  })

  it('a law-firm letter in the body is lawyer, SEV-2, compliance, with the firm’s own reference', async () => {
    const c = await analyzeSynthetic('lawyer-letter-inline.eml')
    expect(c).toMatchObject({
      source: 'lawyer',
      externalRef: 'WH-2026-0117',
      severity: 'SEV-2',
      type: 'compliance',
      customer: { name: 'Sofia Lindqvist', email: null },
    })
    expect(c.channel).toMatchObject({ kind: 'counsel', name: 'WHITAKER HALES LLP', email: 'jwhitaker@whitakerhaleslaw.example' })
    expect(c.sourceReasons).toEqual(expect.arrayContaining(["counsel writes 'on behalf of our client,'", "law-firm wording 'LLP'"]))
    expect(c.severityReasons).toContain("a lawyer's letter")
  })

  it('a short cover note with the letter as a PDF is lawyer, with the matter number', async () => {
    const c = await analyzeSynthetic('lawyer-letter-pdf.eml')
    expect(c).toMatchObject({
      source: 'lawyer',
      externalRef: 'BR-4471',
      severity: 'SEV-2',
      customer: { name: 'Daniel Rivera', email: null },
    })
    expect(c.sourceReasons).toContain("letter attached as 'Letter_to_Example_Inc_re_Rivera.pdf'")
  })

  // The rubric makes a regulator's notice without SEV-1 facts SEV-2 (it used to be SEV-1).
  it('a state attorney general’s referral is regulator, SEV-2, with the file number and the complainant', async () => {
    const c = await analyzeSynthetic('regulator-state-ag.eml')
    expect(c).toMatchObject({
      source: 'regulator',
      externalRef: 'CP-2026-004512',
      severity: 'SEV-2',
      type: 'compliance',
      channel: { kind: 'attorney_general' },
      customer: { name: 'Harold Jennings', email: null },
    })
    expect(c.sourceReasons[0]).toBe("attorney general notice: letterhead 'OFFICE OF THE ATTORNEY GENERAL'")
    expect(c.severityReasons[0]).toMatch(/^a complaints body's notice/)
  })

  it('a going-viral threat forwarded by the CEO is social, SEV-2, and the customer is the poster', async () => {
    const c = await analyzeSynthetic('social-threat-ceo-forward.eml')
    expect(c).toMatchObject({ source: 'social', severity: 'SEV-2', forwardedBy: ['ceo@example.com'] })
    expect(c.customer).toEqual({ email: 'dana.whitfield@example.net', name: 'Dana Whitfield' })
    expect(c.sourceReasons).toContain('reached executive ceo@example.com: ceo@example.com is on the executives list')
    expect(c.severityReasons).toContain("public exposure or media threat ('going viral')")
  })

  it('customer → CEO → assistant → desk: the customer is the original sender and both forwarders are kept', async () => {
    const c = await analyzeSynthetic('double-forward-ceo-assistant.eml')
    expect(c).toMatchObject({
      source: 'ceo_inbox',
      customer: { email: 'rchen@bigcorp.example', name: 'Robert Chen' },
      forwardedBy: ['assistant@example.com', 'ceo@example.com'],
      subject: 'Third outage this month - reconsidering our renewal',
      severity: 'SEV-2',
      externalRef: null,
    })
    expect(c.severityReasons).toContain("a business's revenue at risk ('$480,000') with a churn threat ('not renew') raised to Alex Morgan")
  })

  it('a forward that exists only as HTML still finds the customer', async () => {
    const c = await analyzeSynthetic('html-only-forward.eml')
    expect(c).toMatchObject({
      source: 'ceo_inbox',
      severity: 'SEV-3',
      customer: { email: 'lena.fischer@example.de', name: 'Lena Fischer' },
    })
    expect(c.subject).toBe('Billing error on invoice 2026-0031')
  })

  it('a plain complaint is direct and SEV-4, and says why', async () => {
    const c = await analyzeSynthetic('direct-complaint.eml')
    expect(c).toMatchObject({ source: 'direct', severity: 'SEV-4', externalRef: null, forwardedBy: [] })
    expect(c.severityReasons).toEqual([
      'a minor matter: no impact, safety, exposure, outage, legal, regulatory, public, churn or executive signal',
    ])
  })

  // The rubric raises a legal threat to SEV-2; a threat to complain to the BBB is shown but raises nothing by itself.
  it('a customer threatening the BBB and a lawyer is still direct mail, but SEV-2', async () => {
    const c = await analyzeSynthetic('direct-threat.eml')
    expect(c).toMatchObject({ source: 'direct', severity: 'SEV-2', externalRef: null })
    expect(c.severityReasons).toEqual([
      "legal threat ('legal action')",
      "threat to complain to a complaints body ('file a complaint with the Better Business Bureau')",
      "a complaint with real impact: money lost ('Still no')",
    ])
  })
})
