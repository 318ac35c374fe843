import { describe, expect, it } from 'vitest'
import { parseQuotedDate } from '../../src/intake/dates.ts'
import { findReference } from '../../src/intake/references.ts'

describe('references as senders write them', () => {
  it.each([
    ['Our Ref: KL/2026/0042', 'KL/2026/0042'],
    ['Our reference: HX-55102-Q', 'HX-55102-Q'],
    ['Re: Our File No. 26-1187 - warranty demand', '26-1187'],
    ['Matter No. 2026-0233', '2026-0233'],
    ['Case #40991822', '40991822'],
    ['Complaint ID: 3318-2201', '3318-2201'],
    ['Reference number: FOS-7710032', 'FOS-7710032'],
    ['Unser Az.: 118/26 KH02', '118/26 KH02'],
    ['Aktenzeichen Gericht: 3 O 2217/26', '3 O 2217/26'],
    ['Az. SV 0991/26 - Schlichtungsantrag', 'SV 0991/26'],
    ['Réf. : 2026/1140/MB – Aff. DUPONT', '2026/1140/MB'],
    ['N/Réf. LYO/26/0077', 'LYO/26/0077'],
    ['N/Ref.: 2026/311-JG', '2026/311-JG'],
    ['Ns. Rif.: 77/2026/PT', '77/2026/PT'],
    ['Referencia de nuestro despacho: Expte. 26/1102. Quedamos', '26/1102'],
    ['Expediente N.º: EXP202700121', 'EXP202700121'],
    ['Fascicolo n. 209913', '209913'],
    ['Dossiernummer: 2026/118803', '2026/118803'],
    ['Plainte n° 26-220014', '26-220014'],
  ])('%s → %s', (text, value) => {
    expect(findReference([text], 'notice')?.value).toBe(value)
  })

  it('“Your ref” is our own reference quoted back, never theirs', () => {
    expect(findReference(['Your reference: CS-4410\nOur reference: PR/26/9'], 'notice')?.value).toBe('PR/26/9')
    expect(findReference(['Ihr Zeichen: NW-771\nUnser Zeichen: 2231-26/AB'], 'counsel')?.value).toBe('2231-26/AB')
    expect(findReference(['Your ref: B2B-20931'], 'notice')).toBeNull()
  })

  it('order, invoice and ticket numbers are never references', () => {
    expect(findReference(['Order No. NW-4471920, invoice INV-2210, ticket CS-99812'], 'notice')).toBeNull()
    expect(findReference(['I chatted with support (case CS-90142) and have the confirmation, reference CXL-88213.'], 'customer')).toBeNull()
  })

  it('a customer’s own mail carries a body’s complaint number or a court’s case number, prefixed for the BBB', () => {
    expect(
      findReference(['I filed a complaint with the Better Business Bureau, my confirmation number is 31177420.'], 'customer')?.value,
    ).toBe('BBB-31177420')
    expect(
      findReference(['I filed a small claims case in King County District Court (case number 26-2-11093-2 SEA).'], 'customer')?.value,
    ).toBe('26-2-11093-2 SEA')
  })
})

describe('quoted dates as clients write them', () => {
  it.each([
    ['Fri, Oct 30, 2026 at 7:55 AM', '2026-10-30T07:55', null],
    ['Friday, October 30, 2026 7:55 AM', '2026-10-30T07:55', null],
    ['October 30, 2026 at 7:55:12 AM PDT', '2026-10-30T07:55', '2026-10-30T14:55'],
    ['Freitag, 30. Oktober 2026 07:55', '2026-10-30T07:55', null],
    ['30. Oktober 2026 um 07:55:12 MEZ', '2026-10-30T07:55', '2026-10-30T06:55'],
    ['vendredi 30 octobre 2026 07:55', '2026-10-30T07:55', null],
    ['30 octobre 2026 à 07:55:12 UTC+1', '2026-10-30T07:55', '2026-10-30T06:55'],
    ['viernes, 30 de octubre de 2026 7:55', '2026-10-30T07:55', null],
    ['venerdì 30 ottobre 2026 alle ore 07:55:12 CET', '2026-10-30T07:55', '2026-10-30T06:55'],
    ['vrijdag 30 oktober 2026 07:55', '2026-10-30T07:55', null],
    ['Fri, 30 Oct 2026 07:55:12 -0700', '2026-10-30T07:55', '2026-10-30T14:55'],
    ['mar, 27 oct 2026 10:05', '2026-10-27T10:05', null],
  ])('%s', (text, wall, instant) => {
    expect(parseQuotedDate(text)).toEqual({ wall, instant })
  })

  it('returns nothing for text that is no date, and reads at most a line of it', () => {
    expect(parseQuotedDate('an hour ago')).toBeNull()
    expect(parseQuotedDate(`${'9'.repeat(100_000)} October`)).toBeNull()
  })
})
