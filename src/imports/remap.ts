import type { Actor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import { findOrgById } from '../orgs/queries.ts'
import { mappingFromForm } from './mapping.ts'
import { previewUpload } from './preview.ts'
import { activeTeam, findImportRun, findRunCsv, updateRunPreview } from './queries.ts'
import { textSource, type Uploader } from './runs.ts'
import type { PreviewData } from './types.ts'

// The mapping step of a stored case upload: the person's changed choices read the file again.

export type Remapped = { ok: true; preview: PreviewData; runId: string } | { ok: false; reason: 'not_found' | 'gone' }

/**
 * The person changed what a column or a word means: the stored upload is read again with their
 * choices (a new dry run), and the preview it shows is stored for the run.
 */
export async function remapRun(db: Db, user: Uploader, runId: string, form: Record<string, unknown>, actor: Actor): Promise<Remapped> {
  const found = await withOrg(db, user.orgId, async (tx) => {
    const run = await findImportRun(tx, runId)
    if (!run || run.kind !== 'cases' || !run.preview.cases) return null
    const csv = run.state === 'previewed' ? await findRunCsv(tx, runId) : null
    return { run, csv, team: await activeTeam(tx), org: (await findOrgById(tx, user.orgId))! }
  })
  if (!found) return { ok: false, reason: 'not_found' }
  if (found.csv === null) return { ok: false, reason: 'gone' }
  const { run, csv, team, org } = found
  const mapping = mappingFromForm(form, run.preview.cases!.scan, run.preview.cases!.chosen, team)
  const preview = await previewUpload(db, org, 'cases', textSource(csv), run.fileName, actor, mapping)
  const saved = await withOrg(db, user.orgId, (tx) => updateRunPreview(tx, runId, preview))
  return saved ? { ok: true, preview, runId } : { ok: false, reason: 'gone' }
}

/**
 * True when the form carries choices other than those the stored preview shows: another use for
 * a column, another meaning for a word, another date order. The preview's words are compared as
 * shown (chosen or guessed), so submitting the page unchanged is no change.
 */
export function mappingChanged(form: Record<string, unknown>, preview: PreviewData): boolean {
  if (!preview.cases || !Object.keys(form).some((k) => k.startsWith('col_'))) return false
  const { chosen, values } = preview.cases
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined)
  if (chosen.columns.some((use, i) => field(`col_${i}`) !== undefined && field(`col_${i}`) !== use)) return true
  if (field('dateOrder') !== undefined && field('dateOrder') !== chosen.dateOrder) return true
  return values.some((v) =>
    v.entries.some((e, k) => {
      const choice = field(`val_${v.column}_${k}`)
      return choice !== undefined && choice !== '?' && choice !== (e.mapped ?? '')
    }),
  )
}
