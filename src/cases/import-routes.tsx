import { Hono, type Context } from 'hono'
import type { Child } from 'hono/jsx'
import { z } from 'zod'
import type { AppEnv } from '../app.ts'
import type { Actor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { runAfterResponse } from '../http/after-response.ts'
import { AppError, notFound } from '../http/errors.ts'
import { requireUser } from '../http/session.ts'
import type { Org } from '../orgs/queries.ts'
import {
  ImportBody, ImportPage, PreviewPanel, RunStatus, UploadForm,
  type ImportKind, type PreviewData, type RunReport, type RunState,
} from '../../views/import.tsx'
import { importAccounts } from './accounts.ts'
import { accountFields, mapAccountHeaders, mapHeaders, parseAccountRow, readCsv, recordToFields } from './csv-format.ts'
import { importCases, type CsvSource } from './import.ts'

// CSV upload in the portal: upload → dry-run preview → confirmed import in the background with a
// polled progress bar. The file is kept server-side between preview and run as a `csv_import`
// row in the org's jobs table (RLS), with run_at = 'infinity' so the job drain never picks it up;
// the CSV text is dropped from the row once the import ran (or the preview is a day old).

export const importRoutes = new Hono<AppEnv>()

type Progress = { stage: 'validate' | 'import'; done: number; total: number }

/**
 * Live progress of the imports this process is running. Kept in memory, not on the job row: the
 * import is one transaction, so progress written inside it is invisible until commit, and with
 * the embedded database (one connection) a write outside it would wait for it to finish. Another
 * process answering the poll sees "running" without numbers; the final report is on the job row.
 */
const live = new Map<string, { orgId: string; kind: ImportKind; progress: Progress | null }>()

const payloadSchema = z.object({
  kind: z.enum(['cases', 'accounts']),
  state: z.enum(['previewed', 'running', 'done', 'failed', 'expired']),
  fileName: z.string(),
  preview: z.custom<PreviewData>((v) => typeof v === 'object' && v !== null),
  startedAt: z.string().optional(),
  report: z.custom<RunReport>((v) => typeof v === 'object' && v !== null).optional(),
  message: z.string().optional(),
})
type RunMeta = z.infer<typeof payloadSchema>

// A run that has not reported for this long died with its process (the transaction rolled back).
const ABANDONED_AFTER_MS = 60 * 60 * 1000

const fieldWords: Record<string, string> = {
  customerName: 'customer name', customerEmail: 'customer email', externalRef: 'external reference',
  receivedAt: 'received at', annualRevenue: 'annual revenue', name: 'account name',
}

const isHtmx = (c: Context<AppEnv>) => c.req.header('hx-request') !== undefined
const actorOf = (user: SessionUser): Actor => ({ kind: 'user', id: user.id })
const textSource = (csv: string): CsvSource => () => (async function* () { yield csv })()

/** Job ids are bigints: anything else is simply not found (never a database error). */
function runIdOf(value: string): string {
  if (!/^[1-9]\d{0,17}$/.test(value)) throw notFound('That import')
  return value
}

function render(c: Context<AppEnv>, user: SessionUser, body: Child, status: 200 | 409 | 422 = 200) {
  const nonce = c.get('secureHeadersNonce')
  if (isHtmx(c)) return c.html(<ImportBody>{body}</ImportBody>, status)
  return c.html(<ImportPage user={user} nonce={nonce}>{body}</ImportPage>, status)
}

async function loadOrg(tx: Tx, orgId: string): Promise<Org> {
  const [org]: [Org?] = await tx`
    select id, slug, name, timezone, inbound_addresses as "inboundAddresses", executive_forwarders as "executiveForwarders"
    from orgs where id = ${orgId}`
  if (!org) throw notFound('That organization')
  return org
}

async function headerOf(source: CsvSource): Promise<string[] | null> {
  try {
    for await (const { record } of readCsv(source())) return record
  } catch {
    // A file that does not parse is reported by the dry run itself, with its line.
  }
  return null
}

function mappingOf(header: string[] | null, columns: (string | null)[] | null): PreviewData['mapping'] {
  if (!header || !columns) return []
  return header
    .map((h, i) => ({ header: h, field: columns[i] ? (fieldWords[columns[i]!] ?? columns[i]!) : null }))
    .filter((m) => m.header.trim() !== '')
}

async function previewCases(db: Db, org: Org, source: CsvSource, fileName: string, actor: Actor): Promise<PreviewData> {
  const header = await headerOf(source)
  const mapped = header ? mapHeaders(header) : null
  // allowPartial in the dry run so the counts show what the valid rows would do; the run itself
  // refuses a file with bad rows unless the person ticks "import the valid rows anyway".
  const report = await importCases(db, org, source, { dryRun: true, allowPartial: true, actor })
  return {
    kind: 'cases', fileName,
    mapping: mappingOf(header, mapped?.ok ? mapped.columns : null),
    columns: ['Customer', 'Email', 'Subject', 'Source', 'Severity', 'Reference', 'Received'],
    rows: report.preview.map(({ line, row }) => ({
      line,
      values: [row.customerName ?? '', row.customerEmail ?? '', row.subject, row.source, row.severity ?? 'SEV-3 (default)', row.externalRef ?? '', row.receivedAt?.toISOString() ?? ''],
    })),
    errors: report.errors,
    counts: { rows: report.rows, create: report.created, present: report.duplicates, errors: report.errorCount },
    reason: report.ok ? undefined : report.reason,
  }
}

async function previewAccounts(db: Db, org: Org, source: CsvSource, fileName: string, actor: Actor): Promise<PreviewData> {
  const report = await importAccounts(db, org, source, { dryRun: true, actor })
  const header = await headerOf(source)
  const mapped = header ? mapAccountHeaders(header) : null
  const rows: PreviewData['rows'] = []
  if (mapped?.ok) {
    let first = true
    try {
      for await (const { line, record } of readCsv(source())) {
        if (first) { first = false; continue }
        const parsed = parseAccountRow(recordToFields(record, mapped.columns, accountFields), line)
        if (parsed.ok) {
          const r = parsed.row
          rows.push({ line, values: [r.domain, r.name ?? '', r.plan ?? '', r.annualRevenue?.toString() ?? '', r.health ?? ''] })
        }
        if (rows.length === 10) break
      }
    } catch { /* reported by the dry run */ }
  }
  const errors = report.errors.length
  return {
    kind: 'accounts', fileName,
    mapping: mappingOf(header, mapped?.ok ? mapped.columns : null),
    columns: ['Domain', 'Name', 'Plan', 'Annual revenue', 'Health'],
    rows,
    errors: report.errors.slice(0, 200),
    counts: { rows: report.rows, create: report.rows - errors, present: 0, errors },
    // Bad rows are listed above; `reason` is for a file refused whole (headers, broken CSV).
    reason: report.ok || errors ? undefined : report.reason,
  }
}

const runnable = (p: PreviewData) => !p.reason && p.counts.create > 0 && (p.kind === 'cases' || p.counts.errors === 0)

/** Keeps the upload for the run; previews left for a day lose their file. */
async function saveUpload(db: Db, user: SessionUser, preview: PreviewData, csv: string): Promise<string> {
  return withOrg(db, user.orgId, async (tx) => {
    await tx`
      update jobs set payload = (payload - 'csv') || '{"state":"expired"}'::jsonb, done_at = now()
      where kind = 'csv_import' and done_at is null and payload->>'state' = 'previewed' and created_at < now() - interval '1 day'`
    const payload = { kind: preview.kind, state: 'previewed', userId: user.id, fileName: preview.fileName, preview, csv }
    const [row] = await tx<{ id: string }[]>`
      insert into jobs (org_id, kind, payload, run_at)
      values (${user.orgId}, 'csv_import', ${tx.json(payload as never)}, 'infinity') returning id::text as id`
    return row!.id
  })
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
  const refuse = (error: string) => render(c, user, <UploadForm nonce={nonce} kind={kind} error={error} />, 422)
  const file = body.file
  if (!(file instanceof File) || file.size === 0) return refuse('Choose a CSV file to upload.')
  let csv: string
  try {
    csv = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer())
  } catch {
    return refuse('That file is not UTF-8 text. In Excel, save it as "CSV UTF-8 (Comma delimited)".')
  }
  // Postgres text cannot hold NUL, and no spreadsheet export contains one.
  if (csv.includes('\0')) return refuse('That file is not a CSV (it contains binary data).')

  const { db } = c.get('deps')
  const org = await withOrg(db, user.orgId, (tx) => loadOrg(tx, user.orgId))
  const fileName = (file.name || 'upload.csv').slice(0, 200)
  const source = textSource(csv)
  const preview = kind === 'cases'
    ? await previewCases(db, org, source, fileName, actorOf(user))
    : await previewAccounts(db, org, source, fileName, actorOf(user))
  const runId = runnable(preview) ? await saveUpload(db, user, preview, csv) : null
  return render(c, user, <PreviewPanel preview={preview} runId={runId} nonce={nonce} />, preview.reason ? 422 : 200)
})

importRoutes.post('/run', async (c) => {
  const user = requireUser(c)
  const nonce = c.get('secureHeadersNonce')
  const form = await c.req.parseBody()
  const runId = runIdOf(typeof form.runId === 'string' ? form.runId : '')
  const allowPartial = form.allowPartial === '1' || form.allowPartial === 'on'
  const { db } = c.get('deps')

  // Claimed under a row lock, so a double click starts one import, not two.
  type Claim = { meta: RunMeta; refused?: true; started?: { csv: string | null; org: Org } }
  const claim = await withOrg(db, user.orgId, async (tx): Promise<Claim | null> => {
    const [row] = await tx<{ meta: unknown }[]>`select payload - 'csv' as meta from jobs where id = ${runId} and kind = 'csv_import' for update`
    if (!row) return null
    const meta = payloadSchema.parse(row.meta)
    if (meta.state !== 'previewed') return { meta }
    if (!runnable(meta.preview) || (meta.preview.counts.errors > 0 && !allowPartial)) return { meta, refused: true }
    const [started] = await tx<{ csv: string | null }[]>`
      update jobs set attempts = attempts + 1,
        payload = payload || ${tx.json({ state: 'running', allowPartial, startedAt: new Date().toISOString(), startedBy: user.id })}
      where id = ${runId} returning payload->>'csv' as csv`
    return { meta, started: { csv: started!.csv, org: await loadOrg(tx, user.orgId) } }
  })
  if (!claim) throw notFound('That import')
  const { meta } = claim
  if (claim.refused) {
    const error = meta.kind === 'cases'
      ? `${meta.preview.counts.errors} rows have problems. Tick "Import the valid rows anyway" to skip them, or fix the file and upload it again. Nothing was imported.`
      : 'Some rows have problems; fix the file and upload it again. Nothing was imported.'
    return render(c, user, <PreviewPanel preview={meta.preview} runId={runId} nonce={nonce} error={error} />, 422)
  }
  if (claim.started) {
    const { csv, org } = claim.started
    if (csv === null) throw new AppError('INVALID_STATE', 'That upload is no longer stored; upload the file again.')
    const progress: Progress | null = meta.kind === 'cases' ? { stage: 'validate', done: 0, total: meta.preview.counts.rows } : null
    live.set(runId, { orgId: user.orgId, kind: meta.kind, progress })
    runAfterResponse(c, runImport(db, org, runId, meta.kind, csv, { allowPartial, actor: actorOf(user) }))
  }
  if (!isHtmx(c)) return c.redirect(`/import/${runId}`, 303)
  return render(c, user, <RunStatus runId={runId} kind={meta.kind} run={runStateOf(runId, meta)} nonce={nonce} />)
})

importRoutes.get('/:runId', async (c) => {
  const user = requireUser(c)
  const nonce = c.get('secureHeadersNonce')
  const runId = runIdOf(c.req.param('runId'))
  const running = live.get(runId)
  let kind: ImportKind
  let run: RunState
  if (running && running.orgId === user.orgId) {
    // Answered from memory: no query has to wait behind the import's transaction.
    kind = running.kind
    run = { state: 'running', progress: running.progress }
  } else {
    const meta = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
      const [row] = await tx<{ meta: unknown }[]>`select payload - 'csv' as meta from jobs where id = ${runId} and kind = 'csv_import'`
      return row ? payloadSchema.parse(row.meta) : null
    })
    if (!meta) throw notFound('That import')
    if (meta.state === 'previewed') {
      return render(c, user, <PreviewPanel preview={meta.preview} runId={runnable(meta.preview) ? runId : null} nonce={nonce} />)
    }
    kind = meta.kind
    run = runStateOf(runId, meta)
  }
  const status = <RunStatus runId={runId} kind={kind} run={run} nonce={nonce} />
  return isHtmx(c) ? c.html(status) : render(c, user, status)
})

function runStateOf(runId: string, meta: RunMeta): RunState {
  const running = live.get(runId)
  if (running) return { state: 'running', progress: running.progress }
  switch (meta.state) {
    case 'done':
      return { state: 'done', report: meta.report! }
    case 'running': {
      const startedAt = meta.startedAt ? Date.parse(meta.startedAt) : 0
      if (Date.now() - startedAt > ABANDONED_AFTER_MS) {
        return { state: 'failed', message: 'This import did not finish (the server stopped while it ran). It is one transaction, so nothing was imported; upload the file again.' }
      }
      return { state: 'running', progress: null } // running in another process
    }
    case 'expired':
      return { state: 'expired', message: 'This upload is more than a day old and no longer stored; upload the file again.' }
    default:
      return { state: 'failed', message: meta.message ?? 'The import failed.' }
  }
}

/** The import itself, after the response: its report (or failure) is saved on the job row. */
async function runImport(db: Db, org: Org, runId: string, kind: ImportKind, csv: string, options: { allowPartial: boolean; actor: Actor }) {
  const entry = live.get(runId)!
  const source = textSource(csv)
  let outcome: Record<string, unknown>
  let failure: unknown = null
  try {
    let report: RunReport
    if (kind === 'cases') {
      const r = await importCases(db, org, source, {
        allowPartial: options.allowPartial, actor: options.actor,
        onProgress: (stage, done, total) => { entry.progress = { stage, done, total: total ?? entry.progress?.total ?? done } },
      })
      report = { ok: r.ok, created: r.created, duplicates: r.duplicates, linkedCases: 0, errorCount: r.errorCount, errors: r.errors.slice(0, 50), reason: r.reason }
    } else {
      const r = await importAccounts(db, org, source, { actor: options.actor })
      report = { ok: r.ok, created: r.upserted, duplicates: 0, linkedCases: r.linkedCases, errorCount: r.errors.length, errors: r.errors.slice(0, 50), reason: r.reason }
    }
    outcome = { state: 'done', report }
  } catch (error) {
    failure = error
    outcome = { state: 'failed', message: 'The import failed on our side. It is one transaction, so nothing was imported; try again, or use `desk import`.' }
  }
  try {
    await withOrg(db, org.id, (tx) => tx`
      update jobs set payload = (payload - 'csv') || ${tx.json(outcome as never)}, done_at = now() where id = ${runId}`)
  } finally {
    live.delete(runId) // only after the row says how it ended, so a poll never sees neither
  }
  if (failure) throw failure // logged by runAfterResponse
}
