import { describe, expect, it } from 'vitest'
import { orgContext } from '../../src/intake/org-context.ts'
import { letter, read } from './read-mail.ts'

// Who the customer is, read as a person reads it. Colleagues and machines never are.

describe('the customer of a customer’s own mail', () => {
  it('a web form sent from our no-reply address: the person is in Reply-To', async () => {
    const r = await read(
      letter({
        from: 'Fjellstad Web Forms <no-reply@fjellstad.example>',
        headers: ['Reply-To: Amir Haddad <amir.haddad@icloud.example>'],
        subject: '[Contact form] Refund',
        body: 'Name: Amir Haddad\nEmail: amir.haddad@icloud.example\nMessage:\nMy refund is three weeks late.',
      }),
    )
    expect(r).toMatchObject({ customer: { email: 'amir.haddad@icloud.example', name: 'Amir Haddad' }, forwardedBy: [] })
  })

  it('a customer who asks to be answered at another address gets that address', async () => {
    const r = await read(
      letter({
        from: '"Lind, Maja" <maja.lind@hospital-work.example>',
        subject: 'Gift card',
        body: 'Writing from work - please reply to my personal address, maja.lind@proton.example, this inbox is monitored.\nMy gift card balance vanished.\nMaja Lind',
      }),
    )
    expect(r.customer).toEqual({ email: 'maja.lind@proton.example', name: 'Maja Lind' })
    expect(r.reasons.customer.join(' ')).toMatch(/asks to be answered at maja\.lind@proton\.example/)
  })

  it('an address in the signature that differs from From does not replace it', async () => {
    const r = await read(
      letter({
        from: 'Rui Costa <r.costa@company.example>',
        subject: 'Order late',
        body: 'Where is my order?\nRui Costa\npersonal: rui.costa@gmail.example',
      }),
    )
    expect(r.customer.email).toBe('r.costa@company.example')
  })

  it('a family account: the person who signs is the customer, at the family address', async () => {
    const r = await read(
      letter({
        from: 'Familie Hoekstra <fam.hoekstra@ziggo.example>',
        subject: 'Dubbele afschrijving',
        body: 'Goedemiddag,\nDit is Sander, de vader van Lotte. Er is twee keer afgeschreven.\nGroeten,\nSander Hoekstra',
      }),
    )
    expect(r.customer).toEqual({ email: 'fam.hoekstra@ziggo.example', name: 'Sander Hoekstra' })
  })

  it('a fuller name in the signature wins over a shorter display name', async () => {
    const r = await read(
      letter({
        from: 'Lucía Ortega <lucia.ortega@yahoo.example>',
        subject: 'Botas',
        body: 'Las botas se mojan por dentro.\nUn saludo,\nLucía Ortega Vidal',
      }),
    )
    expect(r.customer.name).toBe('Lucía Ortega Vidal')
  })

  it('a display name in another script than the signature: the name as signed in the mail’s script', async () => {
    const r = await read(
      letter({
        from: '=?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@yandex.example>',
        subject: 'App crash',
        body: 'The app crashes on start since the update, please help.\nIvan Petrov\n--\nИван Петров',
      }),
    )
    expect(r.customer.name).toBe('Ivan Petrov')
  })
})

describe('colleagues are never the customer', () => {
  it('an account manager’s call note: the customer is whoever it names, with the address it gives', async () => {
    const r = await read(
      letter({
        from: 'Kari Holm <kari@fjellstad.example>',
        subject: 'Call note - Nordic Trails AS',
        body: 'Desk,\nI just spoke with Ingrid Solberg (Head of Operations, Nordic Trails AS, ingrid.solberg@nordictrails.example). Their order of 60 sleeping bags is two weeks late.\nKari',
      }),
    )
    expect(r).toMatchObject({
      customer: { name: 'Ingrid Solberg', email: 'ingrid.solberg@nordictrails.example' },
      forwardedBy: ['kari@fjellstad.example'],
    })
  })

  it('a store manager’s report without the customer’s address: a name and no address', async () => {
    const r = await read(
      letter({
        from: 'Filiale Hamburg <filiale.hamburg@fjellstad.de>',
        subject: 'Kunde verletzt - Kletterhelm',
        body: 'Hallo Desk,\nheute war Herr Tobias Engel mit seiner Tochter bei uns. Der Kinnriemen ihres Helms ist gerissen, sie hat sich beim Sturz verletzt (Platzwunde, Krankenhaus).\nE-Mail hat er nicht angegeben.\nGruß, Filialleitung',
      }),
    )
    expect(r).toMatchObject({ customer: { name: 'Tobias Engel', email: null }, severity: 'SEV-1', language: 'de' })
  })

  it('a colleague’s report of a post going viral is social, about the poster', async () => {
    const r = await read(
      letter({
        from: 'Social Team <social@fjellstad.example>',
        subject: 'Going viral on TikTok',
        body: 'Heads up: a TikTok by @hikewithnina (Nina Arvidsson, ~40K followers) about our tent leaking has 800K views and 90K likes since last night.\nWe have not replied yet.',
      }),
    )
    expect(r).toMatchObject({
      source: 'social',
      customer: { name: 'Nina Arvidsson', email: null },
      forwardedBy: ['social@fjellstad.example'],
      severity: 'SEV-2',
    })
  })

  it('a journalist’s inquiry forwarded by the press office: the consumer it names, never the journalist', async () => {
    const body =
      'Press inquiry with a deadline.\n\nFrom: Mia Sørensen <mia.sorensen@dailynews.example>\nSent: Monday, November 9, 2026 4:10 PM\nTo: press@fjellstad.example\nSubject: Media inquiry - refunds\n\nI am a consumer reporter with the Daily News and we are working on a story about late refunds. One of them, reader Henrik Aas of Bergen, waited eight weeks. Our deadline is Wednesday noon; a written statement is fine.\nMia Sørensen'
    const r = await read(letter({ from: 'Press Office <press@fjellstad.example>', subject: 'FW: Media inquiry - refunds', body }))
    expect(r).toMatchObject({
      source: 'social',
      customer: { name: 'Henrik Aas', email: null },
      forwardedBy: ['press@fjellstad.example'],
      severity: 'SEV-2',
    })
  })

  it('a reporter who only signs as one is press, and is not the customer', async () => {
    const r = await read(
      letter({
        from: 'Lars Eide <lars.eide@morgenbladet.example>',
        subject: 'Refund delays – for a story on Thursday',
        body: 'Hello, we are working on a story about refund delays at outdoor retailers and would welcome a written statement by Wednesday 15:00.\n\nLars Eide\nConsumer Reporter, Morgenbladet',
      }),
    )
    expect(r).toMatchObject({ source: 'social', customer: { email: null } })
  })

  it('whatever a reading finds, an org address or a no-reply address is never the customer’s', async () => {
    const r = await read(
      letter({
        from: 'Ola Nordmann <ola.nordmann@fjellstad.example>',
        subject: 'Note',
        body: 'Spoke with Per Hansen, per.hansen@fjellstad.example, about his order.',
      }),
    )
    expect(r.customer.email).toBeNull()
  })
})

describe('the customer’s language', () => {
  it('is the language of the customer’s words, not of the forwarder’s note', async () => {
    const body =
      'Bitte heute noch klären.\nPetra Lange\nGeschäftsführerin\n\nVon: Brian Cole <bcole@yahoo.example>\nGesendet: Freitag, 6. November 2026 14:06\nAn: p.lange@fjellstad.de\nBetreff: VAT refund refused\n\nDear Ms Lange, I am a visitor and your Hamburg store refused the tax-free form. I fly home on Sunday. Could somebody please help?\nBrian Cole'
    const r = await read(letter({ from: 'Petra Lange <p.lange@fjellstad.de>', subject: 'WG: VAT refund refused', body }))
    expect(r).toMatchObject({ language: 'en', source: 'ceo_inbox', customer: { email: 'bcole@yahoo.example' } })
  })

  it.each([
    ['pt', 'Encomendei uma tenda e chegou com as varetas partidas. Peço a substituição ou o reembolso total.'],
    ['pl', 'Reklamacja butów została odrzucona, chociaż podeszwa odkleiła się po dwóch miesiącach.'],
    ['sv', 'Någon har loggat in på mitt konto och gjort en beställning som jag inte har gjort.'],
  ])('%s', async (code, body) => {
    expect((await read(letter({ from: 'A Customer <a.customer@mail.example>', subject: 'Hei', body }))).language).toBe(code)
  })
})

describe('an org on a public mailbox provider', () => {
  it('a desk at gmail does not make every gmail customer a colleague', async () => {
    const small = orgContext({ inboundAddresses: ['hjelp.fjellstad@gmail.com'], teamAddresses: ['ola.fjellstad@gmail.com'] })
    const r = await read(
      letter({
        from: 'Siri Dahl <siri.dahl@gmail.com>',
        to: 'hjelp.fjellstad@gmail.com',
        subject: 'Refund',
        body: 'Where is my refund?\nSiri Dahl',
      }),
      small,
    )
    expect(r.customer.email).toBe('siri.dahl@gmail.com')
    const colleague = await read(
      letter({
        from: 'Ola <ola.fjellstad@gmail.com>',
        to: 'hjelp.fjellstad@gmail.com',
        subject: 'Call note',
        body: 'Spoke with Per Hansen about his order.',
      }),
      small,
    )
    expect(colleague).toMatchObject({ customer: { name: 'Per Hansen', email: null }, forwardedBy: ['ola.fjellstad@gmail.com'] })
  })
})
