import type { Db, Q } from '../db.ts'

// Stored messages that did not become a case: quarantined (with the reason) or stuck in
// `received` (a process stopped between storing and processing; the sweep retries those, with
// attempts and the last error). Only the first 64 KB of each is read: enough for the header
// block the list shows, never a 25 MB body per row.

export const headBytes = 64 * 1024

export type HeldRow = {
  id: string
  orgId: string | null
  orgSlug: string | null
  status: 'quarantined' | 'received'
  reason: string | null
  provider: string
  receivedAt: Date
  size: number
  attempts: number
  lastError: string | null
  envelope: Record<string, unknown>
  head: Buffer
}

const heldColumns = (db: Q) => db`
  r.id, r.org_id as "orgId", o.slug as "orgSlug", r.status, r.reason, r.provider, r.received_at as "receivedAt", r.size,
  r.process_attempts as attempts, r.last_error as "lastError", r.envelope, substring(r.raw from 1 for ${headBytes}) as head`

/** Quarantined, or still `received` after `stuckSeconds`: what nobody will finish without help. */
const isHeld = (db: Q, stuckSeconds: number) => db`
  (r.status = 'quarantined' or (r.status = 'received' and r.received_at < now() - make_interval(secs => ${stuckSeconds})))`

/** Org-scoped (withOrg): this org's held messages, newest first. */
export async function listOrgHeld(tx: Q, stuckSeconds: number, limit: number): Promise<HeldRow[]> {
  return tx<HeldRow[]>`
    select ${heldColumns(tx)} from inbound_raw r left join orgs o on o.id = r.org_id
    where ${isHeld(tx, stuckSeconds)} order by r.received_at desc, r.id limit ${limit}`
}

/**
 * Owner connection: held messages of every org and of none (mail no org receives has no org
 * until someone routes it, so row-level security shows it to nobody but the owner).
 */
export async function listAllHeld(
  db: Db,
  o: { stuckSeconds: number; limit: number; orgId?: string | null; unroutedOnly?: boolean },
): Promise<HeldRow[]> {
  return db<HeldRow[]>`
    select ${heldColumns(db)} from inbound_raw r left join orgs o on o.id = r.org_id
    where ${isHeld(db, o.stuckSeconds)}
      ${o.unroutedOnly ? db`and r.org_id is null` : o.orgId ? db`and r.org_id = ${o.orgId}` : db``}
    order by r.received_at desc, r.id limit ${o.limit}`
}

/** Owner connection: how many held messages have no org. */
export async function countUnroutedHeld(db: Db, stuckSeconds: number): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from inbound_raw r where r.org_id is null and ${isHeld(db, stuckSeconds)}`
  return row!.n
}

/** Owner connection: one held message of no org. */
export async function findUnroutedHeld(db: Db, id: string, stuckSeconds: number): Promise<HeldRow | undefined> {
  const [row]: [HeldRow?] = await db`
    select ${heldColumns(db)} from inbound_raw r left join orgs o on o.id = r.org_id
    where r.id = ${id} and r.org_id is null and ${isHeld(db, stuckSeconds)}`
  return row
}

/** Org-scoped: one held message of this org. */
export async function findOrgHeld(tx: Q, id: string, stuckSeconds: number): Promise<HeldRow | undefined> {
  const [row]: [HeldRow?] = await tx`
    select ${heldColumns(tx)} from inbound_raw r left join orgs o on o.id = r.org_id
    where r.id = ${id} and ${isHeld(tx, stuckSeconds)}`
  return row
}

/** Owner connection: which orgs receive mail on each domain (lower-case). */
export async function inboundDomainOwners(db: Db): Promise<Map<string, string[]>> {
  const rows = await db<{ domain: string; orgIds: string[] }[]>`
    select lower(split_part(a, '@', 2)) as domain, array_agg(distinct o.id) as "orgIds"
    from orgs o cross join unnest(o.inbound_addresses) as a
    group by 1`
  return new Map(rows.map((r) => [r.domain, r.orgIds]))
}

/** Owner connection: gives an unrouted message to an org; false when it has one already. */
export async function claimUnrouted(db: Db, id: string, orgId: string): Promise<boolean> {
  const rows = await db`update inbound_raw set org_id = ${orgId} where id = ${id} and org_id is null returning id`
  return rows.length === 1
}

/** The stored bytes, whole: for a download of one message. Org-scoped. */
export async function rawBytesOf(tx: Q, id: string): Promise<Buffer | undefined> {
  const [row] = await tx<{ raw: Buffer }[]>`select raw from inbound_raw where id = ${id}`
  return row?.raw
}
