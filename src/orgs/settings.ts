import { recordAudit, type Actor } from '../audit/audit.ts'
import { businessCalendarSchema, type BusinessCalendar, type Weekday } from '../cases/business-hours.ts'
import { loadSlaSettings, recomputeOpenCases, type SlaSettings } from '../cases/clocks.ts'
import { severities, slaPolicySchema, type SlaPolicy } from '../cases/sla.ts'
import type { Source } from '../cases/queries.ts'
import { isValidTimeZone } from '../cases/zoned-time.ts'
import type { Tx } from '../db.ts'
import type { ApprovalPolicy } from './queries.ts'

export type SettingsForm = Record<string, string | string[] | undefined>
export type SettingsResult = { ok: true; recomputed: number } | { ok: false; errors: Record<string, string> }

const minutes = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : null)
export const weekdays: [Weekday, string][] = [[1, 'Mon'], [2, 'Tue'], [3, 'Wed'], [4, 'Thu'], [5, 'Fri'], [6, 'Sat'], [0, 'Sun']]

/** Reads the settings form: SLA minutes per severity, 24/7 or business hours, holidays. */
export function parseSettingsForm(form: SettingsForm): { ok: true; timezone: string; policy: SlaPolicy; calendar: BusinessCalendar | null } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const timezone = String(form.timezone ?? '').trim()
  if (!isValidTimeZone(timezone)) errors.timezone = 'Use an IANA time zone such as America/New_York or Europe/London.'
  const policyInput = Object.fromEntries(severities.map((s) => [s, {
    firstResponseMinutes: minutes(form[`${s}.firstResponse`]),
    updateMinutes: minutes(form[`${s}.update`]),
    resolutionMinutes: minutes(form[`${s}.resolution`]),
  }]))
  const policy = slaPolicySchema.safeParse(policyInput)
  if (!policy.success) {
    for (const issue of policy.error.issues) errors[`policy.${issue.path.join('.')}`] = `${issue.path.join(' ')}: ${issue.message}`
  }
  let calendar: BusinessCalendar | null = null
  if (form.hours === 'business') {
    const weekly: BusinessCalendar['weekly'] = {}
    for (const [day] of weekdays) {
      if (form[`day.${day}`] === 'on') weekly[day] = [[String(form[`day.${day}.from`] ?? ''), String(form[`day.${day}.to`] ?? '')]]
    }
    const holidays = String(form.holidays ?? '').split(/[\s,]+/).map((d) => d.trim()).filter(Boolean)
    const parsed = businessCalendarSchema.safeParse({ timezone, weekly, holidays })
    if (!parsed.success) errors.calendar = parsed.error.issues.map((i) => `${i.path.join(' ') || 'hours'}: ${i.message}`).join('; ')
    else calendar = parsed.data
  }
  if (Object.keys(errors).length || !policy.success) return { ok: false, errors }
  return { ok: true, timezone, policy: policy.data, calendar }
}

/**
 * Saves the org's clocks policy and moves every open case's deadlines with it, in one
 * transaction, audited with the before and after so a loosened SLA is never silent.
 */
export async function updateSlaSettings(tx: Tx, orgId: string, input: { timezone: string; policy: SlaPolicy; calendar: BusinessCalendar | null }, actor: Actor): Promise<number> {
  const before: SlaSettings = await loadSlaSettings(tx, orgId)
  await tx`
    update orgs set timezone = ${input.timezone}, sla_policy = ${tx.json(input.policy as never)},
      business_calendar = ${input.calendar ? tx.json(input.calendar as never) : null}
    where id = ${orgId}`
  const recomputed = await recomputeOpenCases(tx, orgId)
  await recordAudit(tx, orgId, {
    actor,
    action: 'org.sla_change',
    details: { before: { policy: before.policy, calendar: before.calendar }, after: { policy: input.policy, calendar: input.calendar }, recomputedCases: recomputed },
  })
  return recomputed
}

export const caseSources = ['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv'] as const satisfies readonly Source[]

const chosen = (value: unknown) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])

/**
 * The four-eyes part of the settings form. Unticked boxes send nothing, so the form carries an
 * approval_policy marker: a post without it (an SLA-only client) leaves the policy as it is.
 */
export function parseApprovalPolicyForm(form: SettingsForm): { ok: true; policy: ApprovalPolicy | null } | { ok: false; errors: Record<string, string> } {
  if (form.approval_policy === undefined) return { ok: true, policy: null }
  const selfApprovalSeverities = chosen(form.self_approval)
  const fourEyesSources = chosen(form.four_eyes_source)
  const errors: Record<string, string> = {}
  if (selfApprovalSeverities.some((s) => !(severities as readonly string[]).includes(s))) errors.self_approval = 'Self-approval: choose among SEV-1 to SEV-4.'
  if (fourEyesSources.some((s) => !(caseSources as readonly string[]).includes(s))) errors.four_eyes_source = 'Two approvers: choose among the case sources listed.'
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, policy: { selfApprovalSeverities, fourEyesSources } }
}
