import { createHash } from 'node:crypto'
import type { Tx } from '../db.ts'
import type { Analysis } from './analyze.ts'
import { baseAddress } from './routing.ts'

export type ThreadMatch = { caseId: string; number: number; by: 'reply_token' | 'in_reply_to' | 'external_ref' | 'forward_copy' }
type Analysed = Extract<Analysis, { ok: true }>

const normaliseSubject = (s: string) =>
  s.replace(/^\s*((re|fwd?|tr|wg|rv|aw|sv|vs)\s*(\[\d+\])?\s*:\s*)+/i, '').replace(/\s+/g, ' ').trim().toLowerCase()

/**
 * The same complaint forwarded by two people arrives as two messages with different ids. What
 * they share is the original: its sender, subject and sent time (or, without a usable date, the
 * start of its text). Only forwards get a key; direct mail dedupes on its Message-ID.
 */
export function originalKey(a: Analysed): string | null {
  const { unwrapped } = a
  if (unwrapped.depth === 0 || !unwrapped.customer?.email) return null
  if (unwrapped.originalMessageId) return `mid:${unwrapped.originalMessageId}`
  const when = unwrapped.date ? Date.parse(unwrapped.date) : NaN
  const anchor = Number.isFinite(when)
    ? new Date(Math.floor(when / 60_000) * 60_000).toISOString()
    : unwrapped.text.replace(/\s+/g, ' ').trim().slice(0, 400).toLowerCase()
  return `fwd:${createHash('sha256').update(JSON.stringify([unwrapped.customer.email.toLowerCase(), normaliseSubject(unwrapped.subject), anchor])).digest('hex')}`
}

/** Reply tokens ride in the recipient: escalations+<token>@… (random, never the case number). */
export function replyTokens(recipients: string[], inboundAddresses: string[]): string[] {
  const ours = new Set(inboundAddresses.map((a) => a.toLowerCase()))
  return recipients.flatMap((address) => {
    const clean = address.trim().replace(/^<|>$/g, '')
    const match = /^[^+@]+\+([A-Za-z0-9_-]{16,64})@/.exec(clean)
    return match && ours.has(baseAddress(clean)) ? [match[1]!] : []
  })
}

/**
 * Finds the case a message belongs to, in DESIGN.md's order: our reply token, then In-Reply-To /
 * References against Message-IDs we stored or sent, then the external reference, then another
 * copy of the same forwarded original. A subject line alone never attaches mail to a case.
 */
export async function findThread(tx: Tx, a: Analysed, recipients: string[], inboundAddresses: string[]): Promise<ThreadMatch | null> {
  const tokens = replyTokens(recipients, inboundAddresses)
  if (tokens.length) {
    const [row] = await tx<{ id: string; number: number }[]>`select id, number from cases where reply_token = any(${tokens}) limit 1`
    if (row) return { caseId: row.id, number: row.number, by: 'reply_token' }
  }
  const ids = [a.mail.inReplyTo, ...a.mail.references].filter((id): id is string => Boolean(id)).map((id) => `mid:${id}`)
  if (ids.length) {
    const [row] = await tx<{ id: string; number: number }[]>`
      select c.id, c.number from messages m join cases c on c.id = m.case_id
      where m.dedupe_key = any(${ids}) order by m.created_at desc limit 1`
    if (row) return { caseId: row.id, number: row.number, by: 'in_reply_to' }
  }
  const ref = a.classification.externalRef
  if (ref) {
    const [row] = await tx<{ id: string; number: number }[]>`select id, number from cases where external_ref = ${ref}`
    if (row) return { caseId: row.id, number: row.number, by: 'external_ref' }
  }
  const key = originalKey(a)
  if (key) {
    const [row] = await tx<{ id: string; number: number }[]>`select id, number from cases where original_key = ${key}`
    if (row) return { caseId: row.id, number: row.number, by: 'forward_copy' }
  }
  return null
}
