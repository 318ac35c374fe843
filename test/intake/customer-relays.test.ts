import { describe, expect, it } from 'vitest'
import { letter, read } from './read-mail.ts'

// Who the customer is when the mail did not come the usual way: an executive answering the
// customer with the desk in copy, a customer forwarding our support team's answer, a customer
// asking to be answered elsewhere, a consumer quoting a complaint number of a body. Invented for
// these tests (synthetic).

describe('an executive answers the customer with the desk in copy', () => {
  it('the customer is the person answered, whose words are quoted below', async () => {
    const r = await read(
      letter({
        from: 'Anna Berg <anna.berg@fjellstad.example>',
        to: 'Jonas Weber <jonas.weber@gmx.example>',
        headers: ['Cc: desk@fjellstad.example', 'In-Reply-To: <jw-1@gmx.example>'],
        subject: 'Re: Rucksack gerissen - dritte Reklamation',
        body: [
          'Sehr geehrter Herr Weber,',
          '',
          'danke für Ihre offenen Worte. Ich habe unser Team gebeten, sich heute noch bei Ihnen zu melden.',
          '',
          'Beste Grüße',
          'Anna Berg',
          'CEO, Fjellstad Gear',
          '',
          'Am 09.11.2026 um 21:14 schrieb Jonas Weber <jonas.weber@gmx.example>:',
          '> Sehr geehrte Frau Berg,',
          '> ich schreibe Ihnen direkt, weil mein Rucksack zum dritten Mal gerissen ist und der Kundenservice seit vier Wochen nicht antwortet.',
          '> Jonas Weber',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'ceo_inbox',
      customer: { email: 'jonas.weber@gmx.example', name: 'Jonas Weber' },
      severity: 'SEV-3',
      language: 'de',
    })
  })

  it('the same in English, the customer only in To', async () => {
    const r = await read(
      letter({
        from: 'Anna Berg <anna.berg@fjellstad.example>',
        to: '"Okafor, Chidi" <chidi.okafor@outlook.example>',
        headers: ['Cc: Desk <desk@fjellstad.example>'],
        subject: 'RE: Still no refund',
        body: 'Dear Mr Okafor,\nI am sorry - I have asked our desk to take this over today.\nAnna\n\nFrom: Okafor, Chidi <chidi.okafor@outlook.example>\nSent: Monday, November 9, 2026 8:02 PM\nTo: Anna Berg <anna.berg@fjellstad.example>\nSubject: Still no refund\n\nMs Berg, I returned the tent five weeks ago and I am still waiting for my $420.',
      }),
    )
    expect(r).toMatchObject({
      source: 'ceo_inbox',
      customer: { email: 'chidi.okafor@outlook.example', name: 'Chidi Okafor' },
      severity: 'SEV-3',
    })
  })
})

describe('a customer forwards our support team’s answer to the desk', () => {
  it('the customer is the one who forwarded it, not our support address, and not a forwarder', async () => {
    const r = await read(
      letter({
        from: 'Lucía Martín <lucia.martin@yahoo.example>',
        subject: 'Fwd: Re: Pedido 88123 - devolución',
        body: [
          'Buenas tardes:',
          '',
          'Les reenvío la respuesta de su servicio de atención al cliente. Llevo un mes esperando el reembolso de 129 € y nadie me da una solución.',
          '',
          'Lucía Martín',
          '',
          '---------- Forwarded message ---------',
          'De: Fjellstad Support <support@fjellstad.example>',
          'Date: lun, 9 nov 2026 a las 10:02',
          'Subject: Re: Pedido 88123 - devolución',
          'To: Lucía Martín <lucia.martin@yahoo.example>',
          '',
          'Hola Lucía, gracias por tu paciencia. Estamos revisando tu devolución.',
          'Equipo de Soporte',
        ].join('\n'),
      }),
    )
    expect(r).toMatchObject({
      source: 'direct',
      customer: { email: 'lucia.martin@yahoo.example', name: 'Lucía Martín' },
      forwardedBy: [],
      language: 'es',
      severity: 'SEV-3',
    })
  })
})

describe('a customer asks to be answered at another address', () => {
  it.each([
    [
      'Danish',
      'Jeg skriver fra min arbejdsmail - svar venligst på min private adresse mads.privat@mail.example.\nMin jakke er gået i stykker efter en uge.\nMads Sørensen',
    ],
    [
      'Swedish',
      'Jag skriver från jobbet, svara gärna till min privata adress mads.privat@mail.example.\nJackan gick sönder efter en vecka.\nMads Sørensen',
    ],
    [
      'Norwegian',
      'Vennligst svar til min private e-post mads.privat@mail.example, ikke jobbadressen.\nJakken revnet etter en uke.\nMads Sørensen',
    ],
    ['Polish', 'Proszę o odpowiedź na mój prywatny adres mads.privat@mail.example.\nKurtka rozdarła się po tygodniu.\nMads Sørensen'],
    [
      'Portuguese',
      'Por favor, respondam para o meu e-mail pessoal mads.privat@mail.example.\nO casaco rasgou depois de uma semana.\nMads Sørensen',
    ],
    ['Czech', 'Odpovězte mi prosím na soukromou adresu mads.privat@mail.example.\nBunda se po týdnu roztrhla.\nMads Sørensen'],
    ['Finnish', 'Vastatkaa ystävällisesti yksityiseen osoitteeseeni mads.privat@mail.example.\nTakki repesi viikossa.\nMads Sørensen'],
  ])('%s', async (_language, body) => {
    const r = await read(letter({ from: 'Mads Sørensen <mads.sorensen@firma-arbejde.example>', subject: 'Jakke', body }))
    expect(r.customer.email).toBe('mads.privat@mail.example')
  })
})

describe('a consumer quoting the complaint number a body gave them', () => {
  it('a CFPB complaint number with eight digits joins the notice’s case', async () => {
    const r = await read(
      letter({
        from: 'Dwayne Carter <dwayne.carter@icloud.example>',
        subject: 'Re: my billing dispute',
        body: 'I have now filed a complaint with the Consumer Financial Protection Bureau, complaint number 261104-10482233. I expect to hear from you.\nDwayne',
      }),
    )
    expect(r).toMatchObject({ source: 'direct', externalRef: '261104-10482233', severity: 'SEV-2' })
  })

  it('a CFPB portal notice with the same eight-digit number', async () => {
    const r = await read(
      letter({
        from: 'CFPB <no-reply@consumerfinance.gov>',
        subject: 'New complaint 261104-10482233',
        body: 'A consumer submitted a complaint about your company.\nComplaint ID: 261104-10482233\nPlease respond within 15 days in the Company Portal.',
      }),
    )
    expect(r).toMatchObject({ source: 'regulator', channel: { kind: 'cfpb' }, externalRef: '261104-10482233' })
  })
})
