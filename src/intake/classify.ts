// Reads one parsed, unwrapped message the way a careful escalation manager does: is it an
// escalation at all; through whom did it reach us (source, channel); who is the customer; which
// executive did it reach; which reference does it carry; how severe is it; in which language did
// the customer write. Each answer comes with its reasons. Pure: no database, no network.
import { caseType } from './case-type.ts'
import type { Classification, Source } from './classification.ts'
import type { CounselReading } from './counsel.ts'
import { decideCustomer } from './customer-decision.ts'
import { dedupeKeys } from './dedupe.ts'
import { recogniseExecutives, type RecognisedExecutive } from './executives.ts'
import { MAX_SAMPLE_CHARS } from './language.ts'
import { readLetters, type LetterText } from './letters.ts'
import { detectNoise, referencedMessageIds, type Noise } from './noise.ts'
import type { NoticeReading } from './notice-types.ts'
import { isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import type { Address, ParsedMail } from './parse.ts'
import { findReference, type Reference } from './references.ts'
import { asCustomerRelay, type Relay } from './relays.ts'
import { rateSeverity } from './severity.ts'
import { isSpreading, readPublicExposure, type PublicExposure } from './social.ts'
import { withoutQuotedHistory } from './text.ts'
import type { Unwrapped } from './unwrap.ts'

const MAX_TEXT = 60_000

/**
 * The text with every run of more than two empty lines (empty once quote marks and spaces are
 * gone) cut to two: what a reader sees, and the readers' per-line work stays proportional to the
 * words, not to 50,000 lines of ">" that say nothing.
 */
function withoutBlankRuns(text: string): string {
  const kept: string[] = []
  let blanks = 0
  for (const line of text.split('\n')) {
    let i = 0
    while (i < line.length && (line[i] === '>' || line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++
    blanks = i === line.length ? blanks + 1 : 0
    if (blanks <= 2) kept.push(line)
  }
  return kept.join('\n')
}

/** The message as the readers see it: the original under any forwards, and who brought it. */
type Arrival = {
  unwrapped: Unwrapped
  relay: Relay | null
  original: LetterText
  /** The original with the text of its attached letters after its own words. */
  withLetters: LetterText
  letters: ParsedMail['letters']
  attachmentNames: string[]
  /** A colleague writing their own report, not forwarding a mail. */
  report: boolean
  /** The original itself comes from a colleague. */
  originalFromOrg: boolean
  layers: { from: Address; note: string }[]
}

export function classify(mail: ParsedMail, received: Unwrapped, org: OrgContext): Classification {
  const noise = detectNoise(mail, org)
  const arrival = readArrival(mail, received, org)
  const { unwrapped, relay, original, report, layers } = arrival
  const byColleague = report || arrival.originalFromOrg
  const { notice, counsel } = readLetters(original, arrival.withLetters, org, {
    attachmentNames: arrival.attachmentNames,
    bulk: !!noise && noise.kind === 'bulk',
    notes: unwrapped.note ?? '',
  })
  const exposure = notice || counsel ? null : readPublicExposure(`${original.subject}\n${original.text}`, byColleague, org)
  const executives = recogniseExecutives(
    { layers, originalTo: unwrapped.originalTo, originalCc: unwrapped.originalCc, originalText: original.text },
    org,
  )
  const executive = executives[0] ?? null

  const { source, sourceReasons } = decideSource(notice, counsel, exposure, executive)
  const customer = decideCustomer({ notice, counsel, exposure, report: byColleague, original, layers, org, mail })
  const forwardedBy = report ? [mail.from!.email.toLowerCase()] : unwrapped.forwardedBy.map((a) => a.email.toLowerCase()).filter(Boolean)
  // An automatic reply quoting our subject ("AW: … Unser Az.: 412/26 BR07") refers to that matter.
  const reference =
    notice?.reference ?? counsel?.reference ?? findReference([original.subject, original.text], noise ? 'notice' : 'customer')
  const everything = allWords(mail, arrival)
  const { severity, reasons: severityReasons } = severityOf(everything, { notice, counsel, exposure, reference, executive })
  const words = notice?.complaint || (byColleague ? original.text : withoutQuotedHistory(original.text)) || original.text
  const whose = notice ? "the consumer's complaint" : counsel ? "counsel's letter" : 'the customer'
  return {
    ...escalation(mail, noise, !!(notice || counsel)),
    source,
    sourceReasons,
    channel: notice?.channel ?? counsel?.channel ?? null,
    channelReasons: notice?.reasons.channel ?? counsel?.reasons.channel ?? [],
    customer: customer.person,
    customerReasons: relay ? [relay.reason, ...customer.reasons] : customer.reasons,
    forwardedBy,
    executive,
    executives,
    severity,
    severityReasons,
    type: caseType(everything, source, severityReasons),
    externalRef: reference?.value ?? null,
    externalRefReasons: reference ? [reference.reason] : [],
    language: null,
    languageReasons: [],
    languageSample: { text: words.slice(0, MAX_SAMPLE_CHARS), whose },
    dedupe: dedupeKeys(mail, received, org),
  }
}

function readArrival(mail: ParsedMail, received: Unwrapped, org: OrgContext): Arrival {
  // An executive's answer to the customer with the desk in copy, or a customer forwarding our own
  // team's answer, is read as the forward it amounts to.
  const { view: unwrapped, relay } = asCustomerRelay(mail, received, org)
  const attachmentNames = flatten(mail)
    .flatMap((m) => m.attachments.map((a) => a.filename ?? ''))
    .filter(Boolean)
  const original = {
    from: unwrapped.customer,
    replyTo: [...unwrapped.originalReplyTo, ...onBehalfOf(unwrapped.customer)],
    to: unwrapped.originalTo,
    subject: unwrapped.subject,
    text: withoutBlankRuns(unwrapped.text.slice(0, MAX_TEXT)),
  }
  // A colleague writing their own report ("the customer called me furious…", "this post is
  // going viral") rather than forwarding a mail. A system of ours (a web form) is not a colleague.
  const sender = mail.from
  const report = !relay && unwrapped.depth === 0 && !!sender?.email && isOrgAddress(org, sender.email) && !isNoReplyAddress(sender.email)
  const originalFromOrg =
    !relay && !!original.from?.email && isOrgAddress(org, original.from.email) && !isNoReplyAddress(original.from.email)

  // A letter attached as a PDF is read with the mail that carries it, after its own words: by
  // the notice and counsel readers only, never as the customer's own words.
  const letters = flatten(mail).flatMap((m) => m.letters)
  const withLetters = letters.length
    ? { ...original, text: withoutBlankRuns([original.text, ...letters.map((l) => l.text)].join('\n\n').slice(0, MAX_TEXT)) }
    : original
  const layers = report ? [{ from: sender!, note: mail.text }] : unwrapped.layers
  return { unwrapped, relay, original, withLetters, letters, attachmentNames, report, originalFromOrg, layers }
}

/** Every word that arrived, bounded: what severity and the case type are read from. */
function allWords(mail: ParsedMail, arrival: Arrival): string {
  return [
    mail.subject,
    arrival.unwrapped.note ?? '',
    arrival.original.subject,
    arrival.original.text,
    ...mail.attachedMessages.map((m) => `${m.subject}\n${m.text}`),
    ...arrival.letters.map((l) => l.text),
  ]
    .join('\n')
    .slice(0, MAX_TEXT)
}

/** Automatic mail is not an escalation, unless it is overridable and carries a complaint. */
function escalation(
  mail: ParsedMail,
  noise: Noise | null,
  carriesComplaint: boolean,
): Pick<Classification, 'isEscalation' | 'escalationReason' | 'noise' | 'referencedMessageIds'> {
  const overridden = noise?.overridable && carriesComplaint
  return {
    isEscalation: !noise || !!overridden,
    escalationReason: !noise
      ? 'a person wrote it: no auto-reply, report or bulk signals'
      : overridden
        ? `${noise.reason}, but it carries a complaint`
        : noise.reason,
    noise,
    referencedMessageIds: noise ? referencedMessageIds(mail) : [],
  }
}

type Readings = {
  notice: NoticeReading | null
  counsel: CounselReading | null
  exposure: PublicExposure | null
  reference: Reference | null
  executive: RecognisedExecutive | null
}

function severityOf(everything: string, { notice, counsel, exposure, reference, executive }: Readings) {
  return rateSeverity({
    text: everything,
    lawyerLetter: !!counsel,
    lawsuitServed: !!counsel?.lawsuit,
    bodyNotice: notice && notice.channel.kind !== 'review_platform' ? (notice.channel.name ?? notice.channel.kind) : null,
    bodyComplaint: !notice && reference?.body ? reference.reason : null,
    // A review is public, but one review is not press or a post going viral: SEV-3, unless the
    // notice or a colleague says it is spreading.
    publicExposure:
      notice?.channel.kind === 'review_platform'
        ? isSpreading(everything)
          ? `a public review on ${notice.channel.name} that is spreading`
          : null
        : exposure
          ? exposure.reasons[0]!
          : null,
    publicReview: notice?.channel.kind === 'review_platform' ? `on ${notice.channel.name}` : null,
    executive: executive ? (executive.name ?? executive.email) : null,
  })
}

function decideSource(
  notice: NoticeReading | null,
  counsel: CounselReading | null,
  exposure: PublicExposure | null,
  executive: RecognisedExecutive | null,
): { source: Source; sourceReasons: string[] } {
  const reached = executive ? [`reached executive ${executive.email}: ${executive.reason}`] : []
  if (notice) {
    const source: Source = notice.channel.kind === 'bbb' ? 'bbb' : notice.channel.kind === 'review_platform' ? 'social' : 'regulator'
    return { source, sourceReasons: [...notice.reasons.channel, ...reached] }
  }
  if (counsel) return { source: 'lawyer', sourceReasons: [...counsel.reasons.channel, ...reached] }
  if (exposure) return { source: 'social', sourceReasons: [...exposure.reasons, ...reached] }
  if (executive) return { source: 'ceo_inbox', sourceReasons: reached }
  return { source: 'direct', sourceReasons: ['no notice, legal, public or executive signal: the customer wrote to us'] }
}

/**
 * A relay that sends for someone else names them in its display name: Italy's certified mail
 * ("Per conto di: protocollo.agcm@pec.agcm.it" <posta-certificata@pec.actalis.it>), list and
 * form relays ("x@y.org via Z"). Only a machine's address is read this way; the named address
 * counts as the sender's Reply-To.
 */
function onBehalfOf(from: Address | null): Address[] {
  if (!from?.email || !from.name || !isNoReplyAddress(from.email)) return []
  const named = /[^\s<>"'():;,]+@[^\s<>"'():;,]+\.[a-z]{2,}/i.exec(from.name.slice(0, 200))?.[0]
  return named && named.toLowerCase() !== from.email.toLowerCase() ? [{ name: '', email: named.toLowerCase() }] : []
}

function flatten(mail: ParsedMail, depth = 0): ParsedMail[] {
  if (depth > 8) return [mail]
  return [mail, ...mail.attachedMessages.flatMap((m) => flatten(m, depth + 1))]
}
