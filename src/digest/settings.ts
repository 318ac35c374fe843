import { z } from 'zod'
import { recordAudit, type Actor } from '../audit/audit.ts'
import type { DbOrTx, Tx } from '../db.ts'

/**
 * What an org chose for its digest and alerts, read from orgs.settings (shared with other
 * features, so only these keys) and orgs.digest_hour. A malformed value falls back to its
 * default rather than silencing the digest.
 */
export const notificationSettingsSchema = z.object({
  digest_enabled: z.boolean().catch(true).default(true),
  /** Send "nothing needs attention" too; by default a quiet day sends nothing. */
  digest_when_empty: z.boolean().catch(false).default(false),
  /** User emails; empty = every active approver and admin. Only active users are ever mailed. */
  digest_recipients: z.array(z.string()).catch([]).default([]),
  alert_new_sev1: z.boolean().catch(true).default(true),
  alert_at_risk: z.boolean().catch(true).default(true),
  alert_send_failed: z.boolean().catch(true).default(true),
})
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>
export type OrgNotificationSettings = NotificationSettings & { digestHour: number; timezone: string }

export const alertSettingKeys = {
  new_sev1: 'alert_new_sev1',
  at_risk: 'alert_at_risk',
  send_failed: 'alert_send_failed',
} as const
export type AlertKind = keyof typeof alertSettingKeys

export async function loadNotificationSettings(db: DbOrTx, orgId: string): Promise<OrgNotificationSettings> {
  const [org] = await db<{ settings: unknown; digestHour: number; timezone: string }[]>`
    select settings, digest_hour as "digestHour", timezone from orgs where id = ${orgId}`
  return { ...notificationSettingsSchema.parse(org?.settings ?? {}), digestHour: org?.digestHour ?? 8, timezone: org?.timezone ?? 'UTC' }
}

/**
 * Who gets the digest: the listed users, or every active approver and admin. Addresses that are
 * not active users of the org are dropped, so the digest (customer names, complaints) never
 * leaves the staff whatever is typed into the setting.
 */
export async function digestRecipients(tx: DbOrTx, settings: NotificationSettings): Promise<string[]> {
  const listed = settings.digest_recipients.map((e) => e.trim().toLowerCase()).filter(Boolean)
  const rows = await tx<{ email: string }[]>`
    select email from app_users
    where disabled_at is null
      and ${listed.length ? tx`email = any(${listed}::text[])` : tx`role in ('approver', 'admin')`}
    order by email`
  return rows.map((r) => r.email)
}

/** The addresses that are not an active user of the org: the digest never goes to them. */
export async function notActiveUsers(tx: DbOrTx, emails: string[]): Promise<string[]> {
  const known = await tx<{ email: string }[]>`select email from app_users where disabled_at is null and email = any(${emails}::text[])`
  return emails.filter((e) => !known.some((k) => k.email === e))
}

export type NotificationSettingsUpdate = NotificationSettings & { digestHour: number }

/** Merged into orgs.settings (other features keep their keys there) and audited with before/after. */
export async function updateNotificationSettings(tx: Tx, orgId: string, next: NotificationSettingsUpdate, actor: Actor): Promise<void> {
  const before = await loadNotificationSettings(tx, orgId)
  const { digestHour, ...keys } = next
  await tx`update orgs set settings = settings || ${tx.json(keys as never)}, digest_hour = ${digestHour} where id = ${orgId}`
  const { timezone: _tz, ...beforeKeys } = before
  await recordAudit(tx, orgId, { actor, action: 'org.notifications_change', details: { before: beforeKeys, after: next } })
}
