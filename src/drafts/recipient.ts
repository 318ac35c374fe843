// Where a reply goes, and how the approver is told. A reply never goes to a no-reply address or
// to a colleague. The customer of a notice is the consumer it names; when the notice gives no
// address for them, the reply goes back through the body (its real reply address) and says so.
// A lawyer's letter is answered to counsel ("direct all communication to the undersigned"),
// never to their client.
import { channelLabels, type ChannelKind } from '../cases/terms.ts'
import { isNoReplyAddress, isOrgAddress, type OrgContext } from '../intake/org-context.ts'

export type ReplyParty = {
  customerName: string | null
  customerEmail: string | null
  channelKind: ChannelKind | null
  channelName: string | null
  channelEmail: string | null
}

export type ReplyRoute = { kind: 'customer' | 'channel'; to: string[]; sentence: string } | { kind: 'none'; to: []; sentence: string }

/** Why an address can never receive a reply, or null when it can. */
export function unusableRecipient(
  address: string,
  org: Pick<OrgContext, 'inboundAddresses' | 'domains' | 'teamAddresses'> | null,
): 'no_reply' | 'colleague' | null {
  if (isNoReplyAddress(address)) return 'no_reply'
  if (org && isOrgAddress({ ...org, executives: [] }, address)) return 'colleague'
  return null
}

const channelWords = (p: ReplyParty) => {
  const label = p.channelKind ? channelLabels[p.channelKind] : 'the sender'
  return p.channelName && p.channelKind !== 'counsel' ? `${label} (${p.channelName})` : p.channelName ? `${label}, ${p.channelName}` : label
}
const customerWords = (p: ReplyParty, fallback: string) => p.customerName ?? fallback

/** The recipient a draft gets, with the sentence the approver and the case page show. */
export function replyRoute(p: ReplyParty, org: Pick<OrgContext, 'inboundAddresses' | 'domains' | 'teamAddresses'> | null): ReplyRoute {
  const usable = (a: string | null): a is string => !!a && unusableRecipient(a, org) === null
  if (p.channelKind === 'counsel') {
    if (usable(p.channelEmail)) {
      return {
        kind: 'channel',
        to: [p.channelEmail],
        sentence: `This reply goes to ${channelWords(p)}, not to ${customerWords(p, 'their client')}.`,
      }
    }
    return {
      kind: 'none',
      to: [],
      sentence: `No recipient: the letter gives no address for counsel to reply to. Add counsel's address; never write to ${customerWords(p, 'their client')} directly.`,
    }
  }
  if (usable(p.customerEmail)) {
    const through = p.channelKind ? `, not through ${channelWords(p)}` : ''
    return {
      kind: 'customer',
      to: [p.customerEmail],
      sentence: `This reply goes to ${p.customerName ? `${p.customerName} <${p.customerEmail}>` : p.customerEmail}${through}.`,
    }
  }
  if (p.channelKind) {
    const consumer = customerWords(p, 'the consumer')
    if (usable(p.channelEmail)) {
      return {
        kind: 'channel',
        to: [p.channelEmail],
        sentence: `This reply goes to ${channelWords(p)}, not the consumer: the notice gives no address for ${consumer}.`,
      }
    }
    return {
      kind: 'none',
      to: [],
      sentence: `No recipient: the notice gives no address for ${consumer}, and ${channelWords(p)} can only be answered through its own portal or a real reply address.`,
    }
  }
  return {
    kind: 'none',
    to: [],
    sentence: 'No recipient: the case has no address for the customer yet. Correct the customer on the case first.',
  }
}

/**
 * Where a draft's actual To goes, in words, for the approver: a person may have edited it, so
 * this reads the addresses against the case rather than trusting the route.
 */
export function describeRecipients(to: string[], p: ReplyParty): string {
  if (!to.length) {
    const route = replyRoute(p, null)
    return route.kind === 'none' ? route.sentence : 'This reply has no recipient yet.'
  }
  const lower = to.map((a) => a.toLowerCase())
  if (p.channelKind && p.channelEmail && lower.every((a) => a === p.channelEmail)) {
    const notWhom = p.channelKind === 'counsel' ? customerWords(p, 'their client') : 'the consumer'
    return `This reply goes to ${channelWords(p)} <${p.channelEmail}>, not to ${notWhom}.`
  }
  if (p.customerEmail && lower.every((a) => a === p.customerEmail)) {
    return `This reply goes to the customer, ${p.customerName ? `${p.customerName} <${p.customerEmail}>` : p.customerEmail}${p.channelKind ? `, not through ${channelWords(p)}` : ''}.`
  }
  return `This reply goes to ${to.join(', ')}.`
}
