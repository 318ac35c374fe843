import { addressParser, decodeWords } from 'postal-mime'
import { recordAudit, type Actor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import type { Analyzer } from './analyze.ts'
import {
  claimUnrouted,
  countUnroutedHeld,
  findOrgHeld,
  findUnroutedHeld,
  headBytes,
  inboundDomainOwners,
  listAllHeld,
  listOrgHeld,
  rawBytesOf,
  type HeldRow,
} from './quarantine-queries.ts'
import { markRaw } from './queries.ts'
import { reprocessRaw, type ReprocessResult } from './reprocess.ts'
import { headerRecipients } from './routing.ts'
import { maxProcessAttempts } from './sweep.ts'

// Mail that did not become a case, for the people who can do something about it: the org's
// admins (their own org's messages) and the operator (`desk quarantine list`: every org's, and
// mail no org receives).
//
// Mail no org receives belongs to nobody yet, and may be another tenant's (a typo in their
// address, a forward to the wrong desk). An admin sees such a message only when one of its
// recipients is on a domain that their organization alone receives mail on (escalations@acme.com
// makes acme.com theirs, unless another org also receives on acme.com); they may then take it.
// Of the rest they see only how many there are; the operator routes those with
// `desk ingest --reprocess <id> --org SLUG`.

/** A `received` row this much older than its arrival has been left behind by a stopped process. */
export const stuckAfterSeconds = 300
const listLimit = 200

export type HeldMessage = {
  id: string
  orgId: string | null
  orgSlug: string | null
  state: 'quarantined' | 'stuck'
  /** Why it is held: the quarantine reason, or for a stuck one the sweep's last error. */
  reason: string
  provider: string
  receivedAt: Date
  size: number
  attempts: number
  maxAttempts: number
  lastError: string | null
  from: string | null
  fromName: string | null
  subject: string
  recipients: string[]
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** The header block of the first 64 KB, unfolded, as name → first value (no MIME parsing). */
function headerFields(head: Buffer): Map<string, string> {
  const text = new TextDecoder('utf-8').decode(head.subarray(0, headBytes))
  const end = text.search(/\r?\n\r?\n/)
  const block = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ')
  const fields = new Map<string, string>()
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim())
  }
  return fields
}

/** Sender, subject and recipients as the list shows them; bounded, and safe on any bytes. */
export function describeHead(head: Buffer, envelope: Record<string, unknown>) {
  const fields = headerFields(head)
  const rawFrom = clip(fields.get('from') ?? '', 1000)
  const [sender] = rawFrom ? addressParser(rawFrom, { flatten: true }) : []
  const envelopeTo = Array.isArray(envelope.to) ? envelope.to.filter((t): t is string => typeof t === 'string') : []
  const recipients = [
    ...new Set([...envelopeTo, ...headerRecipients(head)].map((a) => a.trim().replace(/^<|>$/g, '').toLowerCase())),
  ].slice(0, 50)
  // A control character in a header is how a hostile message tries to break a page or a log line.
  const printable = (s: string) => s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim()
  return {
    from: sender?.address ? clip(printable(sender.address).toLowerCase(), 320) : null,
    fromName: sender?.name ? clip(printable(decodeWords(sender.name)), 200) : null,
    subject: clip(printable(decodeWords(clip(fields.get('subject') ?? '', 2000))), 300) || '(no subject)',
    recipients,
  }
}

export function toHeld(row: HeldRow): HeldMessage {
  const stuck = row.status === 'received'
  const reason = stuck
    ? `stored but not processed${row.lastError ? `; last error: ${row.lastError}` : ''} (the sweep retries it: attempt ${row.attempts} of ${maxProcessAttempts})`
    : (row.reason ?? 'quarantined')
  return {
    id: row.id,
    orgId: row.orgId,
    orgSlug: row.orgSlug,
    state: stuck ? 'stuck' : 'quarantined',
    reason,
    provider: row.provider,
    receivedAt: row.receivedAt,
    size: row.size,
    attempts: row.attempts,
    maxAttempts: maxProcessAttempts,
    lastError: row.lastError,
    ...describeHead(row.head, row.envelope),
  }
}

export type AdminQuarantine = {
  /** This org's quarantined and stuck messages. */
  own: HeldMessage[]
  /** Messages of no org addressed to a domain only this org receives on: this org may take them. */
  claimable: HeldMessage[]
  /** Messages of no org this admin may not see, counted. */
  otherUnrouted: number
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1)

/** The org an unrouted message can be given to by its recipients' domains, when exactly one. */
function soleOwner(message: HeldMessage, owners: Map<string, string[]>): string | null {
  const orgs = new Set(message.recipients.flatMap((r) => owners.get(domainOf(r)) ?? []))
  return orgs.size === 1 ? [...orgs][0]! : null
}

export async function listForAdmin(db: Db, orgId: string): Promise<AdminQuarantine> {
  const own = (await withOrg(db, orgId, (tx) => listOrgHeld(tx, stuckAfterSeconds, listLimit))).map(toHeld)
  const owners = await inboundDomainOwners(db)
  const unrouted = (await listAllHeld(db, { stuckSeconds: stuckAfterSeconds, limit: listLimit, unroutedOnly: true })).map(toHeld)
  const claimable = unrouted.filter((m) => soleOwner(m, owners) === orgId)
  const total = await countUnroutedHeld(db, stuckAfterSeconds)
  return { own, claimable, otherUnrouted: total - claimable.length }
}

/** The operator's view (`desk quarantine list`): every org's held messages, and those of none. */
export async function listForOperator(db: Db, options: { orgId?: string | null; limit?: number } = {}): Promise<HeldMessage[]> {
  return (await listAllHeld(db, { stuckSeconds: stuckAfterSeconds, limit: options.limit ?? 1000, orgId: options.orgId })).map(toHeld)
}

type Access = { message: HeldMessage; unrouted: boolean }

/**
 * The held message this admin may act on: one of their org's, or an unrouted one they may take.
 * Anything else is null, and answered as "not found" whatever it is.
 */
async function accessHeld(db: Db, orgId: string, id: string): Promise<Access | null> {
  const own = await withOrg(db, orgId, (tx) => findOrgHeld(tx, id, stuckAfterSeconds))
  if (own) return { message: toHeld(own), unrouted: false }
  const row = await findUnroutedHeld(db, id, stuckAfterSeconds)
  if (!row) return null
  const message = toHeld(row)
  return soleOwner(message, await inboundDomainOwners(db)) === orgId ? { message, unrouted: true } : null
}

export type HeldAction<T> = { ok: true; value: T } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'failed'; message: string }

/** Runs the message through intake again (an unrouted one is given to this org first). Audited. */
export async function reprocessHeld(
  db: Db,
  orgId: string,
  id: string,
  actor: Actor,
  analyze?: Analyzer,
): Promise<HeldAction<ReprocessResult & { ok: true }>> {
  const access = await accessHeld(db, orgId, id)
  if (!access) return { ok: false, reason: 'not_found' }
  const result = await reprocessRaw(db, id, orgId, analyze, actor)
  return result.ok ? { ok: true, value: result } : { ok: false, reason: 'failed', message: result.reason }
}

/**
 * Keeps the message as not an escalation (with the person's reason), next to the auto-replies and
 * bulk mail intake sets aside: no case, no draft. An unrouted one becomes this org's. Audited.
 */
export async function markHeldNotEscalation(
  db: Db,
  orgId: string,
  id: string,
  actor: Actor,
  note: string,
): Promise<HeldAction<HeldMessage>> {
  const access = await accessHeld(db, orgId, id)
  if (!access) return { ok: false, reason: 'not_found' }
  if (access.unrouted && !(await claimUnrouted(db, id, orgId))) return { ok: false, reason: 'not_found' }
  const { message } = access
  const reason = `marked as not an escalation by a person${note ? `: ${clip(note, 500)}` : ''} (was: ${clip(message.reason, 300)})`
  await withOrg(db, orgId, async (tx) => {
    await markRaw(tx, id, 'not_escalation', {
      reason,
      summary: { from: message.from, name: message.fromName, subject: message.subject, kind: null },
    })
    await recordAudit(tx, orgId, {
      actor,
      action: 'message.mark_not_escalation',
      details: {
        rawId: id,
        was: message.state,
        ...(access.unrouted ? { assigned: true } : {}),
        ...(note ? { note: clip(note, 500) } : {}),
      },
    })
  })
  return { ok: true, value: message }
}

/** The stored bytes as they arrived, for an admin to open in a mail program. The download is audited. */
export async function downloadHeld(
  db: Db,
  orgId: string,
  id: string,
  actor: Actor,
): Promise<HeldAction<{ bytes: Buffer; message: HeldMessage }>> {
  const access = await accessHeld(db, orgId, id)
  if (!access) return { ok: false, reason: 'not_found' }
  // An unrouted message stays unrouted (downloading it decides nothing), so it is read on the
  // owner connection, which accessHeld has just allowed; the audit event goes to the org whose
  // admin read it.
  const bytes = access.unrouted ? await rawBytesOf(db, id) : await withOrg(db, orgId, (tx) => rawBytesOf(tx, id))
  if (!bytes) return { ok: false, reason: 'not_found' }
  await withOrg(db, orgId, (tx) =>
    recordAudit(tx, orgId, {
      actor,
      action: 'message.download',
      details: { rawId: id, size: bytes.byteLength, ...(access.unrouted ? { unrouted: true } : {}) },
    }),
  )
  return { ok: true, value: { bytes, message: access.message } }
}
