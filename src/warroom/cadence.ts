import type { DbOrTx, Tx } from '../db.ts'
import type { CaseLine } from '../digest/queries.ts'
import { openWorkSql } from '../queue/queries.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import type { SlaPolicy } from '../sla/sla.ts'

// The internal update cadence: the playbook's one update-frequency table (SEV-1 every 30 min,
// SEV-2 every 2 h, SEV-3 daily, SEV-4 on progress) is the org's SLA "update every" column, so
// stakeholders hear on the same rhythm as the customer. It runs in wall-clock minutes from the
// last internal update (or from when the case opened), while the case is open work: a SEV-1
// war room does not stop for the night. One SQL definition, read by the case page and the digest.

/** Minutes between internal updates per severity; a severity without a cadence is left out. */
export function internalCadenceMinutes(policy: SlaPolicy): Record<string, number> {
  return Object.fromEntries(Object.entries(policy).flatMap(([sev, t]) => (t.updateMinutes === null ? [] : [[sev, t.updateMinutes]])))
}

/** When the next internal update of case `c` is due (null: no cadence for its severity). */
const internalDueSql = (db: DbOrTx, minutes: Record<string, number>) => db`
  coalesce((select max(i.created_at) from internal_updates i where i.case_id = c.id and i.status <> 'failed'), c.opened_at)
    + make_interval(mins => (${JSON.stringify(minutes)}::text::jsonb ->> c.severity)::int)`

export type InternalCadence = {
  /** Minutes between updates, null when the severity has none (SEV-4: on progress). */
  everyMinutes: number | null
  lastSentAt: Date | null
  dueAt: Date | null
  /** Due and not sent while the case is open work. */
  missed: boolean
}

export async function getInternalCadence(tx: Tx, orgId: string, caseId: string, now: Date): Promise<InternalCadence> {
  const minutes = internalCadenceMinutes((await loadSlaSettings(tx, orgId)).policy)
  const [row] = await tx<{ severity: string; open: boolean; lastSentAt: Date | null; dueAt: Date | null }[]>`
    select c.severity, ${openWorkSql(tx)} as open,
           (select max(i.created_at) from internal_updates i where i.case_id = c.id and i.status <> 'failed') as "lastSentAt",
           ${internalDueSql(tx, minutes)} as "dueAt"
    from cases c where c.id = ${caseId}`
  if (!row) return { everyMinutes: null, lastSentAt: null, dueAt: null, missed: false }
  const dueAt = row.open ? row.dueAt : null
  return {
    everyMinutes: minutes[row.severity] ?? null,
    lastSentAt: row.lastSentAt,
    dueAt,
    missed: Boolean(dueAt && dueAt.getTime() < now.getTime()),
  }
}

/** The digest's section: open cases whose internal update is overdue, longest overdue first. */
export async function listInternalUpdatesMissed(tx: Tx, orgId: string, now: Date, limit = 20): Promise<CaseLine[]> {
  const minutes = internalCadenceMinutes((await loadSlaSettings(tx, orgId)).policy)
  return tx<CaseLine[]>`
    select *, (count(*) over ())::int as total from (
      select c.id, c.number, c.subject, c.severity, c.status, coalesce(nullif(u.name, ''), u.email) as "ownerName",
             null::text as clock, ${internalDueSql(tx, minutes)} as at
      from cases c left join app_users u on u.id = c.owner_id
      where ${openWorkSql(tx)} and c.merged_into is null) due
    where at < ${now}
    order by at, number limit ${limit}`
}
