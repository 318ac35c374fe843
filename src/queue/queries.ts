import type { DbOrTx } from '../db.ts'
import type { Severity, Source } from '../cases/terms.ts'
import { addRecoveryFlags, redFlagsSql } from '../playbook/red-flags.ts'

// The queue's reads: open cases in priority order and the counts by clock. Both compare the
// instants stored on the case (next_deadline_at, next_at_risk_at), so no calendar is needed here.

export type ClockState = 'none' | 'ok' | 'at_risk' | 'breached'

/**
 * A case's worst running clock at the statement's time: the database's one definition
 * (case_clock_state, sql/00022), which the digest and metrics use too. No calendar needed: the
 * instants stored on the case already account for it.
 */
export const clockStateSql = (db: DbOrTx, at?: Date) =>
  at
    ? db`case_clock_state(c.next_deadline_at, c.next_at_risk_at, ${at}::timestamptz)`
    : db`case_clock_state(c.next_deadline_at, c.next_at_risk_at, now())`

/** Open work the figures count (not resolved or closed, not a set-up test case): sql/00022. */
export const openWorkSql = (db: DbOrTx) => db`case_is_open_work(c.status, c.setup_test)`

/**
 * clock in ('at_risk', 'breached') at the statement's time, as the instant the case turns at risk
 * (sql/00051's queue_risk_from: the at-risk instant, or the deadline when there is none or it is
 * later): the same cases, in a form the planner has statistics for (the expression index
 * cases_open_work_by_risk), so the at-risk view walks the queue's order when many cases match and
 * reads only the matching ones when few do.
 */
const atRiskOrBreachedSql = (db: DbOrTx) =>
  db`(c.next_deadline_at is not null and queue_risk_from(c.next_deadline_at, c.next_at_risk_at) <= now())`

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
  /** The customer-update cadence clock (after the first reply): "update even when there is no update". */
  nextUpdateDueAt: Date | null
  nextUpdateAtRiskAt: Date | null
  accountName: string | null
  accountPlan: string | null
  accountRevenue: string | null
  accountHealth: string | null
  /** The playbook's red flags (src/playbook/red-flags.ts), in its order. */
  redFlags: string[]
}

export type QueueFilter = {
  view?: 'all' | 'mine' | 'unowned' | 'awaiting_approval' | 'at_risk'
  source?: Source | null
  severity?: Severity | null
  /** Words to find in the case number, subject, customer or account (all of them, any order). */
  search?: string | null
  userId?: string
  limit?: number
}

/** The words of a search, each with LIKE's wildcards escaped; at most 8, each at most 100 characters. */
export function searchWords(search: string | null | undefined): string[] {
  return (search ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8)
    .map((w) => w.slice(0, 100).replace(/[\\%_]/g, (m) => `\\${m}`))
}

const searchable = (db: DbOrTx) =>
  db`concat_ws(' ', 'ESC-' || c.number, c.number::text, c.subject, c.customer_name, c.customer_email, a.name, a.domain)`

/** Open cases in priority order: breached first, then least time left (an index scan). */
export async function listQueue(db: DbOrTx, filter: QueueFilter | number = {}): Promise<QueueRow[]> {
  const f: QueueFilter = typeof filter === 'number' ? { limit: filter } : filter
  const view = f.view ?? 'all'
  const rows = await db<QueueRow[]>`
    select c.id, c.number, c.subject, c.customer_name as "customerName", c.customer_email as "customerEmail",
           c.source, c.severity, c.status, c.opened_at as "openedAt", c.owner_id as "ownerId",
           coalesce(nullif(u.name, ''), u.email) as "ownerName",
           c.next_deadline_at as "nextDeadlineAt", c.next_at_risk_at as "nextAtRiskAt",
           case when c.next_deadline_at is null then null
                when c.first_response_at is null and c.next_deadline_at = c.first_response_due_at then 'first response'
                when c.next_deadline_at = c.next_update_due_at then 'update'
                else 'resolution' end as "nextClock",
           ${clockStateSql(db)} as clock,
           c.next_update_due_at as "nextUpdateDueAt", c.next_update_at_risk_at as "nextUpdateAtRiskAt",
           coalesce(nullif(a.name, ''), a.domain) as "accountName", a.plan as "accountPlan",
           a.annual_revenue as "accountRevenue", a.health as "accountHealth",
           ${redFlagsSql(db)} as "redFlags"
    from cases c
    left join app_users u on u.id = c.owner_id
    left join accounts a on a.id = c.account_id
    where ${openWorkSql(db)}
      ${view === 'mine' ? db`and c.owner_id = ${f.userId ?? null}` : db``}
      ${view === 'unowned' ? db`and c.owner_id is null` : db``}
      ${view === 'awaiting_approval' ? db`and c.status = 'awaiting_approval'` : db``}
      ${view === 'at_risk' ? db`and ${atRiskOrBreachedSql(db)}` : db``}
      ${f.source ? db`and c.source = ${f.source}` : db``}
      ${f.severity ? db`and c.severity = ${f.severity}` : db``}
      ${searchWords(f.search).reduce((all, word) => db`${all} and ${searchable(db)} ilike ${`%${word}%`} escape '\'`, db``)}
    order by c.next_deadline_at nulls last, c.number limit ${f.limit ?? 200}`
  // Open cases only: none is finished, so none can miss its review.
  return addRecoveryFlags(db, rows, { finished: false })
}

/**
 * The queue's counts: the same cases, states and instant as the digest's (one definition,
 * sql/00022), read from the counts the cases' writes keep (queue_clock_counts, sql/00051, with
 * this transaction's own changes not yet folded into them): the hours before the instant's hour
 * and the minutes of its hour before its minute, whole, and the cases of its own minute up to it
 * counted from the index. So the work grows with the hours that hold open work, not with the
 * open cases.
 */
export async function countOpenByClock(db: DbOrTx, at?: Date): Promise<Record<ClockState, number>> {
  const instant = at ? db`${at}::timestamptz` : db`now()`
  const hour = db`queue_hour(${instant})`
  const minute = db`queue_minute(${instant})`
  const minuteStart = db`to_timestamp(${minute} * 60.0)`
  const riskFrom = db`queue_risk_from(c.next_deadline_at, c.next_at_risk_at)`
  // Each sum reads one kind's range of the key (org, kind, slot). The changes are this
  // transaction's own, read only when it has some (the setting its writes leave, sql/00051).
  const kept = (kind: string, range = db``) => db`(
    (select coalesce(sum(k.n), 0) from queue_clock_counts k where k.org_id = app_org_id() and k.kind = ${kind} ${range})
    + case when current_setting('desk_queue.fold_queued', true) = 'on'
           then (select coalesce(sum(k.n), 0) from queue_clock_count_changes k
                 where k.xact = pg_current_xact_id_if_assigned() and k.org_id = app_org_id() and k.kind = ${kind} ${range})
           else 0 end)`
  const before = (kind: 'deadline' | 'risk') => db`(
    ${kept(kind, db`and k.slot < ${hour}`)}
    + ${kept(`${kind}_minute`, db`and k.slot >= ${hour} * 60 and k.slot < ${minute}`)})`
  const [row] = await db<{ none: number; clocked: number; breached: number; risky: number }[]>`
    select ${kept('none')}::int as none,
           ${kept('deadline')}::int as clocked,
           (${before('deadline')} + (select count(*) from cases c where ${openWorkSql(db)} and c.number is not null
              and c.next_deadline_at >= ${minuteStart} and c.next_deadline_at <= ${instant}))::int as breached,
           (${before('risk')} + (select count(*) from cases c where ${openWorkSql(db)} and c.number is not null
              and c.next_deadline_at is not null and ${riskFrom} >= ${minuteStart} and ${riskFrom} <= ${instant}))::int as risky`
  const { none, clocked, breached, risky } = row!
  return { none, ok: clocked - risky, at_risk: risky - breached, breached }
}
