// The safety net under the notice and counsel readers (src/intake/official-letter.ts): a letter
// shaped like an office's, about someone else, from a sender intake has no table entry or words
// for, never makes its sender the customer. Each letter is written as such an office writes it,
// in a language the readers have few words for; the customer's own formal letter keeps its sender.
import { describe, expect, it } from 'vitest'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { orgContext } from '../../src/intake/org-context.ts'
import { buildEml } from './mail-helpers.ts'

const org = orgContext({ name: 'Northwind Outfitters', inboundAddresses: ['escalations@northwind.example'] })

async function read(from: string, subject: string, body: string) {
  const result = await analyzeMessage(buildEml({ from, subject, body, to: 'escalations@northwind.example' }), org)
  if (!result.ok) throw new Error(result.reason)
  return result.summary
}

describe('an official letter about someone else, from a sender intake does not know', () => {
  it('an Icelandic consumer office writing from its role address is not the customer', async () => {
    const c = await read(
      'Kærunefnd vöru- og þjónustukaupa <knvth@urskurdir-neytenda.is>',
      'Mál nr. 84/2026 - kvörtun',
      [
        'KÆRUNEFND VÖRU- OG ÞJÓNUSTUKAUPA',
        'Borgartúni 21, 105 Reykjavík',
        '',
        'Reykjavík, 12. október 2026',
        'Mál nr.: 84/2026',
        '',
        'Northwind Outfitters',
        '',
        'Nefndinni hefur borist kvörtun frá Guðrúnu Sigurðardóttur vegna kaupa á svefnpoka.',
        'Óskað er eftir greinargerð innan 14 daga.',
        '',
        'Virðingarfyllst,',
        'Jón Einarsson',
      ].join('\n'),
    )
    expect(c.customer.email).toBeNull()
    expect(c.reasons.customer.join(' ')).toMatch(/knvth@urskurdir-neytenda\.is is not the customer: an official letter/)
  })

  it("a Maltese office that gives the complainant's address: the office's own address is never taken", async () => {
    const c = await read(
      'Uffiċċju tal-Affarijiet tal-Konsumatur <ilmenti@konsumatur-mt.example>',
      'Ref: UAK/2026/0412',
      [
        'UFFIĊĊJU TAL-AFFARIJIET TAL-KONSUMATUR',
        'Triq Nofsinhar, Valletta VLT 1234',
        '',
        'Valletta, 3 ta Novembru 2026',
        'Ref: UAK/2026/0412',
        '',
        'Lil: Northwind Outfitters',
        '',
        'Ir-rikorrenti, Sinjura Maria Borg (maria.borg@gmail.com), ilmentat li l-ordni tagħha ma waslitx.',
        'Jekk jogħġbok wieġeb fi żmien 15-il jum.',
      ].join('\n'),
    )
    expect(c.customer.email).not.toBe('ilmenti@konsumatur-mt.example')
  })

  it('a lawyer whose address is not in his own name, in Albanian, is not the customer', async () => {
    const c = await read(
      'Av. Arben Hoxha <zyra@studio-ligjore-tirana.example>',
      'Njoftim - klientja jonë Elira Kola',
      [
        'STUDIO LIGJORE HOXHA',
        'Rruga e Kavajës 45, 1001 Tiranë',
        '',
        'Tiranë, 20 tetor 2026',
        'Nr. prot.: 118/2026',
        '',
        'Për: Northwind Outfitters',
        '',
        'Në emër të klientes sonë, znj. Elira Kola, ju kërkojmë rimbursimin e shumës prej 240 EUR brenda 10 ditëve.',
        '',
        'Av. Arben Hoxha',
      ].join('\n'),
    )
    expect(c.customer.email).toBeNull()
  })

  it("a customer's own formal letter keeps the customer's address", async () => {
    const c = await read(
      'Kaarel Tamm <kaarel.tamm@mail.ee>',
      'Pretensioon - tellimus NW-EE-44120',
      [
        'Kaarel Tamm',
        'Pärnu mnt 15, 10141 Tallinn',
        '',
        'Tallinn, 2. november 2026',
        '',
        'Northwind Outfitters',
        '',
        'Tellisin 3. oktoobril matkasaapad, mis lagunesid esimesel matkal. Palun tagastage raha 189 EUR.',
        '',
        'Lugupidamisega',
        'Kaarel Tamm',
      ].join('\n'),
    )
    expect(c.customer.email).toBe('kaarel.tamm@mail.ee')
  })
})

describe('a review notice', () => {
  it('a one-star review that is spreading is SEV-2 public exposure; a lone one SEV-3', async () => {
    const notice = (extra: string) =>
      read(
        'Trustpilot <noreply@trustpilot.com>',
        'Northwind Outfitters has a new 1-star review',
        [
          'Northwind Outfitters has a new review',
          '',
          '★☆☆☆☆ 1 star',
          'Written by Ida Holm',
          '',
          '"The zip broke on day one and nobody answers."',
          extra,
        ].join('\n'),
      )
    expect((await notice('')).severity).toBe('SEV-3')
    const spreading = await notice('This review is trending: 4,200 views and 310 likes in a day.')
    expect(spreading.severity).toBe('SEV-2')
    expect(spreading.reasons.severity.join(' ')).toMatch(/spreading/)
  })
})
