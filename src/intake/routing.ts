import { sha256Hex } from '../auth/crypto.ts'
import { withOrg, type Db, type Q } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { insertRaw, markRaw } from './queries.ts'

/** `escalations+anything@x.com` → `escalations@x.com`; lower-cased, as mailbox matching is in practice. */
export function baseAddress(address: string): string {
  const clean = address.trim().replace(/^<|>$/g, '').toLowerCase()
  const at = clean.lastIndexOf('@')
  if (at <= 0) return clean
  const local = clean.slice(0, at)
  const plus = local.indexOf('+')
  return `${plus > 0 ? local.slice(0, plus) : local}${clean.slice(at)}`
}

/**
 * The org that receives mail at one of these addresses (plus-addressing understood), trying them
 * in the order given: put envelope recipients before header ones. Owner-level (no org is known
 * yet). An address claimed by two orgs is a misconfiguration and routes nowhere rather than to a
 * guess: mail must never reach the wrong tenant.
 */
export async function findOrgByRecipient(db: Q, addresses: string[]): Promise<Org | undefined> {
  const candidates = [...new Set(addresses.flatMap((a) => [a.trim().replace(/^<|>$/g, '').toLowerCase(), baseAddress(a)]))].filter((a) =>
    a.includes('@'),
  )
  if (candidates.length === 0) return undefined
  const rows = await db<(Org & { rank: number })[]>`
    select o.id, o.slug, o.name, o.timezone, o.inbound_addresses as "inboundAddresses",
           min(array_position(${candidates}::text[], lower(a))) as rank
    from orgs o cross join unnest(o.inbound_addresses) as a
    where lower(a) = any(${candidates}::text[])
    group by o.id
    order by rank
    limit 2`
  const [first, second] = rows
  if (!first || (second && second.rank === first.rank)) return undefined
  const { rank: _rank, ...org } = first
  return org
}

// Headers that name who the message was delivered to, most specific first: a forward keeps the
// original To, while Delivered-To/X-Original-To say which of our mailboxes took it.
const recipientHeaders = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'x-forwarded-to', 'to', 'cc', 'resent-to']

/**
 * Recipient addresses from the header block only (bounded to 64 KB, no MIME parsing), for routing
 * before intake runs. Parsing proper happens after the raw bytes are stored.
 */
export function headerRecipients(raw: Uint8Array): string[] {
  // One character per byte (latin1): header bytes are ASCII or 8-bit noise. Decoded natively: a
  // spread of 16 KB into String.fromCharCode took about 1 ms a message, on the event loop.
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, 64 * 1024)).toString('latin1')
  const end = head.search(/\r?\n\r?\n/)
  const unfolded = (end === -1 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ')
  const found = new Map<string, string[]>()
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    if (colon <= 0 || !recipientHeaders.includes(name)) continue
    // Control characters never belong to an address (a NUL in a mangled header reached the
    // routing query, which PostgreSQL refused with a 500: test/fault/mutation-fuzz.test.ts).
    // Split on what cannot be in an address, then keep the pieces with an '@' inside: one pass.
    // (A pattern `x+@x+` retried at every character of a long piece without '@': 4 s for 60 KB.)
    const addresses = line
      .slice(colon + 1)
      .split(/[\s\x00-\x1f\x7f<>,;:"'()[\]]+/)
      .filter((piece) => {
        const at = piece.indexOf('@', 1)
        return at > 0 && at < piece.length - 1
      })
    found.set(name, [...(found.get(name) ?? []), ...addresses])
  }
  return recipientHeaders.flatMap((name) => found.get(name) ?? [])
}

export type Quarantined = { status: 'quarantined'; case: null; rawId: string; reason: string }

/**
 * Keeps a message that intake cannot take (no org to route it to, not an email at all), so
 * nothing is lost (promise 1): stored and quarantined with its reason in one transaction. With
 * no org, the row has org_id null and only the owner sees it, until someone routes it by hand.
 */
export async function storeQuarantined(
  db: Db,
  input: { orgId: string | null; raw: Uint8Array; provider: string; envelope?: Record<string, unknown>; reason: string },
): Promise<Quarantined> {
  const sha256 = await sha256Hex(input.raw)
  const store = async (tx: Q) => {
    const { id } = await insertRaw(tx, { orgId: input.orgId, provider: input.provider, sha256, bytes: input.raw, envelope: input.envelope })
    await markRaw(tx, id, 'quarantined', { reason: input.reason })
    return id
  }
  const rawId = input.orgId ? await withOrg(db, input.orgId, store) : ((await db.begin(store)) as string)
  return { status: 'quarantined', case: null, rawId, reason: input.reason }
}
