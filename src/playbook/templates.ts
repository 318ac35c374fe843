import { recordAudit, userActor } from '../audit/audit.ts'
import type { DbOrTx, Tx } from '../db.ts'
import { insertTemplateVersion, listCurrentTemplates } from './queries.ts'
import type { HouseKind } from './template-fields.ts'

// The team's templates: saving one is a new immutable version (audited with its number), and the
// highest version of a kind is what the template fallback fills and what the model is shown as
// the house style. A kind never saved uses the desk's built-in wording (src/drafts/templates.ts).

export type HouseTemplates = Partial<Record<HouseKind, { version: number; body: string }>>

/** The org's templates in use, by kind (what loadDraftContext hands the drafts). */
export async function loadHouseTemplates(db: DbOrTx): Promise<HouseTemplates> {
  const current = await listCurrentTemplates(db)
  return Object.fromEntries(current.map((t) => [t.kind, { version: t.version, body: t.body }]))
}

/** Line endings as a browser sends them (\r\n) become \n; surrounding blank space goes. */
export const normalizeTemplateBody = (body: string) => body.replace(/\r\n?/g, '\n').trim()

export type SaveTemplateResult = { ok: true; version: number } | { ok: false; reason: 'unchanged' }

export async function saveTemplate(
  tx: Tx,
  orgId: string,
  user: { id: string },
  kind: HouseKind,
  body: string,
): Promise<SaveTemplateResult> {
  // One save at a time per org: the version number is max + 1.
  await tx`select id from orgs where id = ${orgId} for update`
  const text = normalizeTemplateBody(body)
  const current = (await loadHouseTemplates(tx))[kind]
  if (current?.body === text) return { ok: false, reason: 'unchanged' }
  const version = await insertTemplateVersion(tx, orgId, kind, text, user.id)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'template.save',
    details: { kind, version, ...(current ? { previousVersion: current.version } : {}), characters: text.length },
  })
  return { ok: true, version }
}
