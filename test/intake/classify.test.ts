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
  it('a BBB complaint notification is bbb, SEV-2, with the complaint number as reference', async () => {
    const c = await analyzeSynthetic('bbb-complaint-notification.eml')
    expect(c).toMatchObject({ source: 'bbb', externalRef: 'BBB-18834521', severity: 'SEV-2', type: 'business' })
    expect(c.sourceReasons).toContain('BBB complaint notification from bbb.org')
    expect(c.severityReasons).toContain('BBB complaint')
  })

  it('a differently worded BBB notice forwarded by the CEO stays bbb and says who forwarded it', async () => {
    const c = await analyzeSynthetic('bbb-complaint-forwarded-by-ceo.eml')
    expect(c).toMatchObject({ source: 'bbb', externalRef: 'BBB-50917736', severity: 'SEV-2', forwardedBy: ['ceo@example.com'] })
    expect(c.customer.email).toBe('complaints@cbbb.bbb.org')
    expect(c.sourceReasons).toEqual(expect.arrayContaining(['BBB complaint notification from cbbb.bbb.org', 'forwarded by executive ceo@example.com']))
  })

  it('a law-firm letter in the body is lawyer, SEV-2, compliance, with the firm’s own reference', async () => {
    const c = await analyzeSynthetic('lawyer-letter-inline.eml')
    expect(c).toMatchObject({ source: 'lawyer', externalRef: 'WH-2026-0117', severity: 'SEV-2', type: 'compliance' })
    expect(c.sourceReasons).toEqual(expect.arrayContaining(["mentions 'cease and desist'", "mentions 'on behalf of our client'"]))
    expect(c.severityReasons).toContain("legal threat ('cease and desist')")
  })

  it('a short cover note with the letter as a PDF is lawyer, with the matter number', async () => {
    const c = await analyzeSynthetic('lawyer-letter-pdf.eml')
    expect(c).toMatchObject({ source: 'lawyer', externalRef: 'BR-4471', severity: 'SEV-2' })
    expect(c.sourceReasons).toContain("PDF attachment 'Letter_to_Example_Inc_re_Rivera.pdf'")
  })

  it('a state attorney general’s referral is regulator, SEV-1, with the file number', async () => {
    const c = await analyzeSynthetic('regulator-state-ag.eml')
    expect(c).toMatchObject({ source: 'regulator', externalRef: 'CP-2026-004512', severity: 'SEV-1', type: 'compliance' })
    expect(c.severityReasons[0]).toMatch(/^regulator action: letter from 'OFFICE OF THE ATTORNEY GENERAL'/)
  })

  it('a going-viral threat forwarded by the CEO is social, SEV-2, and the customer is the poster', async () => {
    const c = await analyzeSynthetic('social-threat-ceo-forward.eml')
    expect(c).toMatchObject({ source: 'social', severity: 'SEV-2', forwardedBy: ['ceo@example.com'] })
    expect(c.customer).toEqual({ email: 'dana.whitfield@example.net', name: 'Dana Whitfield' })
    expect(c.sourceReasons).toContain('forwarded by executive ceo@example.com')
    expect(c.severityReasons).toContain("media or public threat ('going viral')")
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
    expect(c.severityReasons[0]).toMatch(/^executive escalation with churn \('will not renew'\) and revenue/)
  })

  it('a forward that exists only as HTML still finds the customer', async () => {
    const c = await analyzeSynthetic('html-only-forward.eml')
    expect(c).toMatchObject({ source: 'ceo_inbox', severity: 'SEV-3', customer: { email: 'lena.fischer@example.de', name: 'Lena Fischer' } })
    expect(c.subject).toBe('Billing error on invoice 2026-0031')
  })

  it('a plain complaint is direct and SEV-4, and says why', async () => {
    const c = await analyzeSynthetic('direct-complaint.eml')
    expect(c).toMatchObject({ source: 'direct', severity: 'SEV-4', externalRef: null, forwardedBy: [] })
    expect(c.severityReasons).toEqual(['no safety, legal, regulatory, media, churn or executive signals'])
  })

  it('a customer threatening the BBB and a lawyer is still direct mail, but SEV-2', async () => {
    const c = await analyzeSynthetic('direct-threat.eml')
    expect(c).toMatchObject({ source: 'direct', severity: 'SEV-2', externalRef: null })
    expect(c.severityReasons).toEqual(["legal threat ('my lawyer')", "regulatory threat ('Better Business Bureau')"])
  })
})
