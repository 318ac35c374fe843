import { z } from 'zod'
import { recordAudit } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { findOrgSettings, mergeOrgSettings } from '../orgs/queries.ts'

/**
 * How an org's drafts are written, read from orgs.settings (shared with other features, so only
 * these keys). A malformed value falls back to its default rather than stopping the drafts.
 */
export const orgDraftSettingsSchema = z.object({
  ai_enabled: z.boolean().catch(true).default(true),
  signature: z.string().max(1000).catch('').default(''),
  sender_name: z.string().max(200).catch('').default(''),
})
export type OrgDraftSettings = z.infer<typeof orgDraftSettingsSchema>

export async function loadDraftSettings(tx: Tx, orgId: string): Promise<OrgDraftSettings> {
  return orgDraftSettingsSchema.parse(await findOrgSettings(tx, orgId))
}

/** Merged into orgs.settings (other features keep their keys there) and audited with before/after. */
export async function updateDraftSettings(tx: Tx, orgId: string, next: OrgDraftSettings, actorId: string) {
  const before = await loadDraftSettings(tx, orgId)
  await mergeOrgSettings(tx, orgId, next)
  await recordAudit(tx, orgId, { actor: { kind: 'user', id: actorId }, action: 'org.drafting_change', details: { before, after: next } })
}
