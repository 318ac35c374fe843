// Keys that let copies of one customer mail find each other, whoever forwarded them and from
// whichever client. The original's Message-ID is the best key when a client keeps it (Gmail and
// Apple Mail put it in In-Reply-To/References; an attached message has its own). Otherwise the
// clients agree on the original's sender, subject and the minute it was sent as the quoting
// client shows it (Outlook writes "Friday, October 30, 2026 7:55 AM" without a zone, Gmail "Fri,
// Oct 30, 2026 at 7:55 AM", Apple Mail "October 30, 2026 at 7:55:12 AM PDT"), and on its text.
import { createHash } from 'node:crypto'
import { parseQuotedDate } from './dates.ts'
import { isOrgAddress, type OrgContext } from './org-context.ts'
import type { ParsedMail } from './parse.ts'
import type { Unwrapped } from './unwrap.ts'

export type DedupeKeys = {
  /** The original's Message-ID, when this message carries it. */
  originalMessageId: string | null
  /** Best first: the wall-clock key (all clients agree), the zoned instant, the Message-ID, the text. */
  keys: string[]
}

const hash = (parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40)

/**
 * A quoted Subject line shows the original's subject as it was, reply prefix and all, so only
 * spacing and case are normalised: "Re: X" (a reply) stays a different mail from "X".
 */
export function normaliseSubject(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase()
}

/** The first letters and digits of the original's own text: survives quoting, wrapping and BOMs. */
function textFingerprint(text: string): string | null {
  const letters = text
    .slice(0, 4000)
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
  return letters.length >= 60 ? letters.slice(0, 240) : null
}

export function dedupeKeys(mail: ParsedMail, unwrapped: Unwrapped, org: OrgContext): DedupeKeys {
  const originalMessageId = originalId(mail, unwrapped)
  // Mail sent to the desk alone dedupes on its own Message-ID; only a copy that also went to a
  // colleague (the CEO in To, the desk in Cc) may come back forwarded by them.
  if (unwrapped.depth === 0 && !sentToOthersToo(mail, org)) return { originalMessageId, keys: [] }
  const sender = unwrapped.customer?.email?.toLowerCase() ?? ''
  const subject = normaliseSubject(unwrapped.subject)
  const keys: string[] = []
  const when = parseQuotedDate(unwrapped.date)
  if (sender && when) {
    keys.push(`wall:${hash([sender, subject, when.wall])}`)
    if (when.instant) keys.push(`at:${hash([sender, subject, when.instant])}`)
  }
  if (originalMessageId) keys.push(`mid:${originalMessageId}`)
  const fingerprint = textFingerprint(unwrapped.text)
  if (sender && fingerprint) keys.push(`text:${hash([sender, fingerprint])}`)
  return { originalMessageId, keys }
}

function sentToOthersToo(mail: ParsedMail, org: OrgContext): boolean {
  const desk = new Set(org.inboundAddresses)
  return [...mail.to, ...mail.cc].some((a) => isOrgAddress(org, a.email) && !desk.has(a.email.toLowerCase().replace(/\+[^@]*@/, '@')))
}

function originalId(mail: ParsedMail, unwrapped: Unwrapped): string | null {
  if (unwrapped.depth === 0 || unwrapped.originalMessageId) return unwrapped.originalMessageId
  // An inline forward: clients that keep the original put its id in In-Reply-To (one hop) and
  // at the start of References (a chain of forwards).
  if (unwrapped.depth === 1) return mail.inReplyTo ?? mail.references[mail.references.length - 1] ?? null
  return mail.references[0] ?? null
}
