import type { Claims } from '../cases/queries.ts'
import type { Tx } from '../db.ts'
import type { Analysed } from './analyze.ts'
import { findCaseByKeys, findCaseByMessageIds, MAX_KEY_CHARS } from './queries.ts'
import { baseAddress } from './routing.ts'

export type ThreadMatch = { caseId: string; number: number; by: 'reply_token' | 'in_reply_to' | 'external_ref' | 'forward_copy' }

/**
 * The copies of one customer mail share keys however they arrived: sent to the desk, forwarded
 * by two executives from different clients, re-forwarded. The analysis computes them
 * (src/intake/dedupe.ts), best first: the original's sender, subject and minute as written, the
 * zoned instant, the original's Message-ID, its text. A case keeps every key of every message
 * filed on it (case_keys), so a copy that shares any one of them finds it.
 */
export function dedupeKeys(a: Analysed): string[] {
  return a.classification.dedupe.keys.filter((k) => k.length <= MAX_KEY_CHARS)
}

/** The first key, kept on the case row as before (cases.original_key). */
export function originalKey(a: Analysed): string | null {
  return dedupeKeys(a)[0] ?? null
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

async function byReplyToken(tx: Tx, recipients: string[], inboundAddresses: string[]): Promise<ThreadMatch | null> {
  const tokens = replyTokens(recipients, inboundAddresses)
  if (!tokens.length) return null
  const [row] = await tx<{ id: string; number: number }[]>`select id, number from cases where reply_token = any(${tokens}) limit 1`
  return row ? { caseId: row.id, number: row.number, by: 'reply_token' } : null
}

async function byMessageIds(tx: Tx, ids: (string | null)[]): Promise<ThreadMatch | null> {
  const usable = [...new Set(ids.filter((id): id is string => !!id && id.length < MAX_KEY_CHARS - 4))]
  const row = await findCaseByMessageIds(tx, usable)
  return row ? { caseId: row.id, number: row.number, by: 'in_reply_to' } : null
}

async function byExternalRef(tx: Tx, ref: string | null): Promise<ThreadMatch | null> {
  if (!ref) return null
  const [row] = await tx<{ id: string; number: number }[]>`select id, number from cases where external_ref = ${ref}`
  return row ? { caseId: row.id, number: row.number, by: 'external_ref' } : null
}

/**
 * Another copy of a mail a case already has: the forwarded original itself was filed (it was
 * sent to the desk too, and its Message-ID is a message's dedupe key), or one of its keys is
 * the case's.
 */
async function byCopy(tx: Tx, a: Analysed): Promise<ThreadMatch | null> {
  const original = a.classification.dedupe.originalMessageId
  const keys = [...dedupeKeys(a), ...(original && original.length < MAX_KEY_CHARS - 4 ? [`mid:${original}`] : [])]
  const [byOriginal, byKeys] = await Promise.all([original ? findCaseByMessageIds(tx, [original]) : undefined, findCaseByKeys(tx, keys)])
  const row = byOriginal ?? byKeys
  return row ? { caseId: row.id, number: row.number, by: 'forward_copy' } : null
}

/**
 * Finds the case a message belongs to, in this order: our reply token, then In-Reply-To /
 * References against Message-IDs we stored or sent (or a case's forwarded original), then the
 * external reference, then another copy of the same original. A subject line alone never
 * attaches mail to a case.
 */
export async function findThread(tx: Tx, a: Analysed, recipients: string[], inboundAddresses: string[]): Promise<ThreadMatch | null> {
  // All four asked at once (one pipeline: postgres.js sends every query before reading an answer),
  // the first in this order wins.
  const found = await Promise.all([
    byReplyToken(tx, recipients, inboundAddresses),
    byMessageIds(tx, [a.mail.inReplyTo, ...a.mail.references]),
    byExternalRef(tx, a.classification.externalRef),
    byCopy(tx, a),
  ])
  return survivorOf(tx, found.find((match) => match !== null) ?? null)
}

/**
 * What of findThread a concurrent new case can come to hold while this mail is being filed: its
 * keys, the Message-IDs it refers to or is a copy of (as a message's dedupe key or a case key),
 * its reference. Looked for once more just before the number (number_new_cases, sql/00043): a
 * hit means findThread, run again, finds that case.
 */
export function mailClaims(a: Analysed): Claims {
  const original = a.classification.dedupe.originalMessageId
  const ids = [a.mail.inReplyTo, ...a.mail.references, original]
  const messageKeys = [...new Set(ids.filter((id): id is string => !!id && id.length < MAX_KEY_CHARS - 4))].map((id) => `mid:${id}`)
  return { keys: [...new Set([...dedupeKeys(a), ...messageKeys])], messageKeys, externalRef: a.classification.externalRef }
}

/**
 * A case merged into another (sql/00025) lives on in that one: mail that finds the merged case
 * (its reference, its old Message-IDs) belongs to the survivor. Merges repoint earlier merges,
 * so one hop is the whole way.
 */
async function survivorOf(tx: Tx, match: ThreadMatch | null): Promise<ThreadMatch | null> {
  if (!match) return null
  const [row] = await tx<{ id: string; number: number }[]>`
    select s.id, s.number from cases c join cases s on s.id = c.merged_into where c.id = ${match.caseId}`
  return row ? { ...match, caseId: row.id, number: row.number } : match
}

/**
 * The case an automatic message answers: an auto-reply sent to our reply's token address, a
 * message that refers to one of our or the case's Message-IDs (a bounce returns our reply with
 * its headers), or a helpdesk's acknowledgement that quotes the case's reference. Never by a
 * forwarded copy's keys: an auto-reply is nobody's copy of a complaint.
 */
export async function findAutomaticThread(
  tx: Tx,
  a: Analysed,
  recipients: string[],
  inboundAddresses: string[],
): Promise<ThreadMatch | null> {
  const found = await Promise.all([
    byReplyToken(tx, recipients, inboundAddresses),
    byMessageIds(tx, [a.mail.inReplyTo, ...a.mail.references, ...a.classification.referencedMessageIds]),
    byExternalRef(tx, a.classification.externalRef),
  ])
  return survivorOf(tx, found.find((match) => match !== null) ?? null)
}
