import { z } from 'zod'
import { severities, type Severity } from '../../cases/terms.ts'

export const providers = ['zendesk', 'freshdesk', 'intercom', 'helpscout', 'generic'] as const
export type Provider = (typeof providers)[number]

export const providerLabels: Record<Provider, string> = {
  zendesk: 'Zendesk',
  freshdesk: 'Freshdesk',
  intercom: 'Intercom',
  helpscout: 'Help Scout',
  generic: 'Any helpdesk (signed JSON)',
}

/** A helpdesk's priority, in the four words every one of them has (Freshdesk's Medium reads as normal). */
export const priorities = ['urgent', 'high', 'normal', 'low'] as const
export type Priority = (typeof priorities)[number]

/**
 * What a priority suggests, by the playbook's rubric (SEV-1 production down, data loss or a
 * breach; SEV-2 a major feature broken, significant impact; SEV-3 degraded; SEV-4 minor). A
 * helpdesk's priority is how pressing an agent found the ticket, not evidence of a SEV-1 fact,
 * so urgent suggests SEV-2; SEV-1 comes from the ticket's own words (intake's severity reading,
 * which may raise any of these, never lower them). Normal reads as SEV-4, as intake reads mail
 * with no impact signal: a real impact in the text raises it (priority inflation is the
 * playbook's named failure). Each connection may change the map.
 */
export const defaultPriorityMap: Record<Priority, Severity> = { urgent: 'SEV-2', high: 'SEV-3', normal: 'SEV-4', low: 'SEV-4' }

const severity = (fallback: Severity) => z.enum(severities).catch(fallback)
export const priorityMapSchema = z.object({
  urgent: severity(defaultPriorityMap.urgent),
  high: severity(defaultPriorityMap.high),
  normal: severity(defaultPriorityMap.normal),
  low: severity(defaultPriorityMap.low),
})
export type PriorityMap = z.infer<typeof priorityMapSchema>

const priorityWords: Record<string, Priority> = {
  urgent: 'urgent',
  high: 'high',
  normal: 'normal',
  medium: 'normal',
  low: 'low',
  // Freshdesk's API numbers them.
  '4': 'urgent',
  '3': 'high',
  '2': 'normal',
  '1': 'low',
}

/** A priority as a helpdesk writes it ("Urgent", "URGENT", 4), or null when it names none ("-", ""). */
export function readPriority(value: unknown): Priority | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null
  return priorityWords[String(value).trim().toLowerCase()] ?? null
}
