import { z } from 'zod'
import type { Db, DbOrTx } from '../db.ts'
import { linkSigningKey } from '../auth/tokens.ts'
import { findAuditHash, findAuditTip, inspectAuditChain } from './audit.ts'

// The chain proves that no row before the head was edited or removed, but the head itself lives
// in the same database: whoever can rewrite audit_heads can cut the newest events off unseen. A
// checkpoint is that head (sequence and hash) carried outside the database, signed so a copy
// cannot be moved back either. Verifying against it shows every event it covers still there.

export const checkpointType = 'escalation-desk.audit-checkpoint'

export type AuditCheckpoint = {
  type: typeof checkpointType
  version: 1
  org: { id: string; slug: string }
  /** The newest event when it was taken (0: none yet), and that event's hash. */
  seq: number
  hash: string
  takenAt: string
  /** hmac-sha256:<hex> over the fields above, with a key only the desk's processes hold. */
  signature: string
}

const encoder = new TextEncoder()
// A label of its own: a checkpoint signature can never be mistaken for, or reused as, a link.
const keyPurpose = 'escalation-desk audit checkpoint v1'

/** HMAC-SHA256 key derived (HKDF) from the link-signing secret: LINK_SECRET, else the stored one. */
export async function checkpointKey(db: Db, linkSecret: string | undefined): Promise<CryptoKey> {
  const secret = await linkSigningKey(db, linkSecret)
  const base = await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(keyPurpose) },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  )
}

type Unsigned = Omit<AuditCheckpoint, 'signature'>

// A fixed order of the signed fields, so the signature does not depend on how JSON was written.
const signedBytes = (c: Unsigned) => encoder.encode(JSON.stringify([c.type, c.version, c.org.id, c.org.slug, c.seq, c.hash, c.takenAt]))

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')

export type CheckpointResult = { ok: true; checkpoint: AuditCheckpoint } | { ok: false; reason: string }

/**
 * The org's chain head, signed. Cheap (one indexed row): it anchors the chain as stored, and a
 * later `verify --against` checks every event up to it. It refuses only a head that already
 * disagrees with audit_heads (rows cut from the end without rewinding it): that is no head to keep.
 */
export async function takeCheckpoint(
  db: DbOrTx,
  key: CryptoKey,
  org: { id: string; slug: string },
  now = new Date(),
): Promise<CheckpointResult> {
  const tip = await findAuditTip(db, org.id)
  if (tip.recordedSeq !== tip.seq) {
    return {
      ok: false,
      reason: `the chain ends at ${tip.seq} but ${tip.recordedSeq} events were written (rows removed from the end); run desk audit verify`,
    }
  }
  const unsigned: Unsigned = {
    type: checkpointType,
    version: 1,
    org: { id: org.id, slug: org.slug },
    seq: tip.seq,
    hash: tip.hash,
    takenAt: now.toISOString(),
  }
  const signature = await crypto.subtle.sign('HMAC', key, signedBytes(unsigned))
  return { ok: true, checkpoint: { ...unsigned, signature: `hmac-sha256:${hex(signature)}` } }
}

const checkpointSchema = z.object({
  type: z.literal(checkpointType),
  version: z.literal(1),
  org: z.object({ id: z.uuid(), slug: z.string().min(1).max(200) }),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  hash: z.string().regex(/^([0-9a-f]{64})?$/),
  takenAt: z.iso.datetime(),
  signature: z.string().regex(/^hmac-sha256:[0-9a-f]{64}$/),
})

/** A checkpoint document from its JSON text, or null when the text is not one. */
export function parseCheckpoint(text: string): AuditCheckpoint | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const parsed = checkpointSchema.safeParse(value)
  return parsed.success ? (parsed.data as AuditCheckpoint) : null
}

/** True when the desk's key signed exactly these fields (the comparison is Web Crypto's, constant time). */
export async function hasValidSignature(key: CryptoKey, c: AuditCheckpoint): Promise<boolean> {
  const bytes = c.signature
    .slice('hmac-sha256:'.length)
    .match(/../g)!
    .map((h) => parseInt(h, 16))
  return crypto.subtle.verify('HMAC', key, new Uint8Array(bytes), signedBytes(c))
}

export type CheckpointVerdict =
  | { ok: true; covered: number; lastSeq: number }
  | { ok: false; kind: 'refused'; reason: string }
  | { ok: false; kind: 'other_org'; reason: string }
  | { ok: false; kind: 'broken'; problems: string[] }

/**
 * Proves that the trail still holds every event the checkpoint covers, unchanged and in order:
 * the event at the checkpoint's sequence has exactly its hash, and the chain verifies up to it
 * (each hash covers the previous one, so that one hash vouches for every event before it).
 * Events written after the checkpoint are counted, not vouched for: nothing outside has seen them.
 */
export async function verifyAgainstCheckpoint(db: DbOrTx, key: CryptoKey, orgId: string, c: AuditCheckpoint): Promise<CheckpointVerdict> {
  if (!(await hasValidSignature(key, c))) {
    return {
      ok: false,
      kind: 'refused',
      reason:
        'its signature does not match: the file was changed, or it was signed with another key (another LINK_SECRET or another installation)',
    }
  }
  if (c.org.id !== orgId) return { ok: false, kind: 'other_org', reason: `this is a checkpoint of another organization (${c.org.slug})` }
  const chain = await inspectAuditChain(db, orgId)
  const problems: string[] = []
  if (c.seq > 0) {
    const stored = await findAuditHash(db, orgId, c.seq)
    if (stored === undefined && chain.lastSeq < c.seq) {
      const missing = chain.lastSeq + 1 === c.seq ? `event ${c.seq} is missing` : `events ${chain.lastSeq + 1} to ${c.seq} are missing`
      problems.push(`${missing}: the checkpoint of ${c.takenAt} covers events 1 to ${c.seq}, the trail now ends at ${chain.lastSeq}`)
    } else if (stored === undefined) {
      problems.push(`event ${c.seq}, the newest the checkpoint of ${c.takenAt} covers, is missing`)
    } else if (stored !== c.hash) {
      problems.push(
        `event ${c.seq} is not the event the checkpoint of ${c.takenAt} recorded (its hash differs): the trail was rewritten up to it`,
      )
    }
  }
  if (chain.first) problems.push(`event ${chain.first.seq}: ${chain.first.problem}`)
  if (problems.length) return { ok: false, kind: 'broken', problems }
  return { ok: true, covered: c.seq, lastSeq: chain.lastSeq }
}
