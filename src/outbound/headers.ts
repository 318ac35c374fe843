// What may become a header of mail the desk sends. Subjects and thread ids come from customer
// mail (postal-mime decodes `=?utf-8?Q?…=0D=0A…?=` into a real CRLF), from forms and from
// spreadsheets; a line break in any of them would let the customer write headers of their own
// (a Bcc on an approval invite that carries a live approval link). Both transports check every
// message here, so no caller has to remember to.
import { z } from 'zod'
import type { OutboundMail } from './types.ts'

export type CheckedMail = OutboundMail & { from: string; to: string[] }
export type MailCheck = { ok: true; mail: CheckedMail } | { ok: false; reason: string }

// Control characters (C0 with tab, DEL, C1) and Unicode's line and paragraph separators: none
// belongs on a header line, and some mail software ends a line at each of them.
const lineBreaking = /[\p{Cc}\u2028\u2029]+/gu
const controlCharacter = /[\p{Cc}\u2028\u2029]/u

/** The domain our Message-IDs use: the sender's, so replies look like they come from where they do. */
export const messageIdDomain = (mailFrom: string) => /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'escalation-desk.local'

/** One line of text: each run of control characters becomes one space. */
export function singleLine(value: string): string {
  return value.replace(lineBreaking, ' ').trim()
}

/**
 * The most a Subject header carries. Mail has no hard limit (RFC 5322 folds a long header over
 * lines of at most 998 octets, and RFC 2047 encodes non-Latin text in folded words), but clients
 * do: Outlook and Exchange keep 255 characters of a subject, and most lists show far fewer. A
 * longer one is cut at a word, on a character boundary, with an ellipsis; the draft, the
 * approval and the copy in the case's thread keep the whole text (sql/00020).
 */
export const SUBJECT_HEADER_CHARS = 250

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** The subject as the mail's header carries it: one line, at most SUBJECT_HEADER_CHARS characters. */
export function outgoingSubject(subject: string): string {
  const line = singleLine(subject)
  const chars = Array.from(graphemes.segment(line), (g) => g.segment)
  if (chars.length <= SUBJECT_HEADER_CHARS) return line
  const cut = chars.slice(0, SUBJECT_HEADER_CHARS - 1)
  // At the last space in the second half, if there is one (scripts without spaces cut anywhere).
  const space = cut.lastIndexOf(' ')
  const kept = space > SUBJECT_HEADER_CHARS / 2 ? cut.slice(0, space) : cut
  return `${kept.join('').trimEnd()}…`
}

// RFC 5322 field-name: printable US-ASCII except the colon.
const fieldName = /^[!-9;-~]+$/
// Headers the transport writes from the message's own fields (addresses, subject, MIME
// structure). A copy among the custom headers would bypass the address checks below, or make
// the provider send two of them.
const reservedNames = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
])

// RFC 5322 msg-id, `<id-left@id-right>`: no whitespace or control characters, no brackets or
// @ inside either half. Folding such a value would change which message it names, so a bad
// one refuses the mail instead.
const msgId = /^<[^\s<>@\p{Cc}]+@[^\s<>@\p{Cc}]+>$/u
const MAX_LINE_CHARS = 998
const threadHeaders: Record<string, 'one' | 'list'> = { 'message-id': 'one', 'in-reply-to': 'one', references: 'list' }

// The addresses browsers accept in <input type=email> (WHATWG): every atext character in the
// local part, letters, digits and hyphens in the domain; nothing that could end the header.
const addrSpec = z.email({ pattern: z.regexes.html5Email })
// A display name either quoted, or free of the characters that split or end an address list.
const displayName = /^(?:"(?:[^"\\]|\\.)*"|[^",;<>]*)$/

const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)

/** Null when the value is one mailbox (`a@b.example` or `Name <a@b.example>`), else why not. */
export function mailboxProblem(value: string): string | null {
  if (controlCharacter.test(value)) return 'contains a line break or control character'
  const mailbox = value.trim()
  if (mailbox.length > MAX_LINE_CHARS) return 'is too long'
  // `Name <address>`: the address is inside the last pair of angle brackets.
  const open = mailbox.endsWith('>') ? mailbox.lastIndexOf('<') : -1
  const [name, address] = open >= 0 ? [mailbox.slice(0, open).trim(), mailbox.slice(open + 1, -1)] : ['', mailbox]
  if (!displayName.test(name)) return 'has a name that would split the address list (quote it)'
  if (!addrSpec.safeParse(address).success) return 'is not one email address'
  return null
}

function threadHeaderProblem(name: string, value: string, kind: 'one' | 'list'): string | null {
  const ids = kind === 'one' ? [value] : value.split(/ +/).filter(Boolean)
  if (ids.length === 0) return `${name} is empty`
  const bad = ids.find((id) => id.length > MAX_LINE_CHARS || !msgId.test(id))
  if (bad !== undefined) {
    return `${name} ${kind === 'one' ? 'is not one message id' : 'holds something that is not a message id'} like <id@host> (${shown(bad)})`
  }
  return null
}

/**
 * The mail as it may leave: the subject (shortened to what clients keep) and ordinary header values folded to one line; the
 * addresses, header names and thread ids (Message-ID, In-Reply-To, References) checked, since
 * folding those would change who receives the mail or which thread it joins.
 */
export function checkOutboundMail(mail: OutboundMail & { from: string }): MailCheck {
  const to = Array.isArray(mail.to) ? mail.to : [mail.to]
  if (to.length === 0) return { ok: false, reason: 'the mail has no recipient' }
  for (const recipient of to) {
    const problem = mailboxProblem(recipient)
    if (problem) return { ok: false, reason: `the recipient ${shown(recipient)} ${problem}` }
  }
  for (const copy of mail.cc ?? []) {
    const problem = mailboxProblem(copy)
    if (problem) return { ok: false, reason: `the copy recipient ${shown(copy)} ${problem}` }
  }
  for (const file of mail.attachments ?? []) {
    if (/[\r\n\0]/.test(file.filename) || !file.filename.trim()) return { ok: false, reason: `${shown(file.filename)} is not a file name` }
    if (/[\r\n]/.test(file.contentType)) return { ok: false, reason: `${shown(file.contentType)} is not a content type` }
  }
  const fromProblem = mailboxProblem(mail.from)
  if (fromProblem) return { ok: false, reason: `the sender ${shown(mail.from)} ${fromProblem}` }
  if (mail.replyTo !== undefined) {
    const problem = mailboxProblem(mail.replyTo)
    if (problem) return { ok: false, reason: `the Reply-To address ${shown(mail.replyTo)} ${problem}` }
  }

  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    if (!fieldName.test(name)) return { ok: false, reason: `${shown(name)} is not a header name` }
    const key = name.toLowerCase()
    if (reservedNames.has(key)) return { ok: false, reason: `a ${name} header cannot be set as a custom header` }
    const kind = threadHeaders[key]
    if (kind) {
      const problem = threadHeaderProblem(name, value, kind)
      if (problem) return { ok: false, reason: problem }
      headers[name] = value
    } else {
      headers[name] = singleLine(value)
    }
  }
  return { ok: true, mail: { ...mail, to, subject: outgoingSubject(mail.subject), headers: mail.headers ? headers : undefined } }
}
