import { recordAudit, type Actor } from '../audit/audit.ts'
import type { DbOrTx, Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { lockCase } from './case-record.ts'
import { recomputeClocks } from '../sla/clocks.ts'
import { caseLabel, type Severity } from './terms.ts'

/**
 * Severity drives the clocks. Once a case is triaged, a change needs a reason: the guard
 * against priority inflation, reported per week by severityOverridesByWeek.
 */
export async function changeSeverity(tx: Tx, orgId: string, caseId: string, to: Severity, actor: Actor, reason?: string | null) {
  const c = await lockCase(tx, caseId)
  if (c.severity === to) throw new AppError('INVALID_STATE', `${caseLabel(c.number)} is already ${to}.`)
  const note = reason?.trim() || null
  if (c.status !== 'new' && !note) {
    throw new AppError(
      'BAD_INPUT',
      `${caseLabel(c.number)} is past triage; changing its severity from ${c.severity} to ${to} needs a reason.`,
    )
  }
  await tx`
    update cases set severity = ${to}, severity_changed_at = now(),
      severity_reasons = severity_reasons || ${[`changed from ${c.severity} to ${to}${note ? `: ${note}` : ''}`]}::text[]
    where id = ${caseId}`
  await recomputeClocks(tx, orgId, caseId)
  await recordAudit(tx, orgId, {
    actor,
    action: 'case.severity_change',
    caseId,
    details: { from: c.severity, to, ...(note ? { reason: note } : {}) },
  })
}

export type OverrideWeek = { week: Date; actorId: string | null; actorName: string | null; raised: number; lowered: number }

/** Who raised or lowered severities, per week (most recent first). */
export async function severityOverridesByWeek(db: DbOrTx, weeks = 12): Promise<OverrideWeek[]> {
  return db<OverrideWeek[]>`
    select o.week, o.actor_id as "actorId", u.name as "actorName",
           count(*) filter (where o.direction = 'raised')::int as raised,
           count(*) filter (where o.direction = 'lowered')::int as lowered
    from severity_overrides o left join app_users u on u.id::text = o.actor_id
    where o.week >= date_trunc('week', now()) - make_interval(weeks => ${weeks})
    group by o.week, o.actor_id, u.name
    order by o.week desc, count(*) desc`
}
