// Who the customer is, given what the readers found: the consumer a notice names, counsel's
// client, the person a public post or a colleague's report is about, else the sender of the
// customer's own mail. Whatever the reading, a colleague's or a machine's address is never theirs.
import type { CounselReading } from './counsel.ts'
import { ordinaryCustomer } from './customer.ts'
import { displayName } from './names.ts'
import type { NoticeReading, Person } from './notice-types.ts'
import { isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import type { Address, ParsedMail } from './parse.ts'
import { findNamedPerson } from './people.ts'
import type { PublicExposure } from './social.ts'
import { signatureLines } from './text.ts'

export type CustomerInput = {
  notice: NoticeReading | null
  counsel: CounselReading | null
  exposure: PublicExposure | null
  report: boolean
  original: { from: Address | null; replyTo: Address[]; text: string }
  layers: { from: Address; note: string }[]
  org: OrgContext
  mail: ParsedMail
}

export function decideCustomer(input: CustomerInput): { person: Person; reasons: string[] } {
  const { notice, counsel, exposure, org } = input
  const chosen = notice
    ? { person: notice.consumer, reasons: notice.reasons.customer }
    : counsel
      ? { person: counsel.client, reasons: counsel.reasons.customer }
      : exposure && exposure.kind === 'public_post' && !input.report
        ? ordinaryCustomer(input.original, org)
        : exposure
          ? { person: exposure.person, reasons: exposure.personReasons }
          : input.report
            ? reportedCustomer(input)
            : ordinaryCustomer(input.original, org)
  // Whatever the reading, a colleague's or a machine's address is never the customer's.
  const email = chosen.person.email?.toLowerCase() ?? null
  if (email && (isOrgAddress(org, email) || isNoReplyAddress(email))) {
    return { person: { ...chosen.person, email: null }, reasons: [...chosen.reasons, `${email} is not a customer's address`] }
  }
  return { person: { name: chosen.person.name, email }, reasons: chosen.reasons }
}

/** A colleague's report: the customer is whoever it names, never the colleague. */
function reportedCustomer(input: CustomerInput): { person: Person; reasons: string[] } {
  const colleagues = [input.original.from, ...input.layers.map((l) => l.from), ...input.mail.to, ...input.mail.cc]
    .map((a) => displayName(a?.name))
    .filter((n): n is string => !!n)
  const signed = input.layers.flatMap((l) => signatureLines(l.note, 6))
  const found = findNamedPerson(input.original.text, input.org, { exclude: [...colleagues, ...signed] })
  return found.person.name || found.person.email
    ? { person: found.person, reasons: [...found.reasons, 'a colleague’s report: the colleague is not the customer'] }
    : { person: { name: null, email: null }, reasons: ['a colleague’s report that names no customer'] }
}
