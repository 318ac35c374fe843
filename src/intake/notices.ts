// Notices from complaints bodies (BBB, CFPB, state attorneys general, ombudsmen, data-protection
// authorities, consumer-affairs departments) and review platforms. They come from the body's
// office or no-reply address and name the consumer inside: "Consumer Information / Name /
// Email", "Complainant:", "complaint from Mr …", "Schlichtungsantrag von Herrn …", "plainte de
// Mme …", a pasted review. The consumer is the customer; the body is the channel.
import type { Address } from './parse.ts'
import { BODIES, bodyNamedIn, bodyOfDomain, GOVERNMENT_DOMAIN, type Body } from './bodies.ts'
import { FIRM } from './legal-words.ts'
import { fold } from './words.ts'
import {
  ATTORNEY_GENERAL_WORDS,
  CONSUMER_INTRO,
  CONSUMER_LABEL,
  DATA_PROTECTION_WORDS,
  DEADLINE,
  DISPUTE_RESOLUTION_WORDS,
  EMAIL_LABEL,
  NOTICE_WORDING,
  STAFF_LABEL,
  STAFF_TITLE,
} from './notice-words.ts'
import { domainOf, isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import { bbbNumber, cfpbNumber, findReference, referenceInFileName, type Reference } from './references.ts'
import { PLATFORM_DOMAIN, readPlatformNotice } from './reviews.ts'

export { GOVERNMENT_DOMAIN } from './bodies.ts'
import {
  displayName,
  EMAIL_IN_TEXT,
  excerpt,
  flat,
  isFullerName,
  looksLikePersonName,
  nameTokens,
  plainLines,
  readNameAt,
  signatureLines,
  stripHonorifics,
} from './text.ts'

export type ChannelKind =
  'bbb' | 'cfpb' | 'attorney_general' | 'ombudsman' | 'data_protection_authority' | 'consumer_affairs' | 'review_platform' | 'counsel'
/** The body a notice came through (or counsel), and where a reply through it would go. */
export type Channel = { kind: ChannelKind; name: string | null; email: string | null; reference: string | null }
export type Person = { name: string | null; email: string | null }

export type NoticeReading = {
  channel: Channel
  consumer: Person
  reference: Reference | null
  /** The consumer's own words inside the notice (their complaint, review or rebuttal). */
  complaint: string
  reasons: { channel: string[]; customer: string[] }
}

/** The message a notice is read from: the deepest original of a forward, or the mail itself. */
export type NoticeDoc = {
  from: Address | null
  replyTo: Address[]
  to: Address[]
  subject: string
  text: string
  attachmentNames: string[]
  /** Bulk mail is read as a notice only when it comes from the body's own domain. */
  bulk: boolean
}

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

// ---- The consumer a notice names ----

// Honorifics that open a name in a notice's prose, in the languages of the EU/EEA.
const HONORIFIC_START =
  /(?<![\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Herrn?|Frau|Mme|Monsieur|Madame|Dña|Sra|Sr|Sig\.ra|Sig|de heer|mevrouw|Pan|Pani|Pana|Panią|pan|paní|pana|Hr|Fru|Dl|Dna|Exmo|Exma|Senhora?)\.?\s(?=\p{Lu})/gu
// Prose that introduces the consumer, matched at every place in the notice.
const CONSUMER_PROSE = new RegExp(CONSUMER_INTRO.source, 'giu')

type Candidate = { name: string; weight: number; reason: string; at: number }

function noticeConsumer(doc: NoticeDoc, lines: string[], org: OrgContext): { person: Person; reasons: string[] } {
  const staff = staffNames(doc, lines)
  const candidates: Candidate[] = []
  const consider = (raw: string | null, weight: number, reason: string, at: number) => {
    const name = raw ? cleanName(raw) : null
    if (!name || staff.some((s) => sameOrPart(s, name))) return
    candidates.push({ name, weight, reason, at })
  }
  for (const [i, line] of lines.entries()) {
    const m = CONSUMER_LABEL.exec(line)
    if (!m) continue
    const value = m[1]!.trim() || lines[i + 1] || ''
    consider(value.split(/,| - | · |\(/)[0]!, 3, `the notice names '${excerpt(line, 50)}'`, i)
  }
  const written = `${doc.subject}\n${doc.text.slice(0, 30_000)}`
  const text = flat(written)
  for (const m of text.matchAll(CONSUMER_PROSE))
    consider(
      readNameAt(text, m.index + m[0].length, { allowCompany: true }),
      2,
      `the notice says '${excerpt(text.slice(m.index, m.index + m[0].length + 30), 60)}'`,
      m.index,
    )
  for (const m of written.matchAll(/^(.{3,60}?) has (?:reviewed|rejected|accepted|responded to) (?:the|your) response/gimu))
    consider(m[1]!, 2, `the notice says '${excerpt(m[0], 60)}'`, m.index)
  for (const m of text.matchAll(/\b(?:case|complaint|file)\s(?:no\.?|#|number)\s?[\w/-]{3,30}\s[-–]\s/giu))
    consider(
      readNameAt(text, m.index + m[0].length),
      2,
      `the notice's reference line names '${excerpt(text.slice(m.index + m[0].length, m.index + m[0].length + 30), 40)}'`,
      m.index,
    )
  for (const m of text.slice(0, 6000).matchAll(HONORIFIC_START))
    consider(readNameAt(text, m.index), 1, `the notice mentions '${excerpt(text.slice(m.index, m.index + 30), 40)}'`, m.index)
  const best = pickName(candidates)
  const email = consumerEmail(doc, lines, org, best?.name ?? null)
  return {
    person: { name: best?.name ?? null, email: email?.email ?? null },
    reasons: [
      ...(best ? [best.reason] : ['the notice names no consumer']),
      ...(email ? [email.reason] : ['the notice gives no address for the consumer']),
    ],
  }
}

/** The highest-weight name, replaced by a fuller spelling of it when one exists. */
function pickName(candidates: Candidate[]): Candidate | null {
  if (candidates.length === 0) return null
  const sorted = [...candidates].sort((a, b) => b.weight - a.weight || a.at - b.at)
  let best = sorted[0]!
  for (const c of candidates)
    if (isFullerName(c.name, best.name) && !/^\p{Lu}\.?$/u.test(nameTokens(c.name)[0] ?? '')) best = { ...c, reason: best.reason }
  return best
}

function cleanName(raw: string): string | null {
  const name = stripHonorifics(raw.replace(/["“”]/g, '').replace(/\s+/g, ' ').trim()).replace(/[.,;:]$/, '')
  return looksLikePersonName(name, { allowCompany: true }) ? name : null
}

function sameOrPart(staff: string, name: string): boolean {
  const s = nameTokens(staff)
  const n = nameTokens(name)
  return n.length > 0 && n.every((w) => s.includes(w))
}

/**
 * People of the body (who signs, who sent it, who handles the case) and of the org (whom it is
 * addressed to): never the consumer.
 */
function staffNames(doc: NoticeDoc, lines: string[]): string[] {
  const names = [displayName(doc.from?.name), ...doc.to.map((t) => displayName(t.name))]
  const signature = signatureLines(doc.text, 10)
  for (const line of signature) if (looksLikePersonName(stripHonorifics(line))) names.push(line)
  for (const [i, line] of lines.entries()) {
    const labelled = STAFF_LABEL.exec(line)
    if (labelled) names.push(stripHonorifics(labelled[1]!.split(/,| - | · |\(/)[0]!.trim()))
    // "Sara Lindgren" over "Handläggare", "Jukka Lahtinen" over "esittelijä": a name over a staff title.
    const next = lines[i + 1]
    if (next && next.length <= 60 && STAFF_TITLE.test(next) && looksLikePersonName(stripHonorifics(line))) names.push(stripHonorifics(line))
  }
  return names.filter((n): n is string => !!n && looksLikePersonName(stripHonorifics(n)))
}

function consumerEmail(doc: NoticeDoc, lines: string[], org: OrgContext, name: string | null): { email: string; reason: string } | null {
  const bodyDomain = doc.from?.email ? registrable(domainOf(doc.from.email)) : null
  const usable = (e: string) => {
    const d = domainOf(e)
    return (
      !isOrgAddress(org, e) &&
      !isNoReplyAddress(e) &&
      !GOVERNMENT_DOMAIN.test(d) &&
      registrable(d) !== bodyDomain &&
      !doc.replyTo.some((r) => r.email.toLowerCase() === e) &&
      !PLATFORM_DOMAIN.test(d)
    )
  }
  for (const line of lines) {
    const m = EMAIL_LABEL.exec(line)
    const email = m?.[1]
      ?.replace(/[>.,;)]+$/, '')
      .replace(/^</, '')
      .toLowerCase()
    if (email && usable(email)) return { email, reason: `the notice gives the consumer's address ('${excerpt(line, 50)}')` }
  }
  // "Antragstellerin: Mag. Barbara Strobl, 4020 Linz, E-Mail: b.strobl@aon.at", "gđa Ivana
  // Horvat-Babić (e-pošta: …)": whatever the labels' language, the one personal address a
  // notice gives is the consumer's (the body's own, the org's and machines' are not).
  const personal = new Set<string>()
  for (const m of doc.text.slice(0, 30_000).matchAll(EMAIL_IN_TEXT)) {
    const email = m[0].toLowerCase().replace(/[.]$/, '')
    if (usable(email) && !bodyOfDomain(domainOf(email)) && !ownBrand(org, domainOf(email))) personal.add(email)
    if (personal.size > 1) break
  }
  if (personal.size === 1) {
    const [email] = personal
    return { email: email!, reason: `the one personal address the notice gives is ${email}` }
  }
  if (name) {
    // "Mme Élodie Garnier-Roussel (adresse électronique : elodie.garnier@orange.fr)"
    const text = doc.text.slice(0, 30_000)
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
      const after = text.slice(at + name.length, at + name.length + 90)
      const email = /^\s*\((?:[^()@]{0,40}[:：]\s*)?([^\s()@]+@[^\s()]+)\)/.exec(after)?.[1]?.toLowerCase()
      if (email && usable(email)) return { email, reason: `the notice gives the consumer's address beside their name` }
    }
  }
  return null
}

/** A domain named after the org ("northwind-italia.it" for Northwind Outfitters): its own, not a consumer's. */
function ownBrand(org: OrgContext, domain: string): boolean {
  const words = (org.name ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 5)
  const labels = domain.split('.').slice(0, -1).join('.')
  return words.some((w) => labels.includes(w))
}

/** "greatwestpacific.bbb.org" → "bbb.org", "ico.org.uk" → "ico.org.uk": what one body's addresses share. */
export function registrable(domain: string): string {
  const parts = domain.split('.')
  const secondLevel =
    /^(?:co|com|org|gov|ac|net|gob|gouv)$/.test(parts[parts.length - 2] ?? '') && (parts[parts.length - 1] ?? '').length === 2
  return parts.slice(secondLevel ? -3 : -2).join('.')
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
