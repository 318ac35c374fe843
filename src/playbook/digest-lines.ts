import type { Tx } from '../db.ts'
import { openWorkSql } from '../queue/queries.ts'
import { addRecoveryFlags, redFlagsSql, type RedFlag } from './red-flags.ts'

// The digest's "Red flags" section: the cases that raise any of the playbook's red flags at the
// digest's instant, by the same definitions as the case page and the queue. Open cases with any
// flag; and cases resolved or closed in the last 7 days with the two flags about how they ended
// (premature closure, missing RCA): news for a week, then the case page keeps saying it.

export type RedFlagLine = {
  id: string
  number: number
  subject: string
  severity: string
  ownerName: string | null
  redFlags: RedFlag[]
  total: number
}

const RECENT_DAYS = 7
// The cut-off as a value, not `now - interval`: the planner estimates a value from the index's
// statistics (and picks cases_finished_recent), an expression as a third of the rows.
const DAY_MS = 24 * 60 * 60 * 1000
const endings = new Set(['premature_closure', 'missing_rca'])

export async function listRedFlagCases(tx: Tx, now: Date, limit = 20): Promise<RedFlagLine[]> {
  // Two reads, each through an index of exactly its rows, instead of one "open or recently
  // finished" filter no index can serve (which read every case the org ever had): the open work
  // (sql/00044, cases_open_work_by_deadline) and the last 7 days' endings (sql/00046,
  // cases_finished_recent), whose only SQL flag the section keeps is premature closure.
  const rows = await tx<(Omit<RedFlagLine, 'total' | 'redFlags'> & { redFlags: string[]; open: boolean })[]>`
    select c.id, c.number, c.subject, c.severity, coalesce(nullif(u.name, ''), u.email) as "ownerName",
           ${redFlagsSql(tx, now)} as "redFlags", true as open
    from cases c left join app_users u on u.id = c.owner_id
    where ${openWorkSql(tx)} and c.merged_into is null
    union all
    select c.id, c.number, c.subject, c.severity, coalesce(nullif(u.name, ''), u.email) as "ownerName",
           ${redFlagsSql(tx, now, ['premature_closure'])} as "redFlags", false as open
    from cases c left join app_users u on u.id = c.owner_id
    where c.status in ('resolved', 'closed') and not c.setup_test and c.merged_into is null
      and coalesce(c.closed_at, c.resolved_at) >= ${new Date(now.getTime() - RECENT_DAYS * DAY_MS)}::timestamptz
    order by severity, number`
  const flagged = (await addRecoveryFlags(tx, rows, { at: now, finished: (r) => !r.open }))
    .map(({ open, ...r }) => ({ ...r, redFlags: (open ? r.redFlags : r.redFlags.filter((f) => endings.has(f))) as RedFlag[] }))
    .filter((r) => r.redFlags.length > 0)
  return flagged.slice(0, limit).map((r) => ({ ...r, total: flagged.length }))
}
