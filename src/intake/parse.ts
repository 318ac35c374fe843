// Parses one raw message into the plain data the readers use: addresses, ids and subject made
// safe to become headers of our reply, the text (HTML-only mail rendered), attached messages
// parsed in turn and the text of attached PDF letters. Bounded: the raw bytes are checked first
// (raw-checks.ts) and one deadline covers the whole walk.
import { createHash } from 'node:crypto'
import PostalMime from 'postal-mime'
import type { Address as PostalAddress, Attachment, Email } from 'postal-mime'
import { applyMessageLimits, defaultFileLimits, type FileLimits } from '../attachments/limits.ts'
import { contentIdOf, declaredType, safeFilename } from '../attachments/names.ts'
import { htmlToText } from './html-text.ts'
import { isPdf, pdfText } from './pdf-text.ts'
import { checkBeforeParsing, hasPlainTextPart, latin1, SNIFF_BYTES } from './raw-checks.ts'

export type Address = { email: string; name: string }
export type Limits = {
  maxBytes: number
  maxDepth: number
  maxParts: number
  parseTimeoutMs: number
  /** What of the attachments is kept (src/attachments/limits.ts); the defaults when absent. */
  files?: FileLimits
}
export const defaultLimits: Limits = { maxBytes: 25 * 1024 * 1024, maxDepth: 8, maxParts: 500, parseTimeoutMs: 5000 }

export type ParsedMail = {
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  subject: string
  date: string | null
  from: Address | null
  to: Address[]
  cc: Address[]
  deliveredTo: string[]
  replyTo: Address[]
  text: string
  html: string | null
  attachments: { filename: string | null; mimeType: string; size: number; isMessage: boolean }[]
  attachedMessages: ParsedMail[]
  /** The text of letters attached as PDFs (Node only: see pdf-text.ts), at most three. */
  letters: { filename: string; text: string }[]
  /**
   * Every file of the mail and of the messages attached to it (theirs after its own), with the
   * decoded bytes of those within the limits: what intake stores. Filled in on the outermost
   * message only; an attached message's own list is empty.
   */
  files: MailFile[]
  /** Header sections a delivery report returns (text/rfc822-headers): which of our mails bounced. */
  returnedHeaders: { messageId: string | null; inReplyTo: string | null; references: string[] }[]
  headers: { key: string; value: string }[]
}

/** One attached file as intake stores it (message_attachments). */
export type MailFile = {
  filename: string
  contentType: string
  size: number
  sha256: string
  disposition: 'attachment' | 'inline' | null
  contentId: string | null
  /** 0: attached to the mail itself; 1 and more: inside an attached message. */
  depth: number
  isMessage: boolean
  /** The bytes when kept; null with `notKept` saying why. */
  content: Uint8Array | null
  notKept: string | null
  /** A PDF's text, as the readers saw it. */
  text: string | null
}

export type ParseResult = { ok: true; mail: ParsedMail } | { ok: false; reason: string }

export async function parseMime(raw: Uint8Array, limits: Limits = defaultLimits): Promise<ParseResult> {
  try {
    const parsed = await parseLevel(raw, limits, 0, Date.now() + limits.parseTimeoutMs)
    if (parsed.ok) collectFiles(parsed.mail, limits.files ?? defaultFileLimits)
    return parsed
  } catch (err) {
    return { ok: false, reason: `could not parse the message: ${oneLine(err)}` }
  }
}

async function parseLevel(raw: Uint8Array, limits: Limits, depth: number, deadline: number): Promise<ParseResult> {
  const checked = checkBeforeParsing(raw, limits)
  if (!checked.ok) return checked

  const tooSlow = `parsing took longer than ${limits.parseTimeoutMs} ms`
  const remaining = deadline - Date.now()
  if (remaining <= 0) return { ok: false, reason: tooSlow }
  const email = await withTimeout(
    PostalMime.parse(raw, {
      forceRfc822Attachments: true,
      // Multipart nesting is a different axis from forwarded-message depth, but it is just as
      // attacker-controlled; real mail rarely nests more than five multiparts.
      maxNestingDepth: Math.max(16, limits.maxDepth * 4),
    }),
    remaining,
  )
  // postal-mime parses in microtasks, so the timer above cannot fire mid-parse; a parse that ran
  // past the deadline anyway is refused here, and its raw bytes stay stored for a retry.
  if (email === TIMED_OUT || Date.now() > deadline) return { ok: false, reason: tooSlow }
  if (email.headers.length === 0) return { ok: false, reason: 'no email headers found' }

  const mail = toParsedMail(email, hasPlainTextPart(checked.text))
  mail.files = email.attachments.map((att, n) => mailFile(att, n))
  for (const att of email.attachments) {
    if (!isMessageType(att.mimeType) || depth + 1 > limits.maxDepth || Date.now() >= deadline) continue
    // An attached message that cannot be read is still listed as an attachment; it just adds no sender.
    const inner = await parseLevel(contentBytes(att.content), limits, depth + 1, deadline).catch(() => null)
    if (inner?.ok) mail.attachedMessages.push(inner.mail)
  }
  // One reading of each letter: the readers get its text, and intake stores it with the file.
  const pdfs = email.attachments.flatMap((att, n) => (isPdf(att) ? [{ att, file: mail.files[n]! }] : [])).slice(0, 3)
  for (const { att, file } of pdfs) {
    const text = await pdfText(contentBytes(att.content), deadline)
    if (!text) continue
    file.text = text
    mail.letters.push({ filename: att.filename ?? 'letter.pdf', text })
  }
  return { ok: true, mail }
}

function mailFile(att: Attachment, position: number): MailFile {
  const bytes = contentBytes(att.content)
  const contentType = declaredType(att.mimeType)
  return {
    filename: safeFilename(att.filename, position, contentType),
    contentType,
    size: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    disposition: att.disposition === 'inline' ? 'inline' : att.disposition === 'attachment' ? 'attachment' : null,
    contentId: contentIdOf(att.contentId),
    depth: 0,
    isMessage: isMessageType(att.mimeType),
    // Its own buffer, so the analysis worker can hand it over without a copy (transfer).
    content: bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice(),
    notKept: null,
    text: null,
  }
}

/** Gathers the files of the attached messages into the outermost one's list, then applies the limits. */
function collectFiles(mail: ParsedMail, limits: FileLimits) {
  const walk = (m: ParsedMail, depth: number): MailFile[] => {
    const own = m.files.map((f) => ({ ...f, depth }))
    m.files = []
    return [...own, ...m.attachedMessages.flatMap((inner) => walk(inner, depth + 1))]
  }
  mail.files = applyMessageLimits(walk(mail, 0), limits)
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000, which a lying charset or an encoded word
 * (`=?utf-8?Q?=00?=`) puts into decoded mail: left in, the message failed to store with a 500
 * (found by test/fault/mutation-fuzz.test.ts). NUL carries no meaning in mail text; it goes.
 */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\0') ? value.replaceAll('\0', '') : value) as T
  if (Array.isArray(value)) return value.map(withoutNul) as T
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNul(v)])) as T
  return value
}

function toParsedMail(email: Email, hasPlain: boolean): ParsedMail {
  const html = email.html ?? null
  // postal-mime renders HTML-only mail to text on its own; ours keeps table rows and quotes apart.
  const text = !hasPlain && html ? htmlToText(html) : (email.text ?? '')
  return withoutNul<ParsedMail>({
    messageId: firstId(email.messageId),
    inReplyTo: firstId(email.inReplyTo),
    references: allIds(email.references),
    subject: headerSafeSubject(email.subject ?? ''),
    date: email.date?.trim() || null,
    from: mailboxes(email.from ? [email.from] : [])[0] ?? null,
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    deliveredTo: email.headers
      .filter((h) => h.key === 'delivered-to')
      .map((h) => h.value.trim().replace(/^<|>$/g, ''))
      .filter(Boolean),
    replyTo: mailboxes(email.replyTo),
    text,
    html,
    attachments: email.attachments.map((a) => ({
      filename: a.filename ?? null,
      mimeType: a.mimeType,
      size: contentBytes(a.content).byteLength,
      isMessage: isMessageType(a.mimeType),
    })),
    attachedMessages: [],
    letters: [],
    files: [],
    returnedHeaders: email.attachments
      .filter((a) => a.mimeType === 'text/rfc822-headers')
      .slice(0, 4)
      .map((a) => returnedIds(contentBytes(a.content))),
    headers: email.headers.map((h) => ({ key: h.key, value: h.value })),
  })
}

/** Message-ID, In-Reply-To and References of a returned header section (first 64 KB, unfolded). */
function returnedIds(bytes: Uint8Array) {
  const block = latin1(bytes.subarray(0, SNIFF_BYTES)).replace(/\r?\n[ \t]+/g, ' ')
  const value = (name: string) =>
    block
      .split(/\r?\n/)
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
  return { messageId: firstId(value('message-id')), inReplyTo: firstId(value('in-reply-to')), references: allIds(value('references')) }
}

function mailboxes(list: PostalAddress[] | undefined): Address[] {
  const out: Address[] = []
  for (const a of list ?? []) {
    const members = a.group ? a.group : [a]
    for (const m of members) {
      const address = (m.address ?? '').trim()
      const email = address.length <= MAX_ADDRESS_CHARS ? address : ''
      const name = (m.name ?? '').trim()
      if (email || name) out.push({ email, name })
    }
  }
  return out
}

/**
 * The Message-ID as parseMime would report it, read from the header block alone (no MIME
 * parsing: this runs before the raw copy is stored), or null whenever that is not certain: no
 * such header, several, an encoded word or 8-bit bytes in it, or a header block past 64 KB.
 */
export function headerMessageId(raw: Uint8Array): string | null {
  const head = latin1(raw.subarray(0, SNIFF_BYTES))
  const end = head.search(/\r?\n\r?\n/)
  if (end < 0 && raw.byteLength > SNIFF_BYTES) return null
  const block = (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ')
  const values = block.split(/\r?\n/).filter((line) => /^message-id[ \t]*:/i.test(line))
  if (values.length !== 1) return null
  const value = values[0]!.slice(values[0]!.indexOf(':') + 1)
  if (value.includes('=?') || /[^\x20-\x7e\t]/.test(value)) return null
  return firstId(value)
}

function firstId(value: string | undefined): string | null {
  return allIds(value)[0] ?? null
}

// RFC 5322 caps a line at 998 characters and RFC 5321 an address at 320, so nothing real is
// longer. Longer values are dropped: an index entry holds ~2.7 KB at most, and a 3 KB Message-ID
// or From address failed the message with a 500 that the sender retried forever (found by
// test/fault/mutation-fuzz.test.ts). Without its id the message is deduplicated by its bytes.
const MAX_ID_CHARS = 998
const MAX_ADDRESS_CHARS = 320

// RFC 5322's msg-id: id-left "@" id-right. No whitespace, control character or angle bracket can
// be part of one, so none can end up in the In-Reply-To or References header of our reply.
const MSG_ID_SHAPE = /^[^\s\p{Cc}<>]+@[^\s\p{Cc}<>@]+$/u

/**
 * Message-IDs, In-Reply-To and References become headers of our reply, and postal-mime decodes
 * encoded words in them, so `<m1=0D=0ABcc: x@y>` arrives with a real CRLF inside. Only values
 * shaped like a msg-id are kept; without its id a message is deduplicated by its bytes instead.
 */
function allIds(value: string | undefined): string[] {
  if (!value) return []
  const bracketed = [...value.matchAll(/<([^<>]+)>/g)].map((m) => m[1]!.trim()).filter(Boolean)
  const ids =
    bracketed.length > 0
      ? bracketed
      : value
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean)
  return ids.filter((id) => id.length <= MAX_ID_CHARS && MSG_ID_SHAPE.test(id))
}

const MAX_SUBJECT_CHARS = 998

/**
 * The subject becomes the Subject header of our reply ("Re: …") and of the approval invite, and
 * postal-mime decodes `=?utf-8?Q?…=0D=0ABcc:_x@y?=` into a real CRLF: left in, it would start a
 * header of its own there. Line breaks and tabs become spaces, other control characters go, and
 * the length stays within one header line.
 */
export function headerSafeSubject(value: string): string {
  const oneLine = value
    .replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/g, ' ')
    .replace(/\p{Cc}+/gu, '')
    .trim()
  if (oneLine.length <= MAX_SUBJECT_CHARS) return oneLine
  // Never cut a surrogate pair in half.
  const end = /[\ud800-\udbff]/.test(oneLine[MAX_SUBJECT_CHARS - 1]!) ? MAX_SUBJECT_CHARS - 1 : MAX_SUBJECT_CHARS
  return oneLine.slice(0, end).trimEnd()
}

function isMessageType(mimeType: string): boolean {
  return mimeType === 'message/rfc822' || mimeType === 'message/global'
}

function contentBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content)
  return content instanceof Uint8Array ? content : new Uint8Array(content)
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.replace(/\s+/g, ' ').trim() || 'unknown error'
}

// The size and part limits are what keep one parse short; the race covers anything that does
// wait on a timer or I/O, and the shared deadline stops the walk into attached messages.
const TIMED_OUT = Symbol('timed out')
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
