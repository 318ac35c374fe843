import type { Tx } from '../db.ts'
import { businessCalendarSchema, type BusinessCalendar, type Weekday } from './business-hours.ts'
import { severities } from '../cases/terms.ts'
import { defaultSlaPolicy, slaPolicySchema, type SlaPolicy } from './sla.ts'
import { isValidTimeZone } from './zoned-time.ts'

// An org's clocks: its SLA policy (targets per severity) and, optionally, the business calendar
// the targets are counted in. Read by everything that computes or reports a deadline.

export type SlaSettings = { policy: SlaPolicy; calendar: BusinessCalendar | null }

/** The org's SLA policy (the defaults where unset) and optional business calendar. */
export async function loadSlaSettings(tx: Tx, orgId: string): Promise<SlaSettings> {
  const [org] = await tx<{ slaPolicy: unknown; businessCalendar: unknown }[]>`
    select sla_policy as "slaPolicy", business_calendar as "businessCalendar" from orgs where id = ${orgId}`
  const policy = org?.slaPolicy ? slaPolicySchema.parse(org.slaPolicy) : defaultSlaPolicy
  const calendar = org?.businessCalendar ? businessCalendarSchema.parse(org.businessCalendar) : null
  return { policy, calendar }
}

export type SlaForm = Record<string, unknown>
export type SlaSettingsInput = { timezone: string; policy: SlaPolicy; calendar: BusinessCalendar | null }

const minutes = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : null)
export const weekdays: [Weekday, string][] = [
  [1, 'Mon'],
  [2, 'Tue'],
  [3, 'Wed'],
  [4, 'Thu'],
  [5, 'Fri'],
  [6, 'Sat'],
  [0, 'Sun'],
]

/** Reads the settings form: SLA minutes per severity, 24/7 or business hours, holidays. */
export function parseSlaForm(form: SlaForm): ({ ok: true } & SlaSettingsInput) | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const timezone = String(form.timezone ?? '').trim()
  if (!isValidTimeZone(timezone)) errors.timezone = 'Use an IANA time zone such as America/New_York or Europe/London.'
  const policyInput = Object.fromEntries(
    severities.map((s) => [
      s,
      {
        firstResponseMinutes: minutes(form[`${s}.firstResponse`]),
        updateMinutes: minutes(form[`${s}.update`]),
        resolutionMinutes: minutes(form[`${s}.resolution`]),
      },
    ]),
  )
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
    const holidays = String(form.holidays ?? '')
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter(Boolean)
    const parsed = businessCalendarSchema.safeParse({ timezone, weekly, holidays })
    if (!parsed.success) errors.calendar = parsed.error.issues.map((i) => `${i.path.join(' ') || 'hours'}: ${i.message}`).join('; ')
    else calendar = parsed.data
  }
  if (Object.keys(errors).length || !policy.success) return { ok: false, errors }
  return { ok: true, timezone, policy: policy.data, calendar }
}
