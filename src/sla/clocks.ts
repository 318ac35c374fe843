import { recordAudit, type Actor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { workingMinutesBetween } from './business-hours.ts'
import { loadSlaSettings, type SlaSettings, type SlaSettingsInput } from './settings.ts'
import { atRiskThresholdMinutes, computeDeadlines, nextUpdateDue } from './sla.ts'
import type { Severity } from '../cases/terms.ts'

/** What the clocks are computed from: a case's own facts, never the time now. */
export type ClockFacts = {
  openedAt: Date
  severity: Severity
  status: string
  firstResponseAt: Date | null
  lastOutboundAt: Date | null
  resolutionPausedAt: Date | null
  resolutionPausedSeconds: number
}

export type ClockColumns = {
  firstResponseDueAt: Date
  firstResponseAtRiskAt: Date
  resolutionDueAt: Date
  resolutionAtRiskAt: Date
  nextUpdateDueAt: Date | null
  nextUpdateAtRiskAt: Date | null
  nextDeadlineAt: Date | null
  nextAtRiskAt: Date | null
}

const minutesBefore = (date: Date, minutes: number) => new Date(date.getTime() - minutes * 60_000)
const earliest = (dates: (Date | null)[]) => dates.reduce<Date | null>((min, d) => (d && (!min || d < min) ? d : min), null)

const finished = (status: string) => status === 'resolved' || status === 'closed'

/**
 * Deadlines and the instants each turns "at risk", stored so the queue, the digest and metrics
 * compare timestamps in SQL. Only running clocks feed next_deadline_at: the first response until
 * a reply is sent, the resolution unless paused on the customer or finished, the update cadence
 * once a reply went out (SEV-4's "on change" has none).
 */
export function computeClockColumns(facts: ClockFacts, settings: SlaSettings): ClockColumns {
  const target = settings.policy[facts.severity]
  const deadlines = computeDeadlines({
    openedAt: facts.openedAt,
    severity: facts.severity,
    policy: settings.policy,
    calendar: settings.calendar,
    pausedMinutes: Math.floor(facts.resolutionPausedSeconds / 60),
  })
  const firstResponseAtRiskAt = minutesBefore(deadlines.firstResponseDueAt, atRiskThresholdMinutes(target.firstResponseMinutes))
  const resolutionAtRiskAt = minutesBefore(deadlines.resolutionDueAt, atRiskThresholdMinutes(target.resolutionMinutes))
  const nextUpdateDueAt =
    facts.lastOutboundAt && !finished(facts.status) && facts.status !== 'waiting_customer'
      ? nextUpdateDue(facts.lastOutboundAt, facts.severity, settings.policy, settings.calendar)
      : null
  const nextUpdateAtRiskAt =
    nextUpdateDueAt && target.updateMinutes !== null ? minutesBefore(nextUpdateDueAt, atRiskThresholdMinutes(target.updateMinutes)) : null

  const firstResponseRunning = !facts.firstResponseAt && !finished(facts.status)
  const resolutionRunning = !finished(facts.status) && !facts.resolutionPausedAt
  return {
    firstResponseDueAt: deadlines.firstResponseDueAt,
    firstResponseAtRiskAt,
    resolutionDueAt: deadlines.resolutionDueAt,
    resolutionAtRiskAt,
    nextUpdateDueAt,
    nextUpdateAtRiskAt,
    nextDeadlineAt: earliest([
      firstResponseRunning ? deadlines.firstResponseDueAt : null,
      resolutionRunning ? deadlines.resolutionDueAt : null,
      nextUpdateDueAt,
    ]),
    nextAtRiskAt: earliest([
      firstResponseRunning ? firstResponseAtRiskAt : null,
      resolutionRunning ? resolutionAtRiskAt : null,
      nextUpdateAtRiskAt,
    ]),
  }
}

/** Recomputes and stores one case's clocks; call after anything that moves them. */
export async function recomputeClocks(tx: Tx, orgId: string, caseId: string, settings?: SlaSettings): Promise<ClockColumns> {
  const [facts] = await tx<ClockFacts[]>`
    select opened_at as "openedAt", severity, status, first_response_at as "firstResponseAt",
           last_outbound_at as "lastOutboundAt", resolution_paused_at as "resolutionPausedAt",
           resolution_paused_seconds as "resolutionPausedSeconds"
    from cases where id = ${caseId}`
  if (!facts) throw new Error(`case ${caseId} not found while recomputing clocks`)
  const columns = computeClockColumns(facts, settings ?? (await loadSlaSettings(tx, orgId)))
  await tx`
    update cases set
      first_response_due_at = ${columns.firstResponseDueAt}, first_response_at_risk_at = ${columns.firstResponseAtRiskAt},
      resolution_due_at = ${columns.resolutionDueAt}, resolution_at_risk_at = ${columns.resolutionAtRiskAt},
      next_update_due_at = ${columns.nextUpdateDueAt}, next_update_at_risk_at = ${columns.nextUpdateAtRiskAt},
      next_deadline_at = ${columns.nextDeadlineAt}, next_at_risk_at = ${columns.nextAtRiskAt}, updated_at = now()
    where id = ${caseId}`
  return columns
}

/** After a policy or calendar change: every open case of the org gets new deadlines. */
export async function recomputeOpenCases(tx: Tx, orgId: string): Promise<number> {
  const settings = await loadSlaSettings(tx, orgId)
  const open = await tx<{ id: string }[]>`select id from cases where status not in ('resolved', 'closed')`
  for (const { id } of open) await recomputeClocks(tx, orgId, id, settings)
  return open.length
}

/**
 * Saves the org's clocks policy and moves every open case's deadlines with it, in one
 * transaction, audited with the before and after so a loosened SLA is never silent.
 */
export async function updateSlaSettings(tx: Tx, orgId: string, input: SlaSettingsInput, actor: Actor): Promise<number> {
  const before = await loadSlaSettings(tx, orgId)
  await tx`
    update orgs set timezone = ${input.timezone}, sla_policy = ${tx.json(input.policy as never)},
      business_calendar = ${input.calendar ? tx.json(input.calendar as never) : null}
    where id = ${orgId}`
  const recomputed = await recomputeOpenCases(tx, orgId)
  await recordAudit(tx, orgId, {
    actor,
    action: 'org.sla_change',
    details: {
      before: { policy: before.policy, calendar: before.calendar },
      after: { policy: input.policy, calendar: input.calendar },
      recomputedCases: recomputed,
    },
  })
  return recomputed
}

/** Waiting on the customer pauses the resolution clock; the pause is added back in working time. */
export async function pauseResolutionClock(tx: Tx, caseId: string, at: Date) {
  await tx`update cases set resolution_paused_at = coalesce(resolution_paused_at, ${at}) where id = ${caseId}`
}

export async function resumeResolutionClock(tx: Tx, orgId: string, caseId: string, at: Date) {
  const [row] = await tx<{ pausedAt: Date | null }[]>`select resolution_paused_at as "pausedAt" from cases where id = ${caseId}`
  if (!row?.pausedAt) return
  const { calendar } = await loadSlaSettings(tx, orgId)
  const seconds = Math.max(0, Math.round(workingMinutesBetween(row.pausedAt, at, calendar) * 60))
  await tx`
    update cases set resolution_paused_at = null, resolution_paused_seconds = resolution_paused_seconds + ${seconds}
    where id = ${caseId}`
}
