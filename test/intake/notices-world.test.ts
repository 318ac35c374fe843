import { describe, expect, it } from 'vitest'
import { letter, read, withPdf } from './read-mail.ts'

// Complaints bodies of many countries, each writing the way such a body writes: a case officer's
// mail or the office's no-reply, a reference in the subject, the consumer named inside, a
// deadline to answer. The consumer is the customer; the body, its staff and its addresses never
// are. All messages are invented for these tests (synthetic).

describe('consumer dispute boards, consumer councils and trade inspections', () => {
  it('a Swedish disputes board’s cover mail for a PDF letter, signed by its case officer', async () => {
    const r = await read(
      withPdf({
        from: 'Sara Lindgren <sara.lindgren@arn.se>',
        subject: 'Anmälan mot Fjellstad Gear AB, ärendenummer 2026-07741',
        pdfName: 'Underrattelse_2026-07741.pdf',
        body: [
          'Hej,',
          '',
          'Allmänna reklamationsnämnden (ARN) har tagit emot en anmälan från konsumenten Erik Holmberg. Anmälan och underrättelsen finns i den bifogade filen.',
          'Vi ber er att yttra er senast den 2 december 2026. Ange ärendenummer 2026-07741 i ert svar.',
          '',
          'Med vänliga hälsningar',
          'Sara Lindgren',
          'Handläggare',
          'Allmänna reklamationsnämnden',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      isEscalation: true,
      source: 'regulator',
      channel: { kind: 'ombudsman' },
      customer: { name: 'Erik Holmberg', email: null },
      externalRef: '2026-07741',
      severity: 'SEV-2',
      language: 'sv',
    })
  })

  it('a Norwegian consumer council’s complaint names the consumer; its adviser is not the customer', async () => {
    const r = await read(
      letter({
        from: 'Ingrid Solberg <ingrid.solberg@forbrukerradet.no>',
        subject: 'Klage fra forbruker - saksnummer 26/04417',
        body: [
          'Til Fjellstad Gear AS',
          '',
          'Forbrukerrådet har mottatt en klage fra Ole Martin Haugen vedrørende kjøp av et telt som ble levert med ødelagt glidelås.',
          'Forbrukeren krever at kjøpet heves og at kjøpesummen på 3 490 kroner tilbakebetales.',
          'Vi ber om deres tilsvar innen 14 dager fra dags dato. Vennligst oppgi vårt saksnummer 26/04417 ved all kontakt.',
          '',
          'Med vennlig hilsen',
          'Ingrid Solberg',
          'Seniorrådgiver',
          'Forbrukerrådet',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'consumer_affairs' },
      customer: { name: 'Ole Martin Haugen', email: null },
      externalRef: '26/04417',
      severity: 'SEV-2',
    })
  })

  it('a Czech trade inspection’s ADR notice, with the consumer in a form and the officer who handles it', async () => {
    const r = await read(
      letter({
        from: 'ADR - Česká obchodní inspekce <adr@coi.cz>',
        subject: 'Zahájení mimosoudního řešení sporu, č. j. ADR-18822/2026',
        body: [
          'Česká obchodní inspekce',
          'Oddělení ADR',
          'Naše č. j.: ADR-18822/2026',
          '',
          'Vážení,',
          'Česká obchodní inspekce obdržela návrh na zahájení mimosoudního řešení spotřebitelského sporu.',
          '',
          'Spotřebitel: Petr Novotný',
          'E-mail: petr.novotny@seznam.example',
          'Předmět sporu: reklamace batohu',
          '',
          'Vyzýváme Vás, abyste se k návrhu vyjádřili do 15 pracovních dnů.',
          '',
          'Vyřizuje: Mgr. Lenka Dvořáková',
          'Česká obchodní inspekce',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'ombudsman' },
      customer: { name: 'Petr Novotný', email: 'petr.novotny@seznam.example' },
      externalRef: 'ADR-18822/2026',
      severity: 'SEV-2',
    })
  })

  it('an Australian state fair-trading office, from its complaints mailbox', async () => {
    const r = await read(
      letter({
        from: 'NSW Fair Trading <complaints@fairtrading.nsw.gov.au>',
        subject: 'Complaint reference FT26-0098123 - response requested',
        body: [
          'Dear Trader,',
          '',
          'NSW Fair Trading has received a complaint from Mr Liam O’Brien of Newtown regarding a sleeping bag purchased online that has not been delivered.',
          'Please contact the consumer and provide a written response to this office by 24 November 2026, quoting the reference above.',
          '',
          'Kind regards,',
          'Hannah Wu',
          'Complaints Officer',
          'Consumer and Business Complaints',
          'NSW Fair Trading',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'consumer_affairs' },
      customer: { name: 'Liam O’Brien', email: null },
      externalRef: 'FT26-0098123',
    })
    expect(r.customer.name).not.toBe('Hannah Wu')
  })

  it('a Danish complaints board whose letter is in the PDF: its officer is not the customer, and no address is anyone’s', async () => {
    const r = await read(
      withPdf({
        from: 'Mette Holm <meho@naevneneshus.dk>',
        subject: 'Ny klagesag - sagsnr. 26/19823',
        pdfName: 'Klage_26-19823.pdf',
        body: 'Til rette vedkommende\n\nNævnenes Hus har modtaget en klage over jeres virksomhed. Klagen er vedhæftet. Fristen for jeres bemærkninger er 14 dage.\n\nMed venlig hilsen\nMette Holm\nFuldmægtig\nNævnenes Hus',
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'ombudsman' },
      customer: { name: null, email: null },
      externalRef: '26/19823',
    })
  })

  it('a Finnish consumer disputes board', async () => {
    const r = await read(
      letter({
        from: 'Kuluttajariitalautakunta <kirjaamo@kril.fi>',
        subject: 'Valitus, diaarinumero KRIL/4471/2026',
        body: 'Kuluttajariitalautakunta on vastaanottanut kuluttajan valituksen.\n\nValittaja: Aino Virtanen\nAsia: viallinen makuupussi\n\nPyydämme yritystänne antamaan vastineen 14 päivän kuluessa.\n\nYstävällisin terveisin\nJukka Lahtinen\nesittelijä',
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'ombudsman' },
      customer: { name: 'Aino Virtanen' },
      externalRef: 'KRIL/4471/2026',
    })
  })

  it('an Irish consumer protection commission', async () => {
    const r = await read(
      letter({
        from: 'CCPC Consumer Helpline <complaints@ccpc.ie>',
        subject: 'Our Ref: CCPC-26-33190',
        body: 'Dear Sir/Madam,\nThe Competition and Consumer Protection Commission has been contacted by a consumer, Ms Siobhán Kelly, regarding a refund of €240 for a returned tent.\nWe would ask that you respond to the consumer within 10 working days.\nYours faithfully,\nDeclan Murphy\nConsumer Protection Officer',
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'consumer_affairs' },
      customer: { name: 'Siobhán Kelly' },
      externalRef: 'CCPC-26-33190',
    })
  })
})

describe('recognised by structure: an official sender, a reference, a named consumer, a deadline', () => {
  it('an Austrian ministry’s consumer-protection office nobody listed', async () => {
    const r = await read(
      letter({
        from: 'Konsumentenschutz <post.konsumentenschutz@sozialministerium.gv.at>',
        subject: 'Beschwerde Huber - GZ: 2026-0.771.904',
        body: 'Sehr geehrte Damen und Herren,\n\nbei der Abteilung Konsumentenschutz ist eine Beschwerde von Frau Maria Huber eingegangen. Wir ersuchen um Stellungnahme binnen 14 Tagen.\n\nMit freundlichen Grüßen\nDr. Thomas Gruber\nSachbearbeiter',
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'consumer_affairs' },
      customer: { name: 'Maria Huber' },
      externalRef: '2026-0.771.904',
    })
  })

  it('a Portuguese government consumer office', async () => {
    const r = await read(
      letter({
        from: 'Direção-Geral do Consumidor <reclamacoes@dgc.gov.pt>',
        subject: 'Reclamação n.º REC-2026-118204',
        body: 'Exmos. Senhores,\nA Direção-Geral do Consumidor recebeu uma reclamação apresentada pela consumidora Ana Rita Ferreira relativa a uma encomenda não entregue.\nSolicitamos resposta no prazo de 10 dias úteis.\nCom os melhores cumprimentos,\nJoão Pereira\nTécnico Superior',
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'consumer_affairs' },
      customer: { name: 'Ana Rita Ferreira' },
      externalRef: 'REC-2026-118204',
    })
  })
})

describe('data-protection authorities', () => {
  it('the Polish DPA names the complainant; its specialist signs', async () => {
    const r = await read(
      letter({
        from: 'Urząd Ochrony Danych Osobowych <kancelaria@uodo.gov.pl>',
        subject: 'Skarga - znak sprawy DS.523.4471.2026',
        body: [
          'Znak sprawy: DS.523.4471.2026',
          '',
          'Prezes Urzędu Ochrony Danych Osobowych uprzejmie informuje, że do Urzędu wpłynęła skarga na nieprawidłowości w przetwarzaniu danych osobowych przez Fjellstad Gear.',
          'Skarżąca: Katarzyna Wójcik',
          '',
          'W związku z powyższym proszę o ustosunkowanie się do treści skargi w terminie 14 dni od dnia otrzymania pisma.',
          '',
          'Z poważaniem',
          'Marek Zieliński',
          'Główny specjalista',
          'Departament Skarg',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'data_protection_authority' },
      customer: { name: 'Katarzyna Wójcik', email: null },
      externalRef: 'DS.523.4471.2026',
      severity: 'SEV-2',
    })
  })

  it('the Norwegian DPA', async () => {
    const r = await read(
      letter({
        from: 'Datatilsynet <postkasse@datatilsynet.no>',
        subject: 'Vår ref.: 26/02219-3 - klage på behandling av personopplysninger',
        body: 'Vår ref.: 26/02219-3\nDeres ref.: 8812\n\nDatatilsynet har mottatt en klage fra Sigrid Bakke på at Fjellstad Gear ikke har svart på hennes krav om innsyn. Vi ber om en redegjørelse innen 3 uker.\n\nMed hilsen\nKnut Eriksen\nseniorjurist',
      }),
    )
    expect(r).toMatchObject({
      channel: { kind: 'data_protection_authority' },
      customer: { name: 'Sigrid Bakke' },
      externalRef: '26/02219-3',
    })
  })
})

describe('complaints platforms', () => {
  it('a Brazilian complaints platform: the consumer is the customer, never its do-not-reply address', async () => {
    const r = await read(
      letter({
        from: 'Reclame AQUI <nao-responda@reclameaqui.com.br>',
        subject: 'Nova reclamação para Fjellstad Gear: Barraca chegou rasgada',
        headers: ['List-Unsubscribe: <https://www.reclameaqui.com.br/unsub>'],
        body: [
          'Olá, Fjellstad Gear!',
          'Sua empresa recebeu uma nova reclamação no Reclame AQUI.',
          '',
          'Consumidor: Mariana Souza',
          'ID da reclamação: 154879632',
          'Título: Barraca chegou rasgada',
          '',
          '"Comprei uma barraca no site, chegou rasgada e até agora ninguém responde meus e-mails. Quero meu dinheiro de volta."',
          '',
          'Responda o quanto antes para melhorar sua reputação.',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      isEscalation: true,
      source: 'social',
      channel: { kind: 'review_platform' },
      customer: { name: 'Mariana Souza', email: null },
      externalRef: '154879632',
      language: 'pt',
      severity: 'SEV-2',
    })
  })

  it('a Facebook "doesn’t recommend" notification in Norwegian is a public complaint, not bulk mail', async () => {
    const r = await read(
      letter({
        from: 'Facebook <notification@facebookmail.com>',
        subject: 'Kari Nordli anbefaler ikke Fjellstad Gear',
        headers: ['List-Unsubscribe: <https://www.facebook.com/unsub>', 'Precedence: bulk'],
        body: 'Kari Nordli anbefaler ikke Fjellstad Gear.\n\n«Soveposen revnet første natt og kundeservice har ikke svart på tre uker. Aldri igjen.»\n\nSe anbefalingen',
      }),
    )
    expect(r).toMatchObject({
      isEscalation: true,
      source: 'social',
      channel: { kind: 'review_platform' },
      customer: { name: 'Kari Nordli', email: null },
      language: 'no',
    })
  })

  it.each([
    [
      'English',
      'Jamie Fox doesn’t recommend Fjellstad Gear',
      'Jamie Fox doesn’t recommend Fjellstad Gear.\n"Ordered a tent six weeks ago, never arrived, no answer."',
      'Jamie Fox',
    ],
    [
      'German',
      'Lena Krause empfiehlt Fjellstad Gear nicht',
      'Lena Krause empfiehlt Fjellstad Gear nicht.\n„Die Jacke war nach einer Woche kaputt und niemand antwortet.“',
      'Lena Krause',
    ],
    [
      'Swedish',
      'Johan Ek rekommenderar inte Fjellstad Gear',
      'Johan Ek rekommenderar inte Fjellstad Gear.\n”Tältet läckte och jag har väntat på återbetalning i en månad.”',
      'Johan Ek',
    ],
  ])('the same notification in %s', async (_language, subject, body, name) => {
    const r = await read(letter({ from: 'Facebook <notification@facebookmail.com>', subject, body, headers: ['Precedence: bulk'] }))
    expect(r).toMatchObject({ isEscalation: true, source: 'social', channel: { kind: 'review_platform' }, customer: { name } })
  })
})
