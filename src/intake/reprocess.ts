import { recordAudit, systemActor, type Actor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import { isUuid } from '../http/ids.ts'
import type { Analyzer } from './analyze.ts'
import { processStored, type IntakeOutcome } from './intake.ts'

export type ReprocessResult = { ok: true; outcome: IntakeOutcome } | { ok: false; reason: string }

/**
 * Runs a quarantined message through intake again (after a fix, or once it is routed by hand with
 * an org). The stored bytes are reused: nothing is fetched or re-uploaded. `actor` is who asked
 * (a person on the quarantine page; the CLI's operator is the system).
 */
export async function reprocessRaw(
  db: Db,
  rawId: string,
  orgId: string | null,
  analyze?: Analyzer,
  actor: Actor = systemActor,
): Promise<ReprocessResult> {
  if (!isUuid(rawId)) return { ok: false, reason: `"${rawId}" is not a stored message id` }
  // Owner-level read: an unrouted message belongs to no org until it is given one here.
  const [row] = await db<
    { orgId: string | null; status: string; raw: Buffer; provider: string; sha256: string; envelope: Record<string, unknown> }[]
  >`
    select org_id as "orgId", status, raw, provider, sha256, envelope from inbound_raw where id = ${rawId}`
  if (!row) return { ok: false, reason: `no stored message ${rawId}` }
  if (row.status !== 'quarantined' && row.status !== 'received') return { ok: false, reason: `message ${rawId} was already ${row.status}` }
  const target = orgId ?? row.orgId
  if (!target) return { ok: false, reason: 'this message was never routed to an organization; give one with --org SLUG' }
  if (row.orgId && orgId && row.orgId !== orgId) return { ok: false, reason: 'this message belongs to another organization' }
  if (!row.orgId) {
    await db`update inbound_raw set org_id = ${target}, status = 'received', reason = null where id = ${rawId} and org_id is null`
  }
  await withOrg(db, target, (tx) =>
    recordAudit(tx, target, {
      actor,
      action: row.orgId ? 'message.reprocess' : 'message.assign',
      details: { rawId, was: row.status, ...(row.orgId ? {} : { reason: 'it was routed to no organization' }) },
    }),
  )
  const outcome = await processStored(db, {
    orgId: target,
    rawId,
    raw: new Uint8Array(row.raw),
    provider: row.provider,
    sha256: row.sha256,
    envelope: row.envelope,
    analyze,
  })
  return { ok: true, outcome }
}
