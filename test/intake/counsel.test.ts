import { describe, expect, it } from 'vitest'
import { letter, read } from './read-mail.ts'

// A lawyer's letter: the customer is the client it names, counsel is the channel (its address is
// counsel's, never the customer's), the reference is counsel's own.

describe("counsel's letters", () => {
  it.each([
    [
      'English',
      'Rhea Castellano <rcastellano@castellano-law.example>',
      'Demand - Our Ref: RC/2026/311',
      'CASTELLANO LAW GROUP, PLLC\nOur Ref: RC/2026/311\n\nThis firm represents Ms. Janelle Brooks in connection with the defective stove she purchased. Please direct all communication to the undersigned.\nWe demand a refund within 14 days.\n\nRhea Castellano, Esq.',
      'Janelle Brooks',
      'RC/2026/311',
      'en',
    ],
    [
      'German',
      'Kanzlei Hartmann <info@ra-hartmann.example>',
      'Unser Zeichen: 0412/26 MH',
      'Rechtsanwaltskanzlei Hartmann\nUnser Zeichen: 0412/26 MH\n\nSehr geehrte Damen und Herren,\nwir zeigen an, dass wir die rechtlichen Interessen von Herrn Lukas Brandt vertreten. Wir fordern Sie auf, bis zum 30.11.2026 den Kaufpreis zu erstatten.\n\nMit freundlichen Grüßen\nM. Hartmann\nRechtsanwalt',
      'Lukas Brandt',
      '0412/26 MH',
      'de',
    ],
    [
      'French',
      'Maître Sophie Arnaud <s.arnaud@arnaud-avocats.example>',
      'Mise en demeure – Réf. : SA/26/0917',
      'Cabinet Arnaud Avocats\nRéf. : SA/26/0917\n\nMadame, Monsieur,\nJ’interviens en qualité de conseil de Madame Inès Carpentier, laquelle m’a transmis le dossier. Je vous mets en demeure de procéder au remboursement sous huit jours.\n\nSophie Arnaud\nAvocate au Barreau de Lille',
      'Inès Carpentier',
      'SA/26/0917',
      'fr',
    ],
    [
      'Spanish',
      'Pablo Ruiz <pruiz@ruiz-abogados.example>',
      'Requerimiento - N/Ref. 2026/088-PR',
      'RUIZ ABOGADOS\nN/Ref.: 2026/088-PR\n\nMe dirijo a ustedes en representación de D. Álvaro Medina Soto en relación con su pedido. Le ruego procedan al reembolso en el plazo de diez días.\n\nPablo Ruiz\nAbogado',
      'Álvaro Medina Soto',
      '2026/088-PR',
      'es',
    ],
    [
      'Italian',
      'Avv. Laura Conti <l.conti@studiolegaleconti.example>',
      'Diffida - Ns. Rif. 204/2026/LC',
      'STUDIO LEGALE CONTI\nNs. Rif.: 204/2026/LC\n\nScrivo in nome e per conto del Sig. Paolo Ricci, che mi ha conferito mandato. Vi diffido a provvedere al rimborso entro 15 giorni.\n\nAvv. Laura Conti',
      'Paolo Ricci',
      '204/2026/LC',
      'it',
    ],
    [
      'Dutch',
      'mr. Erik de Jong <e.dejong@dejong-advocaten.example>',
      'Sommatie - ons kenmerk 26-0341',
      'De Jong Advocaten\nOns kenmerk: 26-0341\n\nGeachte heer, mevrouw,\nNamens onze cliënte mevrouw Femke Visser sommeer ik u binnen veertien dagen het aankoopbedrag terug te betalen.\n\nmr. E. de Jong\nadvocaat',
      'Femke Visser',
      '26-0341',
      'nl',
    ],
  ])('%s: the client is the customer, counsel the channel', async (_language, from, subject, body, client, ref, language) => {
    const r = await read(letter({ from, subject, body }))
    expect(r).toMatchObject({
      source: 'lawyer',
      channel: { kind: 'counsel' },
      customer: { name: client, email: null },
      externalRef: ref,
      severity: 'SEV-2',
      language,
    })
    expect(r.channel?.email).toBe(from.replace(/^.*<|>$/g, '').toLowerCase())
  })

  it('a firm’s short cover mail with the letter as a PDF is counsel’s letter under its reference', async () => {
    const raw = letter({
      from: 'Nora Fischer <n.fischer@fischer-partner.example>',
      subject: 'Müller ./. Fjellstad Gear GmbH - Unser Az.: 771/26',
      contentType: 'multipart/mixed; boundary="p1"',
      body: '--p1\nContent-Type: text/plain; charset=utf-8\n\nSehr geehrte Damen und Herren,\nanbei unser Schreiben vom heutigen Tage.\n\nFischer & Partner Rechtsanwälte\n--p1\nContent-Type: application/pdf; name="Schreiben_771-26.pdf"\nContent-Disposition: attachment; filename="Schreiben_771-26.pdf"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--p1--\n',
    })
    const r = await read(raw)
    expect(r).toMatchObject({
      source: 'lawyer',
      channel: { kind: 'counsel', email: 'n.fischer@fischer-partner.example' },
      externalRef: '771/26',
      customer: { name: 'Müller', email: null },
    })
  })

  it('a customer who is a lawyer writing for himself is the customer, with a legal threat', async () => {
    const r = await read(
      letter({
        from: 'Aaron Feld <afeld@mailbox.example>',
        subject: 'Jacket warranty',
        body: 'I write as a customer, not on behalf of anyone else, though I practise law. If the jacket is not replaced by Friday I will file in small claims court.\nAaron Feld',
      }),
    )
    expect(r).toMatchObject({ source: 'direct', channel: null, customer: { email: 'afeld@mailbox.example' }, severity: 'SEV-2' })
  })

  it('a lawsuit served through a registered agent, forwarded by legal, is SEV-1 with the court’s number', async () => {
    const r = await read(
      letter({
        from: 'Legal <legal@fjellstad.example>',
        subject: 'FW: Service of Process Transmittal 55120',
        body: [
          'Desk: we have been served, class action filed in King County Superior Court. Legal owns the response.',
          '',
          'From: Agent Services <sop@agentservices.example>',
          'Sent: Monday, November 9, 2026 6:00 AM',
          'To: Legal <legal@fjellstad.example>',
          'Subject: Service of Process Transmittal 55120',
          '',
          'Service of process has been received on behalf of the entity listed above.',
          'Case/Reference No: 26-2-11807-4 SEA',
          'Answer or Appearance Due: Within 20 days after service',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'lawyer',
      channel: { kind: 'counsel' },
      severity: 'SEV-1',
      externalRef: '26-2-11807-4 SEA',
      customer: { email: null },
    })
  })

  it('a law firm’s footer that does not accept service of process by email is not a lawsuit', async () => {
    const r = await read(
      letter({
        from: 'J. Park <jpark@parkllp.example>',
        subject: 'Notice of breach - Matter No. 2026-0412',
        body: 'This firm represents Arctic Rentals LLC in connection with the supply agreement. Matter No. 2026-0412. We demand delivery within 10 business days.\n\nPark LLP does not accept service of process by email.',
      }),
    )
    expect(r).toMatchObject({ source: 'lawyer', severity: 'SEV-2', customer: { name: 'Arctic Rentals LLC' } })
  })

  it('counsel asking to be the only contact speaks for a client even without a representation phrase', async () => {
    const r = await read(
      letter({
        from: 'Dana Wells <dwells@wellslaw.example>',
        subject: 'Warranty claim - Our Ref DW-3318',
        body: 'WELLS LAW OFFICE\nOur Ref: DW-3318\n\nRegarding the warranty claim of Mr. Sam Ortiz: please direct all further communications regarding this matter to the undersigned and do not contact my client.\n\nDana Wells, Esq.',
      }),
    )
    expect(r).toMatchObject({
      source: 'lawyer',
      channel: { kind: 'counsel', email: 'dwells@wellslaw.example' },
      externalRef: 'DW-3318',
      customer: { email: null },
    })
  })
})
