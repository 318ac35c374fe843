import { describe, expect, it } from 'vitest'
import { rateSeverity, type SeverityFacts } from '../../src/intake/severity.ts'

// The handler's rubric, rule by rule, in the main European languages; every rating says why.

const rate = (text: string, facts: Partial<SeverityFacts> = {}) =>
  rateSeverity({
    text,
    lawyerLetter: false,
    lawsuitServed: false,
    bodyNotice: null,
    bodyComplaint: null,
    publicExposure: null,
    executive: null,
    ...facts,
  })

describe('SEV-1', () => {
  it.each([
    [
      'outage stopping a business',
      'Since 6am our booking portal is down, every request returns HTTP 503 and our 9 stores cannot take orders.',
    ],
    ['all staff locked out', 'None of our 22 staff can log in since your SSO change this morning.'],
    [
      'a B2B portal down, in German',
      'Das Händlerportal ist seit 7 Uhr nicht erreichbar (Fehler 502). Wir können weder bestellen noch Verfügbarkeiten prüfen.',
    ],
    ['another customer’s data shown', 'The app is showing me orders belonging to other customers, with their addresses.'],
    ['account takeover, in Spanish', 'Alguien ha entrado en mi cuenta y me han robado la cuenta: hay dos pedidos que no hice.'],
    ['data stolen, in Italian', 'Mi sembra evidente che i vostri dati siano stati rubati.'],
    ['a fire', 'The stove caught fire on the picnic table.'],
    ['a burn, in German', 'Mein Sohn hat sich an der Hand verbrannt, die Lampe war völlig überhitzt.'],
    ['a child injured, in French', 'La boucle a cédé et mon fils est tombé à l’eau, nous sommes allés aux urgences.'],
    ['an allergic reaction, in Dutch', 'Mijn dochter kreeg een allergische reactie en we moesten naar de huisartsenpost.'],
    ['a lawsuit filed', 'I have filed a small claims case against your company in the district court.'],
  ])('%s', (_label, text) => {
    const r = rate(text)
    expect(r.severity).toBe('SEV-1')
    expect(r.reasons[0]).toMatch(/operation is down|exposure|safety|lawsuit/)
  })

  it('a served lawsuit and a notice with SEV-1 facts stay SEV-1', () => {
    expect(rate('Please see the transmittal.', { lawsuitServed: true, lawyerLetter: true }).severity).toBe('SEV-1')
    expect(rate('The consumer reports burns to her hand.', { bodyNotice: 'BBB' }).severity).toBe('SEV-1')
  })
})

describe('SEV-2', () => {
  it.each([
    ['an explicit legal threat', 'If this is not fixed by Friday my lawyer will be in touch and I will take legal action.'],
    ['a lawyer, in German', 'Ich habe heute meinen Rechtsanwalt eingeschaltet.'],
    ['a creator’s audience', 'I run a channel with 310K subscribers and the episode goes up Sunday.'],
    ['an audience in French', 'Je partage mes randonnées sur Instagram (48 000 abonnés).'],
    ['a threat to go to the media', 'I will send the whole story to the consumer reporter at Channel 5.'],
    ['a threat of a public review', 'Otherwise I will leave a one-star review everywhere.'],
    ['a major feature broken for many', 'Every single one of our members gets "Payment could not be processed" at checkout.'],
  ])('%s', (_label, text) => {
    expect(rate(text).severity).toBe('SEV-2')
  })

  it('a notice, a lawyer’s letter and public exposure without SEV-1 facts are SEV-2', () => {
    expect(rate('Please respond within 14 days.', { bodyNotice: 'BBB Serving Oregon' }).severity).toBe('SEV-2')
    expect(rate('We demand a refund.', { lawyerLetter: true }).severity).toBe('SEV-2')
    expect(rate('Why is my refund late?', { publicExposure: 'a journalist’s inquiry' }).severity).toBe('SEV-2')
  })

  it('a business’s revenue at risk with churn is SEV-2 only when raised to an executive', () => {
    const text =
      'Our school’s account (about $38,000 a year) moves to another supplier unless the order is fixed; I will recommend we move the whole account.'
    expect(rate(text, { executive: 'Anna Berg' }).severity).toBe('SEV-2')
    expect(rate(text).severity).toBe('SEV-3')
  })
})

describe('SEV-3 and SEV-4', () => {
  it.each([
    ['a churn threat', 'If the refund is not here next week I’m cancelling my membership.'],
    ['a churn threat in Spanish', 'Quiero el reembolso y me doy de baja del club.'],
    ['a churn threat in German', 'Wenn das so weitergeht, kaufe ich bei Ihnen nichts mehr.'],
    ['degraded service with a workaround', 'The app crashes when I open my orders, but I can use the website for now.'],
  ])('%s is SEV-3', (_label, text) => {
    expect(rate(text).severity).toBe('SEV-3')
  })

  it('a complaint that reached an executive is SEV-3, and says whom it reached', () => {
    expect(rate('My boots leak.', { executive: 'Anna Berg' })).toEqual({ severity: 'SEV-3', reasons: ['the complaint reached Anna Berg'] })
  })

  it.each([
    ['a wrong colour', 'The daypack arrived in red instead of green. Could you swap it?'],
    ['moving house', 'I am moving to a new address next month, please update my order.'],
    ['a misdelivered parcel', 'I received someone else’s order instead of mine.'],
    [
      'a legal claim about rights, not an injury',
      'Sie haben damit mein Persönlichkeitsrecht verletzt, und ich bitte um Löschung meiner Daten.',
    ],
    ['an opinion, not a trial', 'A mi juicio el producto no cumple lo prometido.'],
  ])('%s is SEV-4', (_label, text) => {
    expect(rate(text)).toEqual({
      severity: 'SEV-4',
      reasons: ['a minor matter: no impact, safety, exposure, outage, legal, regulatory, public, churn or executive signal'],
    })
  })

  it('a past cancellation is no churn threat, but a charge after it is money lost', () => {
    const r = rate('I cancelled my membership in August and you charged me again in October. Please refund it.')
    expect(r.severity).toBe('SEV-3')
    expect(r.reasons).toEqual(["a complaint with real impact: money lost ('charged me again')"])
  })

  it('a phrase a client wrapped across lines still counts', () => {
    expect(rate('I will talk to my lawyer about taking legal\naction if this is not solved.').severity).toBe('SEV-2')
  })

  it('a threat to complain to a body is shown, but raises nothing by itself', () => {
    const r = rate('If my question is not answered I will file a complaint with the Better Business Bureau.')
    expect(r.severity).toBe('SEV-3')
    expect(r.reasons).toEqual(["threat to complain to a complaints body ('file a complaint with the Better Business Bureau')"])
  })

  it('reads a long hostile text in bounded time', () => {
    const started = performance.now()
    rate(`${'our stores '.repeat(20_000)}${'a'.repeat(200_000)}`)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('a review on a platform', () => {
  it('a lone review is public but not amplified: SEV-3, and says so', () => {
    const r = rate('Tent pole snapped on the first night. Support never answered. One star.', { publicReview: 'on Trustpilot' })
    expect(r.severity).toBe('SEV-3')
    expect(r.reasons).toContain('a lone public review (on Trustpilot), not amplified')
  })

  it('a review with injury facts is still SEV-1', () => {
    const r = rate('The lantern battery exploded in our tent and burned my son’s hand; we went to the ER.', { publicReview: 'on Google' })
    expect(r.severity).toBe('SEV-1')
  })
})
