import { describe, expect, it } from 'vitest'
import { orgContext } from '../../src/intake/org-context.ts'
import { letter, read } from './read-mail.ts'

// Executives are recognised the way a colleague would: the configured list, a title in a
// signature or display name, the CEO's office or assistant passing a mail on, the role mailbox,
// and who the customer wrote to. The reason is shown, and whether the desk was told.

const customerMail = (header: string) =>
  [
    header,
    '',
    'Hello, the tent I bought in September leaks at every seam. Support has not answered in three weeks.',
    'Marta Kowalski',
  ].join('\n')

const gmailForward = (note: string, to: string) =>
  `${note}\n\n---------- Forwarded message ---------\nFrom: Marta Kowalski <marta.k@onet.example>\nDate: Mon, Nov 9, 2026 at 7:40 PM\nSubject: Leaking tent\nTo: <${to}>\n\n${customerMail('')}`

describe('executives', () => {
  it('the configured CEO forwarding a customer mail makes it ceo_inbox, SEV-3', async () => {
    const r = await read(
      letter({
        from: 'Anna Berg <anna.berg@fjellstad.example>',
        subject: 'Fwd: Leaking tent',
        body: gmailForward('Please sort this out today.\nAnna', 'anna.berg@fjellstad.example'),
      }),
    )
    expect(r).toMatchObject({
      source: 'ceo_inbox',
      severity: 'SEV-3',
      executive: { email: 'anna.berg@fjellstad.example', configured: true },
      customer: { email: 'marta.k@onet.example' },
    })
  })

  // The same org, but its list names the CEO without a title.
  const untitled = orgContext({
    name: 'Fjellstad Gear',
    inboundAddresses: ['desk@fjellstad.example'],
    domains: ['fjellstad.example'],
    executives: [{ email: 'anna.berg@fjellstad.example', name: 'Anna Berg', title: '' }],
  })
  it('a listed executive without a title on the list gets the one their signature gives', async () => {
    const r = await read(
      letter({
        from: 'Anna Berg <anna.berg@fjellstad.example>',
        subject: 'Fwd: Leaking tent',
        body: gmailForward(
          'Please sort this out today.\n\nAnna Berg\nChief Executive Officer | Fjellstad Gear',
          'anna.berg@fjellstad.example',
        ),
      }),
      untitled,
    )
    expect(r.executive).toMatchObject({
      email: 'anna.berg@fjellstad.example',
      configured: true,
      title: expect.stringMatching(/chief executive officer|ceo/i),
    })
  })

  it.each([
    [
      'Chief Operating Officer',
      'Henrik Dahl <h.dahl@fjellstad.example>',
      'Can someone own this?\n\nHenrik Dahl\nChief Operating Officer | Fjellstad Gear',
    ],
    [
      'Geschäftsführerin',
      'Petra Lange <p.lange@fjellstad.de>',
      'Bitte heute noch erledigen.\n\nPetra Lange\nGeschäftsführerin\nFjellstad Gear GmbH',
    ],
    [
      'Directrice générale',
      'Julie Marchal <j.marchal@fjellstad.example>',
      'Merci de traiter ce dossier.\n\nJulie Marchal\nDirectrice générale France',
    ],
    [
      'Chief of Staff to the CEO',
      'Sanna Lie <s.lie@fjellstad.example>',
      'Anna asked me to pass this on.\n\nSanna Lie\nChief of Staff to the CEO',
    ],
    [
      'Executive Assistant to the CEO',
      'Tor Vik <t.vik@fjellstad.example>',
      'Forwarding on Anna’s behalf.\n\nTor Vik | Executive Assistant to the CEO',
    ],
  ])('a signature saying %s is recognised, with the reason, and offered for the list', async (title, from, note) => {
    const r = await read(letter({ from, subject: 'Fwd: Leaking tent', body: gmailForward(note, from.replace(/^.*<|>$/g, '')) }))
    expect(r.source).toBe('ceo_inbox')
    expect(r.executive).toMatchObject({ configured: false })
    expect(r.reasons.executive[0]).toContain(title)
  })

  it('a role mailbox of the founder is recognised without a signature', async () => {
    const r = await read(
      letter({
        from: 'Erik Fjellstad <founder@fjellstad.example>',
        subject: 'Fwd: Leaking tent',
        body: gmailForward('-E', 'founder@fjellstad.example'),
      }),
    )
    expect(r).toMatchObject({ source: 'ceo_inbox', executive: { email: 'founder@fjellstad.example' } })
  })

  it('a personal address counts only when the signature names the org beside the title', async () => {
    const signed = await read(
      letter({
        from: 'Erik Fjellstad <erik.f@gmail.example>',
        subject: 'Fwd: Leaking tent',
        body: gmailForward('From my own account.\n--\nErik Fjellstad\nFounder & President, Fjellstad Gear', 'erik.f@gmail.example'),
      }),
    )
    expect(signed.source).toBe('ceo_inbox')
    const stranger = await read(
      letter({
        from: 'Bob <bob@gmail.example>',
        subject: 'Fwd: Leaking tent',
        body: gmailForward('FYI\nBob\nCEO, Bobs Bikes', 'bob@gmail.example'),
      }),
    )
    expect(stranger.source).toBe('direct')
  })

  it('a colleague whose note mentions a customer’s title is not an executive', async () => {
    const r = await read(
      letter({
        from: 'Kari Holm <kari@fjellstad.example>',
        subject: 'Alpine Tours - cancellation threat',
        body: 'Just got off the phone with Jonas Weber (Managing Director, Alpine Tours GmbH, jonas.weber@alpinetours.example). He will cancel the contract if the 40 jackets are not delivered by Monday.\n\nKari\nAccount Manager',
      }),
    )
    expect(r).toMatchObject({
      source: 'direct',
      executive: null,
      customer: { name: 'Jonas Weber', email: 'jonas.weber@alpinetours.example' },
      forwardedBy: ['kari@fjellstad.example'],
      severity: 'SEV-3',
    })
  })

  it('the company imprint under a colleague’s mail ("Geschäftsführer: …") makes nobody an executive', async () => {
    const r = await read(
      letter({
        from: 'Jan Otto <j.otto@fjellstad.de>',
        subject: 'WG: Reklamation',
        body: 'Bitte übernehmen.\nJan Otto\nKundenservice\nFjellstad Gear GmbH · Geschäftsführer: Petra Lange\n\nVon: Marta Kowalski <marta.k@onet.example>\nGesendet: Montag, 9. November 2026 19:40\nAn: kundenservice@fjellstad.de\nBetreff: Reklamation\n\nDas Zelt ist undicht. Marta Kowalski',
      }),
    )
    expect(r).toMatchObject({ source: 'direct', executive: null, forwardedBy: ['j.otto@fjellstad.de'] })
  })

  it('a customer’s mail that reached the CEO in Cc is ceo_inbox even in support’s copy', async () => {
    const body =
      'Sharing this.\n\nFrom: Marta Kowalski <marta.k@onet.example>\nSent: Monday, November 9, 2026 7:40 PM\nTo: support@fjellstad.example\nCc: anna.berg@fjellstad.example\nSubject: Leaking tent\n\nThe tent leaks. Marta Kowalski'
    const r = await read(letter({ from: 'Ola Nordmann <ola.nordmann@fjellstad.example>', subject: 'FW: Leaking tent', body }))
    expect(r).toMatchObject({ source: 'ceo_inbox', executive: { email: 'anna.berg@fjellstad.example', configured: true } })
  })

  it('a customer who looked up a manager’s address to write over support’s head reached leadership', async () => {
    const body =
      'Pls handle.\n\nFrom: Marta Kowalski <marta.k@onet.example>\nSent: Monday, November 9, 2026 7:40 PM\nTo: h.dahl@fjellstad.example\nSubject: Leaking tent\n\nMr Dahl, I found your address on LinkedIn. The tent leaks and support has ignored me for three weeks.\nMarta Kowalski'
    const r = await read(letter({ from: 'Henrik Dahl <h.dahl@fjellstad.example>', subject: 'FW: Leaking tent', body }))
    expect(r.source).toBe('ceo_inbox')
    expect(r.reasons.executive[0]).toMatch(/looked up h\.dahl@fjellstad\.example/)
  })
})

describe('going over support’s head', () => {
  it('a customer writing “directly” to an account manager has not reached an executive', async () => {
    const body =
      'FYI.\nKari Holm\nAccount Manager\n\nFrom: Jonas Weber <jonas.weber@alpinetours.example>\nSent: Monday, November 9, 2026 7:40 PM\nTo: kari@fjellstad.example\nSubject: Jackets\n\nKari, I am writing to you directly because support is not answering. Where are our 40 jackets?\nJonas Weber'
    const r = await read(letter({ from: 'Kari Holm <kari@fjellstad.example>', subject: 'FW: Jackets', body }))
    expect(r).toMatchObject({ source: 'direct', executive: null })
  })
})
