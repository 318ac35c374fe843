import type { DbOrTx, Tx } from '../db.ts'
import { queueCaseEvents } from '../events/events.ts'

export type ActorKind = 'user' | 'system' | 'ai' | 'customer'
/** How a person acted when not in the portal: through an API token (src/api), named by its prefix. */
export type ActorVia = { via: 'api'; token: string }
/** `via` goes into the details of every event the actor causes, whichever rule writes it. */
export type Actor = { kind: ActorKind; id: string | null; via?: ActorVia }

export const systemActor: Actor = { kind: 'system', id: null }

/** A person of the team as the actor of what they did (through an API token when `via` says so). */
export const userActor = (user: { id: string; via?: ActorVia }): Actor =>
  user.via ? { kind: 'user', id: user.id, via: user.via } : { kind: 'user', id: user.id }

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
  await recordAudits(tx, orgId, [event])
}

/**
 * Several events in one statement (a CSV import's cases, 500 at a time); the chain trigger still
 * links them row by row, in the order given.
 */
export async function recordAudits(tx: Tx, orgId: string, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return
  const rows = auditRecords(events).map((row) => ({
    ...row,
    org_id: orgId,
    details: tx.json(row.details as never),
    prev_hash: '',
    hash: '',
  }))
  await tx`insert into audit_events ${tx(rows, 'org_id', 'case_id', 'actor_kind', 'actor_id', 'action', 'details', 'prev_hash', 'hash')}`
  // What Slack, Teams and webhooks hear of it, committed with it (src/events).
  await queueCaseEvents(tx, orgId, events)
}

/** The columns an event is stored with (the chain trigger adds seq and hashes); `via` joins the details. */
export function auditRecords(events: AuditEvent[]) {
  return events.map((event) => ({
    case_id: event.caseId ?? null,
    actor_kind: event.actor.kind,
    actor_id: event.actor.id,
    action: event.action,
    details: { ...event.details, ...event.actor.via } as Record<string, unknown>,
  }))
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

export async function listCaseAudit(db: DbOrTx, caseId: string): Promise<AuditRow[]> {
  return db<AuditRow[]>`
    select seq, case_id as "caseId", actor_kind as "actorKind", actor_id as "actorId",
           action, details, created_at as "createdAt"
    from audit_events where case_id = ${caseId} order by seq`
}

export type ChainProblem = { seq: string | null; problem: string }
export type VerifyResult = { ok: true; events: number } | { ok: false; events: number; first: ChainProblem }

/** What the stored chain looks like: how long it is, where it ends, and its first bad row if any. */
export type ChainState = { events: number; lastSeq: number; first: ChainProblem | null }

/**
 * Recomputes the org's chain in SQL (audit_row_hash, sql/00037: an erased value's tombstone
 * still gives its row's hash). Any edited row breaks its own hash; a removed or reordered
 * row breaks the links (seq continuity, prev_hash) or the head that records the last link.
 * Only the first problem leaves the database: after a removed row every later row is "out of
 * sequence", and a long trail must not come back as a long list.
 */
export async function inspectAuditChain(db: DbOrTx, orgId: string): Promise<ChainState> {
  const [row] = await db<{ events: number; lastSeq: string | null; badSeq: string | null; problem: string | null }[]>`
    with chain as (
      select seq, prev_hash, hash,
             row_number() over (order by seq) as expected_seq,
             lag(hash, 1, '') over (order by seq) as previous_hash,
             audit_row_hash(e) as recomputed
      from audit_events e where org_id = ${orgId}
    ),
    first_bad as (
      select seq, case when seq <> expected_seq then 'a row is missing before it (sequence jumps from ' || (expected_seq - 1) || ' to ' || seq || ')'
                       when prev_hash <> previous_hash then 'its link to the previous row is broken (removed or reordered rows)'
                       when hash <> recomputed then 'its content was changed after it was written'
                  end as problem
      from chain
      where seq <> expected_seq or prev_hash <> previous_hash or hash <> recomputed
      order by seq limit 1
    )
    select (select count(*)::int from chain) as events, (select max(seq)::text from chain) as "lastSeq",
           first_bad.seq::text as "badSeq", first_bad.problem
    from (select 1) as one left join first_bad on true`
  const events = row!.events
  const lastSeq = Number(row!.lastSeq ?? 0)
  if (row!.badSeq) return { events, lastSeq, first: { seq: row!.badSeq, problem: row!.problem! } }
  const [head]: [{ seq: string }?] = await db`select seq::text as seq from audit_heads where org_id = ${orgId}`
  if (head && Number(head.seq) !== lastSeq) {
    return {
      events,
      lastSeq,
      first: { seq: head.seq, problem: `the chain ends at ${lastSeq} but ${head.seq} events were written (rows removed from the end)` },
    }
  }
  return { events, lastSeq, first: null }
}

export async function verifyAuditChain(db: DbOrTx, orgId: string): Promise<VerifyResult> {
  const { events, first } = await inspectAuditChain(db, orgId)
  return first ? { ok: false, events, first } : { ok: true, events }
}

/** The stored hash of one event, by its place in the org's chain. */
export async function findAuditHash(db: DbOrTx, orgId: string, seq: number): Promise<string | undefined> {
  const [row]: [{ hash: string }?] = await db`select hash from audit_events where org_id = ${orgId} and seq = ${seq}`
  return row?.hash
}

/** The newest event of the org's chain as stored (seq 0 and an empty hash before the first one). */
export async function findAuditTip(db: DbOrTx, orgId: string): Promise<{ seq: number; hash: string; recordedSeq: number }> {
  const [row] = await db<{ seq: string | null; hash: string | null; recordedSeq: string | null }[]>`
    select e.seq::text as seq, e.hash, (select seq::text from audit_heads where org_id = ${orgId}) as "recordedSeq"
    from (select 1) as one
    left join lateral (select seq, hash from audit_events where org_id = ${orgId} order by seq desc limit 1) e on true`
  return { seq: Number(row!.seq ?? 0), hash: row!.hash ?? '', recordedSeq: Number(row!.recordedSeq ?? 0) }
}
