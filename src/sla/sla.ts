// SLA deadlines and clock states, pure arithmetic: the database stores the due instants this
// computes and the SQL that lists at-risk cases mirrors atRiskThresholdMinutes().
import { z } from 'zod'
import type { Severity } from '../cases/terms.ts'
import { addWorkingMinutes, type BusinessCalendar } from './business-hours.ts'

/**
 * Targets in minutes. With a business calendar they are working minutes: a 24 h SEV-4 first
 * response under a 09:00–17:00 calendar is three working days, as in most SLA tools.
 */
export type SlaTarget = {
  firstResponseMinutes: number
  /** null = update on change only (no cadence clock). */
  updateMinutes: number | null
  resolutionMinutes: number
}
export type SlaPolicy = Record<Severity, SlaTarget>

const HOUR = 60
const DAY = 24 * HOUR

// Frozen because every org without its own policy shares this object.
export const defaultSlaPolicy: SlaPolicy = Object.freeze({
  'SEV-1': Object.freeze({ firstResponseMinutes: 15, updateMinutes: 30, resolutionMinutes: 4 * HOUR }),
  'SEV-2': Object.freeze({ firstResponseMinutes: HOUR, updateMinutes: 2 * HOUR, resolutionMinutes: 8 * HOUR }),
  'SEV-3': Object.freeze({ firstResponseMinutes: 4 * HOUR, updateMinutes: DAY, resolutionMinutes: 48 * HOUR }),
  'SEV-4': Object.freeze({ firstResponseMinutes: DAY, updateMinutes: null, resolutionMinutes: 7 * DAY }),
})

const minutesSchema = z.number().int().positive()

export const slaTargetSchema = z
  .object({
    firstResponseMinutes: minutesSchema,
    updateMinutes: minutesSchema.nullable(),
    resolutionMinutes: minutesSchema,
  })
  .refine((target) => target.firstResponseMinutes <= target.resolutionMinutes, {
    error: 'the first response cannot be due after the resolution',
    path: ['firstResponseMinutes'],
  })

export const slaPolicySchema = z.object({
  'SEV-1': slaTargetSchema,
  'SEV-2': slaTargetSchema,
  'SEV-3': slaTargetSchema,
  'SEV-4': slaTargetSchema,
})

/**
 * Deadlines fixed when a case opens (or is re-severitied: call again with the original
 * openedAt). `pausedMinutes` are working minutes spent waiting on the customer (measure them
 * with workingMinutesBetween); they push only the resolution deadline, because the first
 * response always precedes any wait on the customer and must not be moved after the fact.
 * The update cadence starts with the first sent reply (see nextUpdateDue), so a new case has
 * no nextUpdateDueAt: before that reply the first-response clock is the one that matters, and
 * a second clock for the same silence would double-count one lapse.
 */
export function computeDeadlines(input: {
  openedAt: Date
  severity: Severity
  policy: SlaPolicy
  calendar: BusinessCalendar | null
  pausedMinutes?: number
}): { firstResponseDueAt: Date; resolutionDueAt: Date; nextUpdateDueAt: Date | null } {
  const target = input.policy[input.severity]
  const paused = Math.max(0, input.pausedMinutes ?? 0)
  return {
    firstResponseDueAt: addWorkingMinutes(input.openedAt, target.firstResponseMinutes, input.calendar),
    resolutionDueAt: addWorkingMinutes(input.openedAt, target.resolutionMinutes + paused, input.calendar),
    nextUpdateDueAt: null,
  }
}

/** When the next customer update is due after an outbound message; null for "on change". */
export function nextUpdateDue(lastOutboundAt: Date, severity: Severity, policy: SlaPolicy, cal: BusinessCalendar | null): Date | null {
  const minutes = policy[severity].updateMinutes
  return minutes === null ? null : addWorkingMinutes(lastOutboundAt, minutes, cal)
}

export type ClockState = 'ok' | 'at_risk' | 'breached' | 'met'

/**
 * The rule: at risk when a deadline is "less than a quarter of its target away (or under an
 * hour)". Read literally (remaining < max(target/4, 60 min)) every target of an hour or less
 * would be at risk from the moment it starts: a SEV-1 first response, SEV-1 updates, a SEV-2
 * first response. Read as min(target/4, 60 min), a one-week resolution would turn amber only in
 * its last hour, after the daily digest that is meant to warn about it. So: a quarter of the
 * target, at least an hour, but never more than half the target.
 *
 *   15 min → 7.5 · 30 → 15 · 1 h → 30 · 2 h → 60 · 4 h → 60 · 8 h → 120 · 24 h → 360 ·
 *   48 h → 720 · 1 week → 2520
 *
 * SQL equivalent: least(greatest(target / 4.0, 60), target / 2.0) minutes.
 */
export function atRiskThresholdMinutes(targetMinutes: number): number {
  return Math.min(Math.max(targetMinutes / 4, 60), targetMinutes / 2)
}

/**
 * Remaining time is measured on the wall clock, not in working minutes, so the database can
 * compute the same state with `due_at - now()` and no calendar. Consequence: a deadline due
 * Monday 09:30 under business hours reads "ok" on Friday evening even though little working
 * time is left; it turns amber as the wall clock approaches it.
 * Breached only once now is past due (at the due instant it is still at risk). A stopped clock
 * is met if it stopped on or before due, breached otherwise, whatever the time now.
 */
export function clockState(now: Date, dueAt: Date, targetMinutes: number, stoppedAt?: Date | null): ClockState {
  if (stoppedAt) return stoppedAt.getTime() <= dueAt.getTime() ? 'met' : 'breached'
  const remainingMs = dueAt.getTime() - now.getTime()
  if (remainingMs < 0) return 'breached'
  return remainingMs < atRiskThresholdMinutes(targetMinutes) * 60_000 ? 'at_risk' : 'ok'
}
