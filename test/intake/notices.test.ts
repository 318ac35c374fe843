import { describe, expect, it } from 'vitest'
import { letter, read } from './read-mail.ts'

// Complaints bodies write from an office or no-reply address and name the consumer inside. The
// consumer is the customer (with an address only when the notice gives one); the body is the
// channel, with its reference. A no-reply address is never anyone's customer address.

describe('notices from complaints bodies', () => {
  it('a BBB notice with a consumer block: the consumer is the customer, the BBB the channel', async () => {
    const r = await read(
      letter({
        from: 'BBB Serving the Pacific Northwest <noreply@pnw.bbb.org>',
        subject: 'Complaint #31007422 filed against Fjellstad Gear',
        headers: ['Reply-To: dr@pnw.bbb.org'],
        body: [
          'A consumer has filed a complaint with BBB regarding your business. Please respond within 14 days.',
          '',
          'Complaint #31007422',
          'Consumer Information',
          'Name: Thomas Lund',
          'Email: t.lund@fastmail.example',
          'Phone: 206-555-0191',
          '',
          'Complaint Details',
          'I returned the Vidde 3 tent on October 2 and I am still waiting for the refund of $389.',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'bbb',
      severity: 'SEV-2',
      externalRef: 'BBB-31007422',
      customer: { name: 'Thomas Lund', email: 't.lund@fastmail.example' },
      channel: { kind: 'bbb', email: 'dr@pnw.bbb.org' },
    })
  })

  it('the same notice forwarded by a colleague without a consumer address: a name and no address', async () => {
    const r = await read(
      letter({
        from: 'Ola Nordmann <ola.nordmann@fjellstad.example>',
        subject: 'FW: BBB Complaint ID 31007555',
        body: [
          'Can the desk take this one?',
          'Ola',
          '',
          'From: BBB Business Portal <notifications@bbb.org>',
          'Sent: Monday, November 9, 2026 8:02 AM',
          'To: support@fjellstad.example',
          'Subject: BBB Complaint ID 31007555',
          '',
          'BBB Business Portal',
          'Complaint ID: 31007555',
          'Consumer: Priya Raman',
          'Location: Tacoma, WA',
          'Complaint details:',
          'My order arrived damaged and nobody answers.',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'bbb',
      customer: { name: 'Priya Raman', email: null },
      forwardedBy: ['ola.nordmann@fjellstad.example'],
      externalRef: 'BBB-31007555',
    })
    expect(r.channel?.email).toBeNull() // notifications@… is a no-reply address: the reply goes through the portal
  })

  it('a CFPB portal notice without the consumer’s identity has its complaint number and no customer', async () => {
    const r = await read(
      letter({
        from: 'CFPB Company Portal <no-reply@consumerfinance.gov>',
        subject: 'New complaint sent to your company: 261109-7710022',
        headers: ['Auto-Submitted: auto-generated'],
        body: 'A new complaint has been sent to your company through the CFPB Company Portal.\nComplaint ID: 261109-7710022\nProduct: Debt collection\nPlease log in to respond within 15 days.',
      }),
    )
    expect(r).toMatchObject({
      isEscalation: true,
      source: 'regulator',
      channel: { kind: 'cfpb', email: null },
      externalRef: '261109-7710022',
      customer: { name: null, email: null },
      severity: 'SEV-2',
    })
  })

  it('a state attorney general’s referral letter names the complainant', async () => {
    const r = await read(
      letter({
        from: '"Okafor, Grace (AGO)" <grace.okafor@oag.state.example.gov>',
        subject: 'Consumer complaint - File No. 44-20931',
        body: [
          'OFFICE OF THE ATTORNEY GENERAL',
          'Consumer Protection Division',
          '',
          'RE: File No. 44-20931',
          'Complainant: Mr. Daniel Whitcombe',
          '',
          'This office has received the enclosed complaint. Please respond in writing within ten business days to the consumer and to this office.',
          '',
          'Grace Okafor',
          'Consumer Specialist',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'attorney_general' },
      customer: { name: 'Daniel Whitcombe', email: null },
      externalRef: '44-20931',
    })
  })

  it('a German Schlichtungsstelle names the applicant in prose and in its form', async () => {
    const r = await read(
      letter({
        from: 'Verbraucherschlichtungsstelle <post@schlichtung-nord.example>',
        subject: 'Schlichtungsantrag Krämer ./. Fjellstad Gear GmbH - Az. VS 2231/26',
        body: [
          'Verbraucherschlichtungsstelle Nord',
          'Unser Az.: VS 2231/26',
          '',
          'Sehr geehrte Damen und Herren,',
          'bei uns ist ein Schlichtungsantrag von Frau Ute Krämer eingegangen. Bitte nehmen Sie innerhalb von drei Wochen Stellung.',
          '',
          'Angaben der Antragstellerin:',
          'Name: Ute Krämer',
          'E-Mail: ute.kraemer@web.example',
          '',
          'Begehren: Erstattung von 219,00 EUR.',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'ombudsman' },
      customer: { name: 'Ute Krämer', email: 'ute.kraemer@web.example' },
      externalRef: 'VS 2231/26',
      language: 'de',
    })
  })

  it('a French data-protection authority gives the complainant’s address beside her name', async () => {
    const r = await read(
      letter({
        from: 'CNIL - Service des plaintes <plaintes-noreply@cnil.fr>',
        subject: 'Plainte n° 26-118402',
        body: [
          'COMMISSION NATIONALE DE L’INFORMATIQUE ET DES LIBERTÉS',
          'Nos réf. : Plainte n° 26-118402',
          '',
          'La CNIL a été saisie d’une plainte de Mme Camille Dufresne (adresse électronique : camille.dufresne@laposte.example), cliente de votre société.',
          'La plaignante indique avoir demandé l’effacement de ses données sans réponse.',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'regulator',
      channel: { kind: 'data_protection_authority' },
      customer: { name: 'Camille Dufresne', email: 'camille.dufresne@laposte.example' },
      externalRef: '26-118402',
      language: 'fr',
    })
  })

  it('a body’s staff who sign the notice are never the consumer', async () => {
    const r = await read(
      letter({
        from: 'Ewa Lindqvist <ewa.lindqvist@consumer-ombudsman.example>',
        subject: 'Our reference CO-88120 - new complaint',
        body: 'Our reference: CO-88120\nYour reference: 1177\n\nDear Fjellstad Gear\nWe have received a complaint from Mr Jakob Hansen about a refund.\n\nYours sincerely\nEwa Lindqvist\nInvestigator\nConsumer Ombudsman Service',
      }),
    )
    expect(r).toMatchObject({ channel: { kind: 'ombudsman' }, customer: { name: 'Jakob Hansen', email: null }, externalRef: 'CO-88120' })
  })

  it('the consumer’s own mail quoting their BBB complaint joins by the reference, but is the customer’s mail', async () => {
    const r = await read(
      letter({
        from: 'Thomas Lund <t.lund@fastmail.example>',
        subject: 'My BBB complaint 31007422',
        body: 'Hello, I filed a complaint with the Better Business Bureau (complaint #31007422). Here are the photos of the damage.\nThomas',
      }),
    )
    expect(r).toMatchObject({
      source: 'direct',
      channel: null,
      externalRef: 'BBB-31007422',
      customer: { email: 't.lund@fastmail.example' },
      severity: 'SEV-2',
    })
  })
})

describe('review platforms', () => {
  it.each([
    [
      'Google, in German',
      'Google Business Profile <businessprofile-noreply@google.com>',
      'Neue Rezension für Fjellstad Gear Hamburg',
      'Google\nNeue Rezension für Fjellstad Gear Hamburg\nSabine Wolter\n★☆☆☆☆ vor 3 Stunden\n"Die Jacke war nach zwei Wochen kaputt und der Laden wollte sie nicht umtauschen. Nie wieder."',
      'Sabine Wolter',
      'de',
    ],
    [
      'Kiyoh, in Dutch',
      'Kiyoh <noreply@kiyoh.com>',
      'Nieuwe beoordeling: 2/10 voor Fjellstad Gear',
      'Kiyoh\nScore: 2/10\nDoor: Joris Bakker, Utrecht\n"Bestelling kwam nooit aan en de klantenservice reageert niet. Ik wil mijn geld terug."',
      'Joris Bakker',
      'nl',
    ],
    [
      'Facebook, in Italian',
      'Facebook <notification@facebookmail.com>',
      'Marco Bellini ha commentato il post di Fjellstad Gear',
      'Marco Bellini ha commentato il post di Fjellstad Gear.\n"Vergogna, il sacco a pelo si è strappato e nessuno risponde da due settimane!"',
      'Marco Bellini',
      'it',
    ],
  ])('%s: the reviewer is the customer, never the platform’s no-reply address', async (_label, from, subject, body, name, language) => {
    const r = await read(letter({ from, subject, body, headers: ['Precedence: bulk'] }))
    expect(r).toMatchObject({
      isEscalation: true,
      source: 'social',
      channel: { kind: 'review_platform' },
      customer: { name, email: null },
      language,
      // A lone review, nothing says it is spreading: public, SEV-3 (the rubric's decision of 2026-12-01).
      severity: 'SEV-3',
    })
  })

  it('a review that describes a fire is SEV-1', async () => {
    const r = await read(
      letter({
        from: 'Yelp for Business <no-reply@biz.yelp.com>',
        subject: 'New 1-star review for Fjellstad Gear',
        body: 'You have a new review\nFjellstad Gear - Seattle\nChris P.\nSeattle, WA · 12 reviews\n★☆☆☆☆ 11/9/2026\n"The headlamp battery caught fire in my backpack. Store told me to call the manufacturer."',
      }),
    )
    expect(r).toMatchObject({ source: 'social', customer: { name: 'Chris P.' }, severity: 'SEV-1' })
  })

  it('a platform we do not know by name still reads as one: an automatic sender announcing one rated review', async () => {
    const r = await read(
      letter({
        from: 'ReviewHub <no-reply@reviewhub.example>',
        subject: 'New review for Fjellstad Gear',
        body: 'You have a new review\nOskar Lind\n★☆☆☆☆\n"Delivery took five weeks and nobody answered my emails about it, I want a refund."',
      }),
    )
    expect(r).toMatchObject({ source: 'social', channel: { kind: 'review_platform' }, customer: { name: 'Oskar Lind', email: null } })
  })

  it('an office of a complaints body intake does not recognise is still never the customer', async () => {
    const r = await read(
      letter({
        from: 'Consumer Council of Atlantis <casework@consumer-council.example>',
        subject: 'Case 8812',
        body: 'We have received a complaint from Mrs Hanne Dahl about a late refund. The consumer states that she returned the item on 2 October.',
      }),
    )
    expect(r.customer.email).toBeNull()
  })
})
