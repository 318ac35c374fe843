import { describe, expect, it } from 'vitest'
import { findReference } from '../../src/intake/references.ts'

// The reference labels of notices and letters across the EU/EEA and the UK/US/AU/CA/IE, the
// sender's own ("Unser Zeichen", "Vår referens", "Nasz znak", "Naše č.j.", "N/Ref.") never the
// recipient's ("Ihr Zeichen", "Er referens", "Wasz znak", "Vaše č.j.", "Sua referência").

describe('reference labels in more languages', () => {
  it.each([
    ['Vår referens: 2026/3318', '2026/3318'],
    ['Er referens: 4471\nVår referens: 2026/3318', '2026/3318'],
    ['Diarienummer: 2026-07741', '2026-07741'],
    ['Ärendenummer 2026-07741', '2026-07741'],
    ['Vår ref.: 26/02219-3\nDeres ref.: 8812', '26/02219-3'],
    ['Saksnummer: 26/04417', '26/04417'],
    ['Vores ref.: 26-0412\nJeres ref.: 9931', '26-0412'],
    ['Sagsnr. 26/19823', '26/19823'],
    ['J.nr. 2026-8812-19', '2026-8812-19'],
    ['Wasz znak: ZW-4471\nNasz znak: TZ/112/2026', 'TZ/112/2026'],
    ['Znak sprawy: DS.523.4471.2026', 'DS.523.4471.2026'],
    ['Vaše č. j.: 9931\nNaše č. j.: ADR-18822/2026', 'ADR-18822/2026'],
    ['Číslo jednací: ČOI 44108/26/O100', 'ČOI 44108/26/O100'],
    ['Sua referência: 88123\nN/Ref.: 2026/0457-RA', '2026/0457-RA'],
    ['Nossa ref.: CM-2026-311', 'CM-2026-311'],
    ['Processo n.º 2026/118', '2026/118'],
    ['Protocolo: 2026110400123', '2026110400123'],
    ['Viitteemme: 26/771', '26/771'],
    ['Diaarinumero KRIL/4471/2026', 'KRIL/4471/2026'],
    ['Ügyszámunk: K-2026/118', 'K-2026/118'],
    ['Iktatószám: NAIH-4471-2/2026', 'NAIH-4471-2/2026'],
    ['Nr. de înregistrare: 18822/2026', '18822/2026'],
    ['Ihr Zeichen: 4471\nUnser Zeichen: 0412/26 MH', '0412/26 MH'],
    ['Geschäftszahl: 2026-0.771.904', '2026-0.771.904'],
    ['GZ: 2026-0.771.904', '2026-0.771.904'],
    ['V/Réf. 8812 - N/Réf. 26/0771', '26/0771'],
    ['Uw kenmerk: 8812\nOns kenmerk: 26-0341', '26-0341'],
    ['Complaint reference FT26-0098123 - response requested', 'FT26-0098123'],
    ['Our Ref: CCPC-26-33190', 'CCPC-26-33190'],
  ])('%s → %s', (text, value) => {
    expect(findReference([text], 'notice')?.value).toBe(value)
  })

  it('a counsel letter’s own reference wins over a court’s number that comes first', () => {
    expect(findReference(['Case No. 2:26-cv-04471\nOur Ref: HP/MB/0092'], 'counsel')?.value).toBe('HP/MB/0092')
    expect(findReference(['Sygn. akt: I C 441/26\nNasz znak: KPN/77/2026'], 'counsel')?.value).toBe('KPN/77/2026')
    expect(findReference(['Processo n.º 1234/26.0T8LSB\nN/Ref.: BL-2026-077'], 'counsel')?.value).toBe('BL-2026-077')
  })

  it('a customer’s own mail: a CFPB number is a reference, an order number is not', () => {
    expect(findReference(['I filed with the CFPB, complaint 261104-10482233.'], 'customer')?.value).toBe('261104-10482233')
    expect(findReference(['My order 261104-10482233 never came.'], 'customer')).toBeNull()
  })
})
