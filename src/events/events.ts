// What the desk tells the places people work (Slack, Teams, outgoing webhooks): case events,
// derived from the audit log as it is written. Every state change is audited (invariant), so
// hooking the audit write is the one path: no code path can change a case and forget to tell.
// Each event becomes one `case_event` job in the transaction of the change itself, so an event
// exists exactly when the change committed; the job fans it out (src/events/dispatch.ts).
import type { Tx } from '../db.ts'
import type { Env } from '../env.ts'

export const caseEventTypes = [
  'case.created',
  'case.assigned',
  'case.at_risk',
  'case.breached',
  'approval.requested',
  'reply.sent',
  'reply.failed',
  'case.resolved',
  'case.closed',
] as const
export type CaseEventType = (typeof caseEventTypes)[number]

/** A case event as a job carries it and a sink receives it. */
export type CaseEvent = {
  type: CaseEventType
  caseId: string
  /** When it happened (ISO 8601). */
  at: string
  /** The audited details that matter to a receiver (never the customer's text). */
  data: Record<string, unknown>
}

/** The case as a notification shows it: no text the customer wrote except, bounded, the subject. */
export type CaseSummary = {
  id: string
  /** ESC-1042 */
  label: string
  severity: string
  source: string
  status: string
  customerName: string | null
  customerEmail: string | null
  /** The case's subject, one line, at most 140 characters (a sink may leave it out: settings). */
  subject: string
  ownerName: string | null
  /** The next deadline of the case's clocks, null when none runs. */
  deadline: string | null
  clockState: 'on_track' | 'at_risk' | 'breached' | null
  url: string
}

export type EventSink = {
  name: string
  /** Queues this sink's deliveries of the event (none when the org has not set it up). */
  fanOut: (tx: Tx, ctx: { orgId: string; env: Env }, event: CaseEvent, summary: CaseSummary) => Promise<void>
}

type Audited = { action: string; caseId?: string | null; details?: Record<string, unknown> }

const byAction: Record<string, CaseEventType> = {
  'case.create': 'case.created',
  'case.assign': 'case.assigned',
  'case.reassign': 'case.assigned',
  'approval.request': 'approval.requested',
  'email.send': 'reply.sent',
  'email.fail': 'reply.failed',
  'case.resolve': 'case.resolved',
  'case.close': 'case.closed',
  'case.confirm': 'case.closed',
  // The alert scan (src/digest/alerts.ts) audits these when it claims a case's clock alert.
  'case.at_risk': 'case.at_risk',
  'case.breach': 'case.breached',
}

// Only these details travel: ids, severities, reasons. Never text the customer wrote.
const keptDetails = [
  'via',
  'source',
  'severity',
  'from',
  'to',
  'ownerId',
  'previousOwnerId',
  'reason',
  'version',
  'outboxId',
  'permanent',
  'deadline',
  'clock',
  'minutes',
  'step',
]

/** The event an audited action is, or null. A bulk load of a spreadsheet is history, not news. */
export function eventOfAudit(event: Audited, at: Date): CaseEvent | null {
  const type = byAction[event.action]
  if (!type || !event.caseId) return null
  const details = event.details ?? {}
  if (type === 'case.created' && (details.via === 'csv' || details.via === 'import')) return null
  const data: Record<string, unknown> = {}
  for (const key of keptDetails) if (details[key] !== undefined) data[key] = details[key]
  return { type, caseId: event.caseId, at: at.toISOString(), data }
}

/**
 * Queues the events among these audited actions, in the caller's transaction (recordAudits calls
 * it), for an organization with a sink set up; for any other, the statement inserts nothing.
 */
export async function queueCaseEvents(tx: Tx, orgId: string, audited: Audited[]): Promise<void> {
  const at = new Date()
  const events = audited.map((e) => eventOfAudit(e, at)).filter((e): e is CaseEvent => e !== null)
  if (!events.length) return
  await tx`
    insert into jobs (org_id, kind, payload)
    select ${orgId}, 'case_event', e from jsonb_array_elements(${tx.json(events as never)}) e
    where exists (select 1 from event_subscriptions where org_id = ${orgId})`
}

/** A sink's settings call this when the sink is turned on or off, in that transaction. */
export async function setEventSubscription(tx: Tx, orgId: string, sink: string, on: boolean): Promise<void> {
  if (on) await tx`insert into event_subscriptions (org_id, sink) values (${orgId}, ${sink}) on conflict do nothing`
  else await tx`delete from event_subscriptions where org_id = ${orgId} and sink = ${sink}`
}
