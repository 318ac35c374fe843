import { Hono, type Context } from 'hono'
import type { Child } from 'hono/jsx'
import { userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { runAfterResponse } from '../http/after-response.ts'
import { notFound } from '../http/errors.ts'
import { requireUser } from '../http/session.ts'
import { findOrgById } from '../orgs/queries.ts'
import { ImportBody, ImportPage, PreviewPanel, UploadForm } from '../../views/pages/import.tsx'
import type { PreviewChoices } from '../../views/import/case-preview.tsx'
import { RunStatus } from '../../views/import/run-status.tsx'
import { previewUpload } from './preview.ts'
import { mappingChanged, remapRun } from './remap.ts'
import { isRunId, readRun, saveUpload, startRun, textSource } from './runs.ts'
import type { ImportKind } from './types.ts'
import { isHtmx, pageOrFragment, render } from '../http/htmx.ts'

/** /import: upload a CSV, see the dry run, confirm; the rules of each step are in runs.ts. */
export const importRoutes = new Hono<AppEnv>()

function runIdOf(value: string): string {
  if (!isRunId(value)) throw notFound('That import')
  return value
}

const showImport = (c: Context<AppEnv>, body: Child, status: 200 | 409 | 422 = 200) =>
  pageOrFragment(c, <ImportPage>{body}</ImportPage>, <ImportBody>{body}</ImportBody>, status)

/** The uploaded file as text, or why it cannot be read as a spreadsheet export. */
async function readUpload(file: unknown): Promise<{ ok: true; csv: string; fileName: string } | { ok: false; error: string }> {
  if (!(file instanceof File) || file.size === 0) return { ok: false, error: 'Choose a CSV file to upload.' }
  let csv: string
  try {
    csv = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer())
  } catch {
    return { ok: false, error: 'That file is not UTF-8 text. In Excel, save it as "CSV UTF-8 (Comma delimited)".' }
  }
  // Postgres text cannot hold NUL, and no spreadsheet export contains one.
  if (csv.includes('\0')) return { ok: false, error: 'That file is not a CSV (it contains binary data).' }
  return { ok: true, csv, fileName: (file.name || 'upload.csv').slice(0, 200) }
}

/** The import's options as the form carries them (the defaults: drafts on, alerts off). */
function choicesOf(form: Record<string, unknown>): PreviewChoices {
  return {
    drafts: form.drafts !== 'history',
    alerts: form.alerts === '1' || form.alerts === 'on',
    allowPartial: form.allowPartial === '1' || form.allowPartial === 'on',
  }
}

importRoutes.get('/', (c) => {
  const user = requireUser(c)
  return showImport(c, <UploadForm />)
})

importRoutes.post('/preview', async (c) => {
  const user = requireUser(c)
  const body = await c.req.parseBody()
  const kind: ImportKind = body.kind === 'accounts' ? 'accounts' : 'cases'
  const upload = await readUpload(body.file)
  if (!upload.ok) return showImport(c, <UploadForm kind={kind} error={upload.error} />, 422)
  const { db } = c.get('deps')
  const org = await withOrg(db, user.orgId, (tx) => findOrgById(tx, user.orgId))
  if (!org) throw notFound('That organization')
  const preview = await previewUpload(db, org, kind, textSource(upload.csv), upload.fileName, userActor(user))
  const runId = await saveUpload(db, user, preview, upload.csv)
  return showImport(c, <PreviewPanel preview={preview} runId={runId} />, preview.reason ? 422 : 200)
})

importRoutes.post('/run', async (c) => {
  const user = requireUser(c)
  const form = await c.req.parseBody()
  const runId = runIdOf(typeof form.runId === 'string' ? form.runId : '')
  const choices = choicesOf(form)
  const { db } = c.get('deps')
  // Pressed Import after changing a column or a word without applying it (no script): what runs
  // must be what the preview showed, so the new choices are previewed first.
  const shown = await readRun(db, user.orgId, runId)
  if (shown?.view === 'preview' && mappingChanged(form, shown.preview)) {
    const remapped = await remapRun(db, user, runId, form, userActor(user))
    if (!remapped.ok) throw notFound('That import')
    return showImport(
      c,
      <PreviewPanel
        preview={remapped.preview}
        runId={runId}
        choices={choices}
        notice="Your changes are applied: check the preview, then press Import."
      />,
    )
  }
  const started = await startRun(db, user, runId, { ...choices, actor: userActor(user) })
  if (!started.ok && started.reason === 'not_found') throw notFound('That import')
  if (!started.ok) {
    return showImport(c, <PreviewPanel preview={started.preview} runId={started.runId} error={started.message} choices={choices} />, 422)
  }
  if (started.work) runAfterResponse(c, started.work)
  if (!isHtmx(c)) return c.redirect(`/import/${runId}`, 303)
  return showImport(c, <RunStatus runId={runId} kind={started.kind} run={started.run} />)
})

importRoutes.post('/:runId/mapping', async (c) => {
  const user = requireUser(c)
  const runId = runIdOf(c.req.param('runId'))
  const form = await c.req.parseBody()
  const remapped = await remapRun(c.get('deps').db, user, runId, form, userActor(user))
  if (!remapped.ok && remapped.reason === 'not_found') throw notFound('That import')
  if (!remapped.ok)
    return showImport(c, <UploadForm error="That upload has already run or is more than a day old; upload the file again." />, 409)
  return showImport(c, <PreviewPanel preview={remapped.preview} runId={runId} choices={choicesOf(form)} />)
})

importRoutes.get('/:runId', async (c) => {
  const user = requireUser(c)
  const runId = runIdOf(c.req.param('runId'))
  const shown = await readRun(c.get('deps').db, user.orgId, runId)
  if (!shown) throw notFound('That import')
  if (shown.view === 'preview') return showImport(c, <PreviewPanel preview={shown.preview} runId={shown.runId} />)
  const status = <RunStatus runId={runId} kind={shown.kind} run={shown.run} cases={shown.cases} />
  return isHtmx(c) ? render(c, status) : showImport(c, status)
})
