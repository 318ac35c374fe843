import { Hono, type Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { AppEnv } from '../app.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { withOrg } from '../db.ts'
import { runAfterResponse } from '../http/after-response.ts'
import { notFound } from '../http/errors.ts'
import { requireUser } from '../http/session.ts'
import { findOrgById } from '../orgs/queries.ts'
import { ImportBody, ImportPage, PreviewPanel, RunStatus, UploadForm } from '../../views/import.tsx'
import { previewUpload } from './preview.ts'
import type { ImportKind } from './queries.ts'
import { isRunId, readRun, saveUpload, startRun, textSource } from './runs.ts'

/** /import: upload a CSV, see the dry run, confirm; the rules of each step are in runs.ts. */
export const importRoutes = new Hono<AppEnv>()

const isHtmx = (c: Context<AppEnv>) => c.req.header('hx-request') !== undefined
const actorOf = (user: SessionUser) => ({ kind: 'user' as const, id: user.id })

function runIdOf(value: string): string {
  if (!isRunId(value)) throw notFound('That import')
  return value
}

function render(c: Context<AppEnv>, user: SessionUser, body: Child, status: 200 | 409 | 422 = 200) {
  const nonce = c.get('secureHeadersNonce')
  if (isHtmx(c)) return c.html(<ImportBody>{body}</ImportBody>, status)
  return c.html(<ImportPage user={user} nonce={nonce}>{body}</ImportPage>, status)
}

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

importRoutes.get('/', (c) => {
  const user = requireUser(c)
  return render(c, user, <UploadForm nonce={c.get('secureHeadersNonce')} />)
})

importRoutes.post('/preview', async (c) => {
  const user = requireUser(c)
  const nonce = c.get('secureHeadersNonce')
  const body = await c.req.parseBody()
  const kind: ImportKind = body.kind === 'accounts' ? 'accounts' : 'cases'
  const upload = await readUpload(body.file)
  if (!upload.ok) return render(c, user, <UploadForm nonce={nonce} kind={kind} error={upload.error} />, 422)
  const { db } = c.get('deps')
  const org = await withOrg(db, user.orgId, (tx) => findOrgById(tx, user.orgId))
  if (!org) throw notFound('That organization')
  const preview = await previewUpload(db, org, kind, textSource(upload.csv), upload.fileName, actorOf(user))
  const runId = await saveUpload(db, user, preview, upload.csv)
  return render(c, user, <PreviewPanel preview={preview} runId={runId} nonce={nonce} />, preview.reason ? 422 : 200)
})

importRoutes.post('/run', async (c) => {
  const user = requireUser(c)
  const nonce = c.get('secureHeadersNonce')
  const form = await c.req.parseBody()
  const runId = runIdOf(typeof form.runId === 'string' ? form.runId : '')
  const allowPartial = form.allowPartial === '1' || form.allowPartial === 'on'
  const started = await startRun(c.get('deps').db, user, runId, { allowPartial, actor: actorOf(user) })
  if (!started.ok && started.reason === 'not_found') throw notFound('That import')
  if (!started.ok) {
    return render(c, user, <PreviewPanel preview={started.preview} runId={started.runId} nonce={nonce} error={started.message} />, 422)
  }
  if (started.work) runAfterResponse(c, started.work)
  if (!isHtmx(c)) return c.redirect(`/import/${runId}`, 303)
  return render(c, user, <RunStatus runId={runId} kind={started.kind} run={started.run} nonce={nonce} />)
})

importRoutes.get('/:runId', async (c) => {
  const user = requireUser(c)
  const nonce = c.get('secureHeadersNonce')
  const runId = runIdOf(c.req.param('runId'))
  const shown = await readRun(c.get('deps').db, user.orgId, runId)
  if (!shown) throw notFound('That import')
  if (shown.view === 'preview') return render(c, user, <PreviewPanel preview={shown.preview} runId={shown.runId} nonce={nonce} />)
  const status = <RunStatus runId={runId} kind={shown.kind} run={shown.run} nonce={nonce} />
  return isHtmx(c) ? c.html(status) : render(c, user, status)
})
