import { describe, expect, it } from 'vitest'
import { describeRecipients, replyRoute, type ReplyParty } from '../../src/drafts/recipient.ts'

const org = { inboundAddresses: ['escalations@northwind.example'], domains: ['northwind.example'], teamAddresses: [] }
const party = (p: Partial<ReplyParty>): ReplyParty => ({
  customerName: null,
  customerEmail: null,
  channelKind: null,
  channelName: null,
  channelEmail: null,
  ...p,
})

describe('where a reply goes', () => {
  it('to the customer when the case has their address', () => {
    expect(replyRoute(party({ customerName: 'Pat', customerEmail: 'pat@customer.test' }), org)).toEqual({
      kind: 'customer',
      to: ['pat@customer.test'],
      sentence: 'This reply goes to Pat <pat@customer.test>.',
    })
  })

  it("a notice with the consumer's address: to the consumer, and it says so", () => {
    const route = replyRoute(
      party({
        customerName: 'Maria Gonzalez',
        customerEmail: 'maria@gmail.com',
        channelKind: 'bbb',
        channelName: 'BBB Serving Central Ohio',
        channelEmail: 'complaints@columbus.bbb.org',
      }),
      org,
    )
    expect(route).toMatchObject({ kind: 'customer', to: ['maria@gmail.com'] })
    expect(route.sentence).toBe('This reply goes to Maria Gonzalez <maria@gmail.com>, not through the BBB (BBB Serving Central Ohio).')
  })

  it("a notice without one: back through the body's real reply address, never its no-reply one", () => {
    const real = replyRoute(
      party({
        customerName: 'Maria Gonzalez',
        channelKind: 'bbb',
        channelName: 'BBB Serving Central Ohio',
        channelEmail: 'complaints@columbus.bbb.org',
      }),
      org,
    )
    expect(real).toMatchObject({ kind: 'channel', to: ['complaints@columbus.bbb.org'] })
    expect(real.sentence).toBe(
      'This reply goes to the BBB (BBB Serving Central Ohio), not the consumer: the notice gives no address for Maria Gonzalez.',
    )
    const noReply = replyRoute(
      party({ customerName: 'Maria Gonzalez', channelKind: 'cfpb', channelName: 'CFPB', channelEmail: 'no-reply@consumerfinance.gov' }),
      org,
    )
    expect(noReply).toMatchObject({ kind: 'none', to: [] })
    expect(noReply.sentence).toMatch(/^No recipient: the notice gives no address for Maria Gonzalez/)
  })

  it("a lawyer's letter: to counsel, never the client", () => {
    const route = replyRoute(
      party({
        customerName: 'Mr Weber',
        customerEmail: 'weber@gmx.de',
        channelKind: 'counsel',
        channelName: 'Kötter & Partner',
        channelEmail: 'm.koetter@koetter-partner.de',
      }),
      org,
    )
    expect(route).toEqual({
      kind: 'channel',
      to: ['m.koetter@koetter-partner.de'],
      sentence: 'This reply goes to counsel, Kötter & Partner, not to Mr Weber.',
    })
  })

  it('a colleague or a no-reply address on the case is no recipient', () => {
    expect(replyRoute(party({ customerEmail: 't.baker@northwind.example' }), org)).toMatchObject({ kind: 'none', to: [] })
    expect(replyRoute(party({ customerEmail: 'noreply@shop.test' }), org)).toMatchObject({ kind: 'none', to: [] })
  })

  it("tells the approver where a draft's actual To goes", () => {
    const p = party({
      customerName: 'Mr Weber',
      channelKind: 'counsel',
      channelName: 'Kötter & Partner',
      channelEmail: 'm.koetter@koetter-partner.de',
    })
    expect(describeRecipients(['m.koetter@koetter-partner.de'], p)).toBe(
      'This reply goes to counsel, Kötter & Partner <m.koetter@koetter-partner.de>, not to Mr Weber.',
    )
    expect(describeRecipients(['x@y.test'], p)).toBe('This reply goes to x@y.test.')
  })
})
