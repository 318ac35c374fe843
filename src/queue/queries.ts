import type { DbOrTx } from '../db.ts'
import type { Severity, Source } from '../cases/terms.ts'

// The queue's reads: open cases in priority order and the counts by clock. Both compare the
// instants stored on the case (next_deadline_at, next_at_risk_at), so no calendar is needed here.

export type ClockState = 'none' | 'ok' | 'at_risk' | 'breached'

/**
 * A case's worst running clock at the statement's time, from the stored instants alone: the
 * same expression serves the queue, the digest and metrics, and uses no calendar.
 */
export const clockStateSql = (db: DbOrTx) => db`
  case when c.next_deadline_at is null then 'none'
       when c.next_deadline_at <= now() then 'breached'
       when c.next_at_risk_at <= now() then 'at_risk'
       else 'ok' end`

export type QueueRow = {
  id: string
  number: number
  subject: string
  customerName: string | null
  customerEmail: string | null
  source: Source
  severity: Severity
  status: string
  openedAt: Date
  ownerId: string | null
  ownerName: string | null
  nextDeadlineAt: Date | null
  nextAtRiskAt: Date | null
  nextClock: 'first response' | 'update' | 'resolution' | null
  clock: ClockState
  accountName: string | null
  accountPlan: string | null
  accountRevenue: string | null
  accountHealth: string | null
}

export type QueueFilter = {
  view?: 'all' | 'mine' | 'unowned' | 'awaiting_approval' | 'at_risk'
  source?: Source | null
  severity?: Severity | null
  userId?: string
  limit?: number
}

/** Open cases in priority order: breached first, then least time left (an index scan). */
export async function listQueue(db: DbOrTx, filter: QueueFilter | number = {}): Promise<QueueRow[]> {
  const f: QueueFilter = typeof filter === 'number' ? { limit: filter } : filter
  const view = f.view ?? 'all'
  return db<QueueRow[]>`
    select c.id, c.number, c.subject, c.customer_name as "customerName", c.customer_email as "customerEmail",
           c.source, c.severity, c.status, c.opened_at as "openedAt", c.owner_id as "ownerId",
           coalesce(nullif(u.name, ''), u.email) as "ownerName",
           c.next_deadline_at as "nextDeadlineAt", c.next_at_risk_at as "nextAtRiskAt",
           case when c.next_deadline_at is null then null
                when c.first_response_at is null and c.next_deadline_at = c.first_response_due_at then 'first response'
                when c.next_deadline_at = c.next_update_due_at then 'update'
                else 'resolution' end as "nextClock",
           ${clockStateSql(db)} as clock,
           coalesce(nullif(a.name, ''), a.domain) as "accountName", a.plan as "accountPlan",
           a.annual_revenue as "accountRevenue", a.health as "accountHealth"
    from cases c
    left join app_users u on u.id = c.owner_id
    left join accounts a on a.id = c.account_id
    where c.status not in ('resolved', 'closed')
      ${view === 'mine' ? db`and c.owner_id = ${f.userId ?? null}` : db``}
      ${view === 'unowned' ? db`and c.owner_id is null` : db``}
      ${view === 'awaiting_approval' ? db`and c.status = 'awaiting_approval'` : db``}
      ${view === 'at_risk' ? db`and c.next_at_risk_at <= now()` : db``}
      ${f.source ? db`and c.source = ${f.source}` : db``}
      ${f.severity ? db`and c.severity = ${f.severity}` : db``}
    order by c.next_deadline_at nulls last, c.number limit ${f.limit ?? 200}`
}

export async function countOpenByClock(db: DbOrTx): Promise<Record<ClockState, number>> {
  const rows = await db<{ clock: ClockState; n: number }[]>`
    select ${clockStateSql(db)} as clock, count(*)::int as n
    from cases c where c.status not in ('resolved', 'closed') group by 1`
  const counts: Record<ClockState, number> = { none: 0, ok: 0, at_risk: 0, breached: 0 }
  for (const r of rows) counts[r.clock] = r.n
  return counts
}
