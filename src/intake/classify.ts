// Reads one parsed, unwrapped message the way a careful escalation manager does: is it an
// escalation at all; through whom did it reach us (source, channel); who is the customer; which
// executive did it reach; which reference does it carry; how severe is it; in which language did
// the customer write. Each answer comes with its reasons. Pure: no database, no network.
import { readCounselLetter, type CounselReading } from './counsel.ts'
import { dedupeKeys, type DedupeKeys } from './dedupe.ts'
import { recogniseExecutives, type RecognisedExecutive } from './executives.ts'
import { MAX_SAMPLE_CHARS } from './language.ts'
import { detectNoise, referencedMessageIds, type Noise } from './noise.ts'
import { readNotice, type Channel, type NoticeReading, type Person } from './notices.ts'
import { isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import type { Address, ParsedMail } from './parse.ts'
import { findNamedPerson } from './people.ts'
import { findReference } from './references.ts'
import { rateSeverity, type Severity } from './severity.ts'
import { isSpreading, readPublicExposure, type PublicExposure } from './social.ts'
import { displayName, isFullerName, signatureLines, stripHonorifics, withoutQuotedHistory } from './text.ts'
import { fold } from './words.ts'
import { ordinaryCustomer } from './customer.ts'
import { asCustomerRelay } from './relays.ts'
import type { Unwrapped } from './unwrap.ts'
import type { ModelExtraction } from './model.ts'

export type { OrgContext } from './org-context.ts'
export type { Severity } from './severity.ts'
export type { Channel } from './notices.ts'
export type Source = 'ceo_inbox' | 'bbb' | 'lawyer' | 'regulator' | 'social' | 'direct'
export type CaseType = 'technical' | 'service' | 'business' | 'security' | 'compliance'

export type Classification = {
  isEscalation: boolean
  /** Why it is, or is not, an escalation. */
  escalationReason: string
  /** The kind of automatic mail, when it is one (a kept bulk notice of a review is still an escalation). */
  noise: Noise | null
  /** For auto-replies and delivery reports: the Message-IDs of ours they answer or return. */
  referencedMessageIds: string[]
  source: Source
  sourceReasons: string[]
  channel: Channel | null
  channelReasons: string[]
  customer: Person
  customerReasons: string[]
  /** Who brought it to the desk, outermost first (a colleague who writes their own report too). */
  forwardedBy: string[]
  /** The executive the complaint reached, if any; `executives` lists all recognised. */
  executive: RecognisedExecutive | null
  executives: RecognisedExecutive[]
  severity: Severity
  severityReasons: string[]
  type: CaseType
  externalRef: string | null
  externalRefReasons: string[]
  /** ISO 639-1 code of the customer's own words (filled by analyzeMessage from `languageSample`). */
  language: string | null
  languageReasons: string[]
  /** The customer's own words, bounded, and whose they are: what the language is read from. */
  languageSample: { text: string; whose: string }
  dedupe: DedupeKeys
  /** What the model read, when intake asked one (after the parse worker, with an OpenAI key). */
  model?: ModelExtraction
}

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

export function classify(mail: ParsedMail, received: Unwrapped, org: OrgContext): Classification {
  const noise = detectNoise(mail, org)
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
  const { notice, counsel } = readLetters(original, withLetters, org, {
    attachmentNames,
    bulk: !!noise && noise.kind === 'bulk',
    notes: unwrapped.note ?? '',
  })
  const exposure = notice || counsel ? null : readPublicExposure(`${original.subject}\n${original.text}`, report || originalFromOrg, org)
  const layers = report ? [{ from: sender!, note: mail.text }] : unwrapped.layers
  const executives = recogniseExecutives(
    { layers, originalTo: unwrapped.originalTo, originalCc: unwrapped.originalCc, originalText: original.text },
    org,
  )
  const executive = executives[0] ?? null

  const { source, sourceReasons } = decideSource(notice, counsel, exposure, executive)
  const customer = decideCustomer({ notice, counsel, exposure, report: report || originalFromOrg, original, layers, org, mail })
  const forwardedBy = report ? [sender!.email.toLowerCase()] : unwrapped.forwardedBy.map((a) => a.email.toLowerCase()).filter(Boolean)
  // An automatic reply quoting our subject ("AW: … Unser Az.: 412/26 BR07") refers to that matter.
  const reference =
    notice?.reference ?? counsel?.reference ?? findReference([original.subject, original.text], noise ? 'notice' : 'customer')
  const everything = [
    mail.subject,
    unwrapped.note ?? '',
    original.subject,
    original.text,
    ...mail.attachedMessages.map((m) => `${m.subject}\n${m.text}`),
    ...letters.map((l) => l.text),
  ]
    .join('\n')
    .slice(0, MAX_TEXT)
  const { severity, reasons: severityReasons } = rateSeverity({
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
  const words = notice?.complaint || (report || originalFromOrg ? original.text : withoutQuotedHistory(original.text)) || original.text
  const whose = notice ? "the consumer's complaint" : counsel ? "counsel's letter" : 'the customer'
  const overridden = noise?.overridable && (notice || counsel)
  const isEscalation = !noise || !!overridden
  return {
    isEscalation,
    escalationReason: !noise
      ? 'a person wrote it: no auto-reply, report or bulk signals'
      : overridden
        ? `${noise.reason}, but it carries a complaint`
        : noise.reason,
    noise,
    referencedMessageIds: noise ? referencedMessageIds(mail) : [],
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

type LetterText = { from: Address | null; replyTo: Address[]; to: Address[]; subject: string; text: string }

/**
 * The notice or counsel's letter, read from the mail's own words first; an attached letter's
 * text only fills in what they leave open (the consumer's address, the client, the reference),
 * or, when the mail alone is neither, makes it one. A pro-se claimant's own mail with the claim
 * form attached names the sender as the claimant: that is the customer writing, not counsel.
 */
function readLetters(
  plain: LetterText,
  full: LetterText,
  org: OrgContext,
  extra: { attachmentNames: string[]; bulk: boolean; notes: string },
): { notice: NoticeReading | null; counsel: CounselReading | null } {
  const noticeOf = (doc: LetterText) => readNotice({ ...doc, attachmentNames: extra.attachmentNames, bulk: extra.bulk }, org)
  const counselOf = (doc: LetterText) => {
    const reading = readCounselLetter({ ...doc, attachmentNames: extra.attachmentNames, notes: extra.notes }, org)
    return reading && !isOwnClaim(reading, doc.from) ? reading : null
  }
  const hasLetters = full !== plain
  const notice = noticeOf(plain)
  if (notice) return { notice: hasLetters ? fillNotice(notice, noticeOf(full)) : notice, counsel: null }
  const counsel = counselOf(plain)
  if (counsel) return { notice: null, counsel: hasLetters ? fillCounsel(counsel, counselOf(full)) : counsel }
  if (!hasLetters) return { notice: null, counsel: null }
  const fullNotice = noticeOf(full)
  return { notice: fullNotice, counsel: fullNotice ? null : counselOf(full) }
}

function fillNotice(plain: NoticeReading, full: NoticeReading | null): NoticeReading {
  if (!full || full.channel.kind !== plain.channel.kind) return plain
  const consumer = {
    name: fuller(plain.consumer.name, full.consumer.name),
    email: plain.consumer.email ?? full.consumer.email,
  }
  const reference = plain.reference ?? full.reference
  const customer = [
    ...plain.reasons.customer.filter(
      (r) => !(consumer.email && /gives no address/.test(r)) && !(consumer.name && /names no consumer/.test(r)),
    ),
    ...(consumer.name !== plain.consumer.name || consumer.email !== plain.consumer.email
      ? full.reasons.customer.filter((r) => !/names no consumer|gives no address/.test(r)).map((r) => `${r} (in the attached letter)`)
      : []),
  ]
  return {
    ...plain,
    consumer,
    reference,
    channel: { ...plain.channel, reference: reference?.value ?? null },
    reasons: { channel: plain.reasons.channel, customer },
  }
}

function fillCounsel(plain: CounselReading, full: CounselReading | null): CounselReading {
  if (!full) return plain
  const reference = plain.reference ?? full.reference
  const name = fuller(plain.client.name, full.client.name)
  const fromLetter = name !== plain.client.name
  return {
    ...plain,
    client: { name, email: null },
    reference,
    lawsuit: plain.lawsuit ?? full.lawsuit,
    channel: { ...plain.channel, reference: reference?.value ?? null },
    reasons: fromLetter
      ? { ...plain.reasons, customer: full.reasons.customer.map((r, i) => (i === 0 ? `${r} (in the attached letter)` : r)) }
      : plain.reasons,
  }
}

/** The mail's own reading of a name, unless the attached letter spells the same name out in full. */
const fuller = (plain: string | null, full: string | null) => (!plain ? full : full && isFullerName(full, plain) ? full : plain)

/** The "client" is the sender themselves: a claimant writing about their own claim. */
function isOwnClaim(reading: CounselReading, from: Address | null): boolean {
  const client = reading.client.name
  const sender = displayName(from?.name)
  if (!client || !sender) return false
  const words = (n: string) =>
    fold(n)
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter(Boolean)
      .sort()
      .join(' ')
  return words(client) === words(stripHonorifics(sender))
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

type CustomerInput = {
  notice: NoticeReading | null
  counsel: CounselReading | null
  exposure: PublicExposure | null
  report: boolean
  original: { from: Address | null; replyTo: Address[]; text: string }
  layers: { from: Address; note: string }[]
  org: OrgContext
  mail: ParsedMail
}

function decideCustomer(input: CustomerInput): { person: Person; reasons: string[] } {
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

const BUSINESS =
  /\b(?:bill(?:ing|ed)?|invoice[sd]?|charged?|overcharg\w*|refund\w*|payments?|subscriptions?|membership|contracts?|renewal|pric(?:e|ing)|discount|money back|rechnung|erstattung|abbuchung|facture|rembours\w*|factura|reembolso|fattura|rimborso|factuur|terugbetaling|afschrijving)\b/i
const TECHNICAL =
  /\b(?:outages?|downtime|(?:is|was|went|were|been) down|not working|doesn['’]t work|bugs?|errors?|crash(?:es|ed|ing)?|can(?:no|')t (?:log ?in|access|connect)|unable to (?:log ?in|access|connect)|latency|fehler|erreur|errore|storing)\b/i

function caseType(text: string, source: Source, severityReasons: string[]): CaseType {
  if (severityReasons.some((r) => r.startsWith('data exposure'))) return 'security'
  if (source === 'lawyer' || source === 'regulator' || severityReasons.some((r) => r.startsWith('legal threat') || r.startsWith('lawsuit')))
    return 'compliance'
  if (severityReasons.some((r) => r.startsWith('churn')) || BUSINESS.test(text)) return 'business'
  if (TECHNICAL.test(text)) return 'technical'
  return 'service'
}
