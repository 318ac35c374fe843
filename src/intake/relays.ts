// Two ways a customer's words reach the desk that look like something else:
// - a colleague (often an executive) answers the customer with the desk in copy: the mail is the
//   colleague's, but the customer is the person answered, whose words are quoted below;
// - a customer forwards our own team's answer to the desk ("see what your support wrote"): the
//   deepest original is ours, but the customer is who forwarded it, and their note is the complaint.
// Each is read as the forward it amounts to, so the rest of intake reads it like any other.
import { isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import type { Address, ParsedMail } from './parse.ts'
import { quotedHistory, withoutQuotedHistory } from './text.ts'
import type { Unwrapped } from './unwrap.ts'

export type Relay = { kind: 'answered' | 'forwarded_ours'; reason: string }

const REPLY_PREFIX = /^\s*(?:re|aw|sv|antw|r|rif|res|odp|vs|v[áa]|ynt|απ|отг)\s*:\s*/iu

const outside = (org: OrgContext, a: Address | null | undefined): a is Address =>
  !!a?.email && !isOrgAddress(org, a.email) && !isNoReplyAddress(a.email)

/** The message as the forward it amounts to, or the message itself when it is neither relay. */
export function asCustomerRelay(mail: ParsedMail, unwrapped: Unwrapped, org: OrgContext): { view: Unwrapped; relay: Relay | null } {
  return answeredCustomer(mail, unwrapped, org) ?? forwardedOurAnswer(unwrapped, org) ?? { view: unwrapped, relay: null }
}

function answeredCustomer(mail: ParsedMail, unwrapped: Unwrapped, org: OrgContext): { view: Unwrapped; relay: Relay } | null {
  const sender = mail.from
  if (unwrapped.depth !== 0 || !sender?.email || !isOrgAddress(org, sender.email) || isNoReplyAddress(sender.email)) return null
  // The desk must be only in copy of a mail to an outside person who wrote first.
  const recipients = mail.to.filter((a) => outside(org, a))
  if (recipients.length !== 1) return null
  const customer = recipients[0]!
  const quoted = quotedHistory(mail.text)
  const isReply = REPLY_PREFIX.test(mail.subject) || !!mail.inReplyTo
  const quotesThem =
    quoted.toLowerCase().includes(customer.email.toLowerCase()) || (!!customer.name && quoted.includes(customer.name.split(/[\s,]+/)[0]!))
  if (!isReply || quoted.length < 20 || !quotesThem) return null
  const own = withoutQuotedHistory(mail.text)
  return {
    view: {
      ...unwrapped,
      customer,
      forwardedBy: [sender],
      subject: mail.subject.replace(REPLY_PREFIX, '') || mail.subject,
      text: quoted,
      note: own,
      depth: 1,
      originalTo: [sender],
      originalCc: [],
      originalReplyTo: [],
      layers: [{ from: sender, note: own }],
    },
    relay: {
      kind: 'answered',
      reason: `${sender.email.toLowerCase()} answers ${customer.email.toLowerCase()} with the desk in copy; the customer's words are quoted below`,
    },
  }
}

function forwardedOurAnswer(unwrapped: Unwrapped, org: OrgContext): { view: Unwrapped; relay: Relay } | null {
  if (unwrapped.depth === 0 || !unwrapped.customer?.email || !isOrgAddress(org, unwrapped.customer.email)) return null
  // The deepest outside person in the chain passed our own answer on: that is the customer.
  const at = findLastIndex(unwrapped.layers, (l) => outside(org, l.from))
  if (at < 0) return null
  const layer = unwrapped.layers[at]!
  const email = layer.from.email.toLowerCase()
  const before = unwrapped.forwardedBy.slice(
    0,
    Math.max(
      0,
      unwrapped.forwardedBy.findIndex((a) => a.email.toLowerCase() === email),
    ),
  )
  return {
    view: {
      ...unwrapped,
      customer: layer.from,
      forwardedBy: before,
      text: layer.note,
      note:
        unwrapped.layers
          .slice(0, at)
          .map((l) => l.note)
          .join('\n\n') || null,
      originalTo: [],
      originalCc: [],
      originalReplyTo: [],
      layers: unwrapped.layers.slice(0, at),
    },
    relay: {
      kind: 'forwarded_ours',
      reason: `${email} forwards our own answer (from ${unwrapped.customer.email.toLowerCase()}); their note is the complaint`,
    },
  }
}

function findLastIndex<T>(list: T[], test: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i
  return -1
}
