import type { Q, Tx } from '../db.ts'

export type ActorKind = 'user' | 'system' | 'ai' | 'customer'
export type Actor = { kind: ActorKind; id: string | null }

export const systemActor: Actor = { kind: 'system', id: null }

export type AuditEvent = {
  actor: Actor
  action: string // noun.verb, e.g. case.create
  caseId?: string | null
  details?: Record<string, unknown>
}

/**
 * Appends one event to the org's chain. Always called with the transaction handle of the state
 * change it records, so both commit or neither does. The database fills seq and hashes.
 */
export async function recordAudit(tx: Tx, orgId: string, event: AuditEvent): Promise<void> {
  await tx`
    insert into audit_events (org_id, case_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (${orgId}, ${event.caseId ?? null}, ${event.actor.kind}, ${event.actor.id},
            ${event.action}, ${tx.json((event.details ?? {}) as never)}, '', '')`
}

export type AuditRow = {
  seq: string
  caseId: string | null
  actorKind: ActorKind
  actorId: string | null
  action: string
  details: Record<string, unknown>
  createdAt: Date
}

export async function listCaseAudit(db: Q, caseId: string): Promise<AuditRow[]> {
  return db<AuditRow[]>`
    select seq, case_id as "caseId", actor_kind as "actorKind", actor_id as "actorId",
           action, details, created_at as "createdAt"
    from audit_events where case_id = ${caseId} order by seq`
}

export type ChainProblem = { seq: string | null; problem: string }
export type VerifyResult = { ok: true; events: number } | { ok: false; events: number; first: ChainProblem }

/**
 * Recomputes the org's chain in SQL. Any edited row breaks its own hash; a removed or reordered
 * row breaks the links (seq continuity, prev_hash) or the head that records the last link.
 */
export async function verifyAuditChain(db: Q, orgId: string): Promise<VerifyResult> {
  const rows = await db<{ seq: string; expectedSeq: string; problem: string | null }[]>`
    with chain as (
      select seq, prev_hash, hash,
             row_number() over (order by seq) as expected_seq,
             lag(hash, 1, '') over (order by seq) as previous_hash,
             audit_hash(prev_hash, org_id, seq, case_id, actor_kind, actor_id, action, details, created_at) as recomputed
      from audit_events where org_id = ${orgId}
    )
    select seq, expected_seq as "expectedSeq",
           case when seq <> expected_seq then 'a row is missing before it (sequence jumps from ' || (expected_seq - 1) || ' to ' || seq || ')'
                when prev_hash <> previous_hash then 'its link to the previous row is broken (removed or reordered rows)'
                when hash <> recomputed then 'its content was changed after it was written'
           end as problem
    from chain order by seq`
  const first = rows.find((r) => r.problem)
  if (first) return { ok: false, events: rows.length, first: { seq: first.seq, problem: first.problem! } }
  const [head]: [{ seq: string; hash: string }?] = await db`select seq, hash from audit_heads where org_id = ${orgId}`
  const last = rows.at(-1)
  if (head && (!last || String(head.seq) !== String(last.seq))) {
    return { ok: false, events: rows.length, first: { seq: head.seq, problem: `the chain ends at ${last?.seq ?? 0} but ${head.seq} events were written (rows removed from the end)` } }
  }
  return { ok: true, events: rows.length }
}
