// Notices from complaints bodies (BBB, CFPB, state attorneys general, ombudsmen, data-protection
// authorities, consumer-affairs departments) and review platforms. They come from the body's
// office or no-reply address and name the consumer inside: "Consumer Information / Name /
// Email", "Complainant:", "complaint from Mr …", "Schlichtungsantrag von Herrn …", "plainte de
// Mme …", a pasted review. The consumer is the customer; the body is the channel.
import { BODIES, bodyNamedIn, bodyOfDomain, GOVERNMENT_DOMAIN, type Body } from './bodies.ts'
import { FIRM } from './legal-words.ts'
import { displayName, looksLikePersonName } from './names.ts'
import { noticeConsumer } from './notice-consumer.ts'
import type { Channel, ChannelKind, NoticeDoc, NoticeReading } from './notice-types.ts'
import {
  ATTORNEY_GENERAL_WORDS,
  CONSUMER_INTRO,
  CONSUMER_LABEL,
  DATA_PROTECTION_WORDS,
  DEADLINE,
  DISPUTE_RESOLUTION_WORDS,
  NOTICE_WORDING,
} from './notice-words.ts'
import { domainOf, isNoReplyAddress, type OrgContext } from './org-context.ts'
import { bbbNumber, cfpbNumber, findReference, referenceInFileName, type Reference } from './references.ts'
import { readPlatformNotice } from './reviews.ts'
import { excerpt, flat, plainLines } from './text.ts'
import { fold } from './words.ts'

type BodyKind = Exclude<ChannelKind, 'counsel' | 'review_platform'>
type Identified = { kind: BodyKind; reason: string; letterhead: string | null; runsAdr: boolean }

// Words in a sender's domain that name a kind of body the table does not list.
const DOMAIN_WORDS: [RegExp, BodyKind][] = [
  [
    /ombuds|schlichtung|geschillen|m[eé]diat|arbitra|conciliazion|reklamationsnamnd|klagenaevn|klagenemnd|riitalautakunta|bekeltet/,
    'ombudsman',
  ],
  [
    /datenschutz|dataprotection|datatilsynet|tietosuoja|privacycommission|(?:^|\.)(?:lfd|ldi|lda)\.[a-z-]+\.de$/,
    'data_protection_authority',
  ],
  [
    /tradingstandards|verbraucherzentrale|fairtrading|consumerprotection|consumeraffairs|konsumentenschutz|forbrukerradet|forbrugerraadet/,
    'consumer_affairs',
  ],
  [/attorneygeneral|(?:^|\.)(?:atg|ag|oag|ago|doj)\.(?:[a-z]{2}\.)?(?:gov|state\.[a-z]{2}\.us)$/, 'attorney_general'],
]
// Names of public offices, for a sender the table does not list: "… Commission", "Urząd …", "Inspekce".
const OFFICE_NAME =
  /\b(?:commission(?:er)?|authority|bureau|board|council|agency|inspectorate|ombuds\w*|tribunal|ministry|department)\b|kommission|beh[öo]rde|\bamt\b|ministerium|autorit[éeàa]|agencia|agência|dire[çc][ãa]o-geral|direcci[óo]n general|autoriteit|inspectie|myndighet|nämnd|n[æa]vn|tilsyn|virasto|lautakunta|urz[ąa]d|inspekcj|[úu][řr]ad|inspekce|in[šs]pekci|hat[óo]s[áa]g|autoritatea|inspektorat/iu

function letterheadLines(lines: string[]): string[] {
  const edge = [...lines.slice(0, 18), ...lines.slice(-14)]
  return edge.filter((l) => l.length <= 110 && !/\b(?:I|my|me|we filed|mi|mein|ma|mon|je|ich|ik|io|jag|jeg|eu|ja)\b/i.test(l))
}

function identifyBody(doc: NoticeDoc, lines: string[]): Identified | null {
  const domain = doc.from?.email ? domainOf(doc.from.email) : ''
  const senderName = (doc.from?.name ?? '').replace(/^per conto di:\s*/i, '')
  const heads = letterheadLines(lines)
  const found = (body: Body, reason: string): Identified => ({
    kind: body.kind,
    reason,
    letterhead: heads.find((l) => bodyNamedIn(l)?.body === body) ?? null,
    runsAdr: !!body.runsAdr,
  })
  const listed = bodyOfDomain(domain) ?? doc.replyTo.map((r) => bodyOfDomain(domainOf(r.email))).find((b) => b) ?? null
  if (listed) return found(listed, `sent from ${domain || doc.replyTo[0]?.email}, the ${label(listed.kind)}'s domain`)
  // Bulk mail is read as a notice only when it comes from the body's own domain.
  if (doc.bulk) return null
  // The sender's name and the letterhead can name two bodies ("Consumer Protection Division" of
  // the "OFFICE OF THE ATTORNEY GENERAL"): the table's order says which is the more specific.
  const candidates: { body: Body; reason: string; letterhead: string | null }[] = []
  const named = bodyNamedIn(senderName)
  if (named) candidates.push({ body: named.body, reason: `sent by '${excerpt(senderName, 50)}'`, letterhead: null })
  for (const line of heads) {
    const inLine = bodyNamedIn(line)
    // The BBB's acronym and "consumer affairs" are common words; a government sender, a body
    // that only acts on complaints, or a capitalised letterhead backs them up.
    if (
      inLine &&
      (GOVERNMENT_DOMAIN.test(domain) ||
        inLine.body.kind === 'ombudsman' ||
        inLine.body.kind === 'data_protection_authority' ||
        /^[^\p{Ll}]*$/u.test(line))
    ) {
      candidates.push({ body: inLine.body, reason: `letterhead '${excerpt(line, 60)}'`, letterhead: line })
    }
  }
  const best = candidates.sort((a, b) => BODIES.indexOf(a.body) - BODIES.indexOf(b.body))[0]
  if (best)
    return {
      kind: best.body.kind,
      reason: best.reason,
      letterhead: best.letterhead ?? found(best.body, '').letterhead,
      runsAdr: !!best.body.runsAdr,
    }
  const byWord = DOMAIN_WORDS.find(([re]) => re.test(domain))
  if (byWord) return { kind: byWord[1], reason: `sent from ${domain}, a ${label(byWord[1])}'s domain`, letterhead: null, runsAdr: false }
  return null
}

/**
 * A body the table does not list, read from the structure of its notice as a person reads it: an
 * official sender (a government domain, or an office's name), and at least two of a reference in
 * the subject, a named consumer and a deadline to respond (all three without a government domain).
 */
function bodyByStructure(doc: NoticeDoc, lines: string[], text: string): Identified | null {
  if (doc.bulk) return null
  const domain = doc.from?.email ? domainOf(doc.from.email) : ''
  const government = GOVERNMENT_DOMAIN.test(domain) || doc.replyTo.some((r) => GOVERNMENT_DOMAIN.test(domainOf(r.email)))
  const office =
    OFFICE_NAME.exec(doc.from?.name ?? '') ??
    letterheadLines(lines)
      .map((l) => OFFICE_NAME.exec(l))
      .find((m) => m) ??
    null
  if (!government && !office) return null
  // A law firm's letterhead is counsel, not a body.
  if (!government && letterheadLines(lines).some((l) => FIRM.test(fold(l)))) return null
  const signals = [
    findReference([doc.subject], 'notice') ? 'a reference in the subject' : null,
    lines.some((l) => CONSUMER_LABEL.test(l)) || CONSUMER_INTRO.test(flat(text, 20_000)) ? 'a named consumer' : null,
    DEADLINE.test(flat(text, 20_000)) ? 'a deadline to respond' : null,
  ].filter((s): s is string => !!s)
  if (signals.length < (government ? 2 : 3)) return null
  const words = text.slice(0, 20_000)
  const kind: BodyKind = DATA_PROTECTION_WORDS.test(words)
    ? 'data_protection_authority'
    : ATTORNEY_GENERAL_WORDS.test(words)
      ? 'attorney_general'
      : DISPUTE_RESOLUTION_WORDS.test(words)
        ? 'ombudsman'
        : 'consumer_affairs'
  const sender = government ? `a government sender (${domain})` : `an office ('${excerpt(office![0], 30)}')`
  return { kind, reason: `${sender} with ${signals.join(', ')}`, letterhead: null, runsAdr: false }
}

const label = (kind: ChannelKind) =>
  ({
    bbb: 'BBB',
    cfpb: 'CFPB',
    attorney_general: 'attorney general',
    ombudsman: 'ombudsman',
    data_protection_authority: 'data-protection authority',
    consumer_affairs: 'consumer-affairs body',
    review_platform: 'review platform',
    counsel: 'counsel',
  })[kind]

export function readNotice(doc: NoticeDoc, org: OrgContext): NoticeReading | null {
  const lines = plainLines(doc.text, 40_000)
  const platform = readPlatformNotice(doc, lines)
  if (platform) return platform
  const text = `${doc.subject}\n${doc.text}`.slice(0, 30_000)
  // Mail from a listed body's own domain needs no notice wording in a language we know: it is
  // still a notice when it carries a reference or names a consumer (checked below).
  const fromListedBody = [doc.from?.email, ...doc.replyTo.map((r) => r.email)].some((e) => !!e && bodyOfDomain(domainOf(e)) !== null)
  if (!fromListedBody && !NOTICE_WORDING.test(text.slice(0, 20_000))) return null
  const identified = identifyBody(doc, lines) ?? bodyByStructure(doc, lines, text)
  if (!identified) return null
  // A body that runs a dispute-resolution service besides its inspections (the Czech ČOI): its
  // ADR wording makes the notice a dispute board's.
  const kind: BodyKind = identified.runsAdr && DISPUTE_RESOLUTION_WORDS.test(text.slice(0, 6000)) ? 'ombudsman' : identified.kind
  const reference = noticeReference(kind, doc)
  const consumer = noticeConsumer(doc, lines, org)
  // A notice is about one complaint: it has the complaint's number or names the consumer. The
  // body's newsletter or its general mail has neither.
  if (!reference && !consumer.person.name && !consumer.person.email) return null
  const channel: Channel = {
    kind,
    name: channelName(doc, identified.letterhead),
    email: replyAddress(doc),
    reference: reference?.value ?? null,
  }
  return {
    channel,
    consumer: consumer.person,
    reference,
    complaint: complaintSection(lines),
    reasons: {
      channel: [`${label(kind)} notice: ${identified.reason}`, ...(reference ? [reference.reason] : [])],
      customer: consumer.reasons,
    },
  }
}

function noticeReference(kind: BodyKind, doc: NoticeDoc): Reference | null {
  const texts = [doc.subject, doc.text]
  if (kind === 'bbb') {
    const labelled = findReference(texts, 'notice')
    const digits =
      labelled && /^\d{6,10}$/.test(labelled.value)
        ? labelled.value
        : (bbbNumber(texts.join('\n')) ?? /(?<!\d)(\d{8})(?!\d)/.exec(texts.join('\n'))?.[1])
    return digits ? { value: `BBB-${digits}`, reason: `BBB complaint ${digits}` } : null
  }
  if (kind === 'cfpb') {
    const number = cfpbNumber(texts.join('\n'))
    if (number) return { value: number, reason: `CFPB complaint ${number}` }
  }
  const labelled = findReference(texts, 'notice')
  if (labelled) return labelled
  for (const name of doc.attachmentNames) {
    const fromName = referenceInFileName(name)
    if (fromName) return { value: fromName, reason: `reference in the attachment's name '${excerpt(name, 50)}'` }
  }
  return null
}

function channelName(doc: NoticeDoc, letterhead: string | null): string | null {
  const sender = displayName((doc.from?.name ?? '').replace(/^per conto di:\s*/i, ''))
  // A person's name ("Marsh, Jolene (ATG)") says less than the office's letterhead.
  if (letterhead && (!sender || /\(|,/.test(doc.from?.name ?? '') || looksLikePersonName(sender))) return letterhead
  return sender || letterhead || (doc.from?.email ? domainOf(doc.from.email) : null)
}

/** Where a reply through the body would go: its Reply-To, else its sender; never a no-reply address. */
function replyAddress(doc: NoticeDoc): string | null {
  const candidates = [...doc.replyTo.map((r) => r.email), doc.from?.email ?? '']
  return candidates.map((e) => e.toLowerCase()).find((e) => e.includes('@') && !isNoReplyAddress(e)) ?? null
}

// The consumer's own words in a notice: after "COMPLAINT", "Consumer's complaint:", "Sachverhalt"…
const COMPLAINT_HEADING =
  /^(?:complaint(?: details)?|consumer'?s? (?:complaint|comments|narrative)|what happened.*|description|consumer rebuttal.*|complaint text|sachverhalt.*|schilderung.*|beschwerde(?:text)?|description de la plainte|r[ée]clamation|hechos|motivo de la reclamaci[óo]n|descrizione|klacht(?:omschrijving)?|omschrijving)\s?[:：]?$/i

function complaintSection(lines: string[]): string {
  const start = lines.findIndex((l) => COMPLAINT_HEADING.test(l.replace(/\s*\(.*\)\s*/, '').trim()))
  const quoted = lines.join('\n').match(/["“„«]([^"“”„«»]{60,3000})["”“»]/u)?.[1]
  if (quoted) return quoted
  return start >= 0 ? lines.slice(start + 1, start + 25).join('\n') : lines.join('\n')
}
