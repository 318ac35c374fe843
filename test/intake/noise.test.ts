import { describe, expect, it } from 'vitest'
import { letter, read } from './read-mail.ts'

// Not every message is an escalation: auto-replies, delivery reports, bulk mail, invitations and
// other companies' ticket acknowledgements are kept with a reason, never turned into a case.

const customer = 'Lena Vogt <lena.vogt@posteo.example>'

describe('auto-replies', () => {
  it.each([
    ['RFC 3834 Auto-Submitted', ['Auto-Submitted: auto-replied'], 'Re: Ihre Rücksendung', 'Danke für Ihre Nachricht.'],
    ['X-Autoreply', ['X-Autoreply: yes'], 'Re: Your return', 'Thanks, I will answer soon.'],
    ['Precedence: auto_reply', ['Precedence: auto_reply'], 'Re: Your return', 'Thanks for writing.'],
  ])('%s is an auto-reply', async (_label, headers, subject, body) => {
    const r = await read(letter({ from: customer, subject, body, headers }))
    expect(r.isEscalation).toBe(false)
    expect(r.classification.noise?.kind).toBe('auto_reply')
  })

  it.each([
    ['German', 'Abwesenheitsnotiz', 'Vielen Dank für Ihre E-Mail. Ich bin bis 20.11. im Urlaub und lese keine Nachrichten.'],
    ['French', 'Réponse automatique : Re: commande', 'Bonjour, je suis absente jusqu’au 16 novembre inclus.'],
    ['Spanish', 'Respuesta automática: Re: pedido', 'Estaré fuera de la oficina hasta el lunes.'],
    ['Italian', 'Re: ordine 4471', 'Gentile cliente, sono in ferie fino al 23 novembre e rispondo al mio rientro.'],
    ['Dutch', 'Automatisch antwoord: retour', 'Ik ben afwezig tot en met vrijdag.'],
  ])('an out-of-office reply in %s without any header says so', async (_language, subject, body) => {
    const raw = letter({ from: customer, subject, body, headers: ['In-Reply-To: <reply-1@fjellstad.example>'] })
    const r = await read(raw)
    expect(r.isEscalation).toBe(false)
    expect(r.escalationReason).toMatch(/automatic reply|out-of-office/)
  })

  it('a customer who writes that they were away is not an auto-reply when it is a new complaint', async () => {
    const r = await read(
      letter({
        from: customer,
        subject: 'Zelt undicht',
        body: 'Ich war im Urlaub und das Zelt war beim ersten Regen undicht. Ich möchte mein Geld zurück.',
      }),
    )
    expect(r.isEscalation).toBe(true)
  })
})

describe('delivery and read reports', () => {
  const report = (type: string, parts: string) =>
    letter({
      from: 'Mail Delivery System <MAILER-DAEMON@mx.fjellstad.example>',
      subject: 'Undelivered Mail Returned to Sender',
      contentType: `multipart/report; report-type=${type}; boundary="b1"`,
      headers: ['Auto-Submitted: auto-replied'],
      body: `--b1\nContent-Type: text/plain\n\nThis is the mail system.\n\n${parts}--b1--\n`,
    })

  it('a DSN is a delivery report and names the message of ours it returns', async () => {
    const raw = report(
      'delivery-status',
      [
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Final-Recipient: rfc822; lena.vogt@posteo.example',
        'Action: failed',
        'Status: 5.2.2',
        '',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        'From: Fjellstad Desk <desk@fjellstad.example>',
        'To: lena.vogt@posteo.example',
        'Subject: Re: Zelt undicht',
        'Message-ID: <desk-reply-77@fjellstad.example>',
        'In-Reply-To: <CAx1-lena@mail.posteo.example>',
        'References: <CAx1-lena@mail.posteo.example>',
        '',
        '',
      ].join('\n'),
    )
    const r = await read(raw)
    expect(r.isEscalation).toBe(false)
    expect(r.classification.noise?.kind).toBe('delivery_report')
    expect(r.classification.referencedMessageIds).toEqual(
      expect.arrayContaining(['desk-reply-77@fjellstad.example', 'CAx1-lena@mail.posteo.example']),
    )
    expect(r.customer.email).toBeNull()
  })

  it('a read receipt (disposition-notification) is not an escalation', async () => {
    const r = await read(
      report(
        'disposition-notification',
        '--b1\nContent-Type: message/disposition-notification\n\nDisposition: manual-action/MDN-sent-manually; displayed\n\n',
      ),
    )
    expect(r.classification.noise?.kind).toBe('read_receipt')
  })
})

describe('bulk mail', () => {
  it('a newsletter with List-Unsubscribe is bulk, even when it talks about complaints and the BBB', async () => {
    const r = await read(
      letter({
        from: 'Retail Insider <news@retail-insider.example>',
        subject: 'This week: BBB complaint trends and CFPB rules',
        headers: ['List-Unsubscribe: <https://retail-insider.example/u/1>', 'Precedence: bulk'],
        body: 'Complaints to the Better Business Bureau about subscriptions rose 12%. The CFPB published new rules.',
      }),
    )
    expect(r.isEscalation).toBe(false)
    expect(r.escalationReason).toMatch(/Precedence: bulk|List-Unsubscribe/)
  })

  it('a customer replying to our newsletter with a complaint is an escalation', async () => {
    const r = await read(
      letter({
        from: customer,
        subject: 'Re: Winter sale – 30% off',
        headers: ['In-Reply-To: <news-2026-11@mail.fjellstad.example>'],
        body: 'Stop sending me sale mails while you still owe me 120 EUR for a return from October.\n\nLena Vogt',
      }),
    )
    expect(r.isEscalation).toBe(true)
    expect(r.customer).toEqual({ email: 'lena.vogt@posteo.example', name: 'Lena Vogt' })
  })

  it('a journalist writing to our own press group keeps the list headers of our group and is read as a person', async () => {
    const r = await read(
      letter({
        from: 'Jonas Berg <jonas.berg@dagsavis.example>',
        to: 'presse@fjellstad.example',
        subject: 'Pressehenvendelse',
        headers: ['List-Id: <presse.fjellstad.example>', 'Precedence: list', 'Sender: presse@fjellstad.example'],
        body: 'I am a reporter with Dagsavisen and we are working on a story about delayed refunds. Our deadline is Thursday 14:00; we would welcome a written statement.',
      }),
    )
    expect(r.isEscalation).toBe(true)
    expect(r.source).toBe('social')
  })

  it('a review platform’s notice of a one-star review is an escalation despite its bulk headers', async () => {
    const r = await read(
      letter({
        from: 'Trustpilot <noreply@trustpilot.com>',
        subject: 'New 1-star review from Marit Solheim',
        headers: ['List-Unsubscribe: <https://trustpilot.com/u>'],
        body: 'Fjellstad Gear has a new review\nMarit Solheim\n2 reviews · NO\nRated 1 out of 5 stars\nBroken zipper, no refund\n"The zipper broke on the first trip and support never answered my three emails. I want a refund."',
      }),
    )
    expect(r).toMatchObject({
      isEscalation: true,
      source: 'social',
      channel: { kind: 'review_platform' },
      customer: { name: 'Marit Solheim', email: null },
      // A lone review, nothing says it is spreading: public, SEV-3 (the rubric's decision of 2026-12-01).
      severity: 'SEV-3',
    })
  })

  it('the same platform’s marketing is not', async () => {
    const r = await read(
      letter({
        from: 'Trustpilot <noreply@trustpilot.com>',
        subject: 'Webinar: turn reviews into growth',
        headers: ['List-Unsubscribe: <https://trustpilot.com/u>'],
        body: 'Join our free webinar on Thursday to learn how top brands answer reviews.',
      }),
    )
    expect(r.isEscalation).toBe(false)
  })
})

describe('other automatic mail', () => {
  it('a calendar invitation from a colleague is not an escalation', async () => {
    const raw = letter({
      from: 'Anna Berg <anna.berg@fjellstad.example>',
      subject: 'Q1 desk review',
      contentType: 'multipart/mixed; boundary="c1"',
      body: '--c1\nContent-Type: text/plain\n\nQuarterly review of the desk.\n--c1\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n--c1--\n',
    })
    expect((await read(raw)).classification.noise?.kind).toBe('calendar')
  })

  it('another company’s helpdesk acknowledging our ticket is not an escalation', async () => {
    const r = await read(
      letter({
        from: 'Carrier Support <support@carrier.example>',
        subject: '[Ticket #88123] Re: parcel status',
        headers: ['X-Mailer: Zendesk Mailer'],
        body: 'Your request (88123) has been received and is being reviewed by our support staff.',
      }),
    )
    expect(r.classification.noise?.kind).toBe('ticket_acknowledgement')
  })
})
