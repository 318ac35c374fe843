// Unwraps the forwards a message came through: each forwarder with their note, outermost first,
// and the original message at the bottom (its sender, recipients, subject and words). Inline
// forwards are read by email-forward-parser and our own quoted-header reader; attached ones and
// Italy's certified mail envelopes are opened.
import EmailForwardParser from 'email-forward-parser'
import type { EmailForwardResult } from 'email-forward-parser'
import { htmlToText } from './html-text.ts'
import { headerSafeSubject } from './parse.ts'
import type { Address, ParsedMail } from './parse.ts'
import { findHeaderBlock, forwardSubject, replySubject, startsWithForwardMarker, stripForwardPrefixes, unquote } from './quoted-headers.ts'

export type Unwrapped = {
  /** The deepest original sender. `email` is '' when a quoted header shows only a name. */
  customer: Address | null
  /** Outermost first. */
  forwardedBy: Address[]
  subject: string
  date: string | null
  /** The original message's body. */
  text: string
  /** Text the forwarders typed above the forward, outermost first. */
  note: string | null
  originalMessageId: string | null
  depth: number
  /** Who the original was addressed to, as the deepest message (or its quoted header) shows. */
  originalTo: Address[]
  originalCc: Address[]
  /** The original's Reply-To, when the original itself is at hand (direct mail, an attached message). */
  originalReplyTo: Address[]
  /** Each forwarder with the note they typed above the forward, outermost first. */
  layers: { from: Address; note: string }[]
}

type Hop = { from: Address; to: Address[]; cc: Address[]; subject: string | null; date: string | null; body: string; note: string }

const MAX_HOPS = 12
// email-forward-parser's patterns start lines with `^\s*` (multiline) and chain `.+`, `\s*` and
// bracket classes, so a line costs them about its length squared, and a run of blank lines the
// same. Forward headers sit in the first pages and on short lines, so the text handed to them is
// cut to this much, with whitespace runs, blank-line runs and long runs of one character shrunk:
// a hostile line then costs at most MAX_LINE_CHARS² steps, never more.
const MAX_SCAN_CHARS = 100_000
const MAX_LINE_CHARS = 1_000
const MAX_RUN_CHARS = 64

const library = new EmailForwardParser()

export function unwrapForwards(mail: ParsedMail): Unwrapped {
  // Bounces, abuse reports and read receipts quote or attach the original message too, but
  // nobody forwarded it: the report itself is what arrived.
  if (isReport(mail)) return notForwarded(mail)
  // Certified mail (Italian PEC) wraps the message it carries: the wrapper is transport, not a
  // person forwarding it, so the carried message is read as if it had arrived by itself.
  const carried = certifiedMailContent(mail)
  if (carried) return unwrapForwards(carried)
  const hops = inlineHops(mail)
  if (hops.length > 0) {
    const deepest = hops[hops.length - 1]!
    const senders = [mail.from, ...hops.slice(0, -1).map((h) => h.from)]
    return {
      customer: deepest.from,
      forwardedBy: forwarders(senders, deepest.from),
      // A quoted Subject line is customer text too, and becomes our reply's Subject header.
      subject: headerSafeSubject(deepest.subject ?? '') || stripForwardPrefixes(mail.subject),
      date: deepest.date?.trim() || null,
      text: deepest.body,
      note: joinNotes(hops.map((h) => h.note)),
      originalMessageId: null,
      depth: hops.length,
      originalTo: deepest.to,
      originalCc: deepest.cc,
      originalReplyTo: [],
      layers: layersOf(
        senders.map((from, i) => ({ from, note: hops[i]!.note })),
        deepest.from,
      ),
    }
  }
  const attached = forwardedAttachment(mail)
  if (attached) {
    const inner = unwrapForwards(attached)
    return {
      ...inner,
      forwardedBy: forwarders([mail.from, ...inner.forwardedBy], inner.customer),
      note: joinNotes([mail.text, inner.note ?? '']),
      depth: inner.depth + 1,
      layers: layersOf([{ from: mail.from, note: mail.text }, ...inner.layers], inner.customer),
    }
  }
  return notForwarded(mail)
}

const PEC_TRANSPORT = /^posta-certificata$/i

function certifiedMailContent(mail: ParsedMail): ParsedMail | null {
  const transport = mail.headers.find((h) => h.key === 'x-trasporto')?.value.trim() ?? ''
  const pec = PEC_TRANSPORT.test(transport) || /^posta certificata:/i.test(mail.subject)
  if (!pec) return null
  return mail.attachedMessages.find((m) => m.from) ?? null
}

function notForwarded(mail: ParsedMail): Unwrapped {
  return {
    customer: mail.from,
    forwardedBy: [],
    subject: mail.subject,
    // The Date header as written (postal-mime normalises it to UTC): its wall-clock time is what
    // another client's quoted copy of this mail shows.
    date: mail.headers.find((h) => h.key === 'date')?.value.trim() || mail.date,
    text: mail.text,
    note: null,
    originalMessageId: mail.messageId,
    depth: 0,
    originalTo: mail.to,
    originalCc: mail.cc,
    originalReplyTo: mail.replyTo,
    layers: [],
  }
}

function isReport(mail: ParsedMail): boolean {
  const type = mail.headers.find((h) => h.key === 'content-type')?.value ?? ''
  return /multipart\/report/i.test(type)
}

/** The text part first; the HTML part only when the text part shows no forward (they can disagree). */
function inlineHops(mail: ParsedMail): Hop[] {
  const text = normalize(mail.text)
  const hops = peelChain(text, mail.subject)
  if (hops.length > 0 || !mail.html) return hops
  const fromHtml = normalize(htmlToText(mail.html))
  return fromHtml === text ? [] : peelChain(fromHtml, mail.subject)
}

function peelChain(body: string, subject: string): Hop[] {
  const hops: Hop[] = []
  // A reply quotes headers exactly like a forward does; only a forward marker lets us unwrap it.
  if (replySubject(subject) && !forwardSubject(subject)) return hops
  let current = body
  let allowHeaderSplit = forwardSubject(subject)
  while (hops.length < MAX_HOPS) {
    const hop = peelOnce(current, allowHeaderSplit)
    if (!hop) break
    hops.push(hop)
    current = hop.body
    // Go deeper only when the message found is itself a forward; otherwise the headers below it
    // are the reply history of the original message, not further forwards.
    allowHeaderSplit = forwardSubject(hop.subject ?? '') || startsWithForwardMarker(current)
    if (!allowHeaderSplit) break
  }
  return hops
}

function peelOnce(body: string, allowHeaderSplit: boolean): Hop | null {
  const bySeparator = fromLibrary(body, null)
  if (!allowHeaderSplit) return bySeparator?.hop ?? null
  const block = findHeaderBlock(body)
  // The library looks for its separators first and so can jump over a header block without one
  // (GMX/Outlook "Envoyé/De/À/Objet"); the block that comes first in the text is the next hop.
  if (block && (!bySeparator || block.start < bySeparator.start)) {
    return { from: block.from, to: block.to, cc: block.cc, subject: block.subject, date: block.date, body: block.body, note: block.note }
  }
  if (bySeparator) return bySeparator.hop
  // An empty forward subject makes the library split on the first "From:" line and report the
  // inner subject rather than ours.
  return fromLibrary(body, 'Fwd:')?.hop ?? null
}

function fromLibrary(body: string, subject: string | null): { hop: Hop; start: number } | null {
  let result: EmailForwardResult
  try {
    result = library.read(body, subject)
  } catch {
    return null
  }
  if (!result.forwarded) return null
  const from = libraryMailbox(result.email.from)
  if (!from) return null
  const note = result.message ?? ''
  const at = note ? body.indexOf(note) : 0
  return {
    hop: {
      from,
      to: libraryMailboxes(result.email.to),
      cc: libraryMailboxes(result.email.cc),
      subject: result.email.subject ?? null,
      date: result.email.date ?? null,
      body: result.email.body ?? '',
      note,
    },
    start: at < 0 ? 0 : at + note.length,
  }
}

function libraryMailbox(box: { address: string | null; name: string | null } | undefined): Address | null {
  const email = (box?.address ?? '').trim()
  const name = unquote(box?.name ?? '')
  return email || name ? { email, name } : null
}

function libraryMailboxes(boxes: EmailForwardResult['email']['to']): Address[] {
  const list = Array.isArray(boxes) ? boxes : boxes ? [boxes] : []
  return list.map((b) => libraryMailbox(b)).filter((a): a is Address => !!a)
}

function forwardedAttachment(mail: ParsedMail): ParsedMail | null {
  return mail.attachedMessages.find((m) => m.from) ?? null
}

/** Each forwarder with their note, without the customer forwarding their own earlier mail. */
function layersOf(list: { from: Address | null; note: string }[], customer: Address | null): { from: Address; note: string }[] {
  const own = customer?.email.toLowerCase()
  return list.filter((l): l is { from: Address; note: string } => !!l.from?.email && l.from.email.toLowerCase() !== own)
}

function forwarders(list: (Address | null)[], customer: Address | null = null): Address[] {
  const out: Address[] = []
  const own = customer?.email.toLowerCase()
  for (const a of list) {
    // Only an address can be stored and matched later; a bare display name in a quoted header cannot.
    if (!a || !a.email) continue
    // A customer who forwards their own earlier mail is the customer, not a forwarder.
    if (own && a.email.toLowerCase() === own) continue
    if (out.length > 0 && out[out.length - 1]!.email.toLowerCase() === a.email.toLowerCase()) continue
    out.push(a)
  }
  return out
}

function joinNotes(notes: string[]): string | null {
  const kept = notes.map((n) => n.trim()).filter(Boolean)
  return kept.length > 0 ? kept.join('\n\n') : null
}

/**
 * The text the forward patterns see (see MAX_LINE_CHARS). Every step is one pass: runs of spaces
 * and tabs become one space, lines are trimmed, blank lines (also quoted ones, "> >", which the
 * library strips to blank) come one at a time, a character repeated past MAX_RUN_CHARS stops
 * there (separator lines are far shorter), and longer lines are broken.
 */
function normalize(text: string): string {
  const s = shortenRuns(
    text
      .slice(0, MAX_SCAN_CHARS * 2)
      .replace(/\r\n?/g, '\n')
      .replace(/\uFEFF/g, '')
      .replace(/[^\S\n]+/g, ' '),
  )
  const lines: string[] = []
  let blank = false
  for (const raw of s.split('\n')) {
    const line = raw.trim()
    const empty = /^[>\s]*$/.test(line)
    if (empty && blank) continue
    blank = empty
    for (let at = 0; at < line.length || at === 0; at += MAX_LINE_CHARS) lines.push(line.slice(at, at + MAX_LINE_CHARS))
  }
  return lines.join('\n').slice(0, MAX_SCAN_CHARS).trim()
}

function shortenRuns(s: string): string {
  const out: string[] = []
  let runStart = 0
  let kept = 0
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && s.charCodeAt(i) === s.charCodeAt(runStart)) continue
    const end = Math.min(i, runStart + MAX_RUN_CHARS)
    if (end < i) {
      out.push(s.slice(kept, end))
      kept = i
    }
    runStart = i
  }
  out.push(s.slice(kept))
  return out.join('')
}
