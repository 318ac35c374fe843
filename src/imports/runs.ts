import type { Actor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { findOrgById, type Org } from '../orgs/queries.ts'
import { importAccounts } from './accounts.ts'
import { importCases } from './cases.ts'
import { keepable, runnable } from './preview.ts'
import { rememberMapping, type ImportMapping } from './mapping.ts'
import {
  expireStalePreviews,
  findImportRun,
  finishImportRun,
  insertImportRun,
  listRunCases,
  lockImportRun,
  markImportStarted,
  saveRunOptions,
  type RunCase,
  type StoredRun,
} from './queries.ts'
import type { CsvSource, ImportKind, PreviewData, RowError } from './types.ts'

// CSV upload in the portal: upload → dry-run preview → confirmed import in the background with a
// polled progress bar. Between preview and run the file waits in its import_runs row (RLS); the
// row keeps the preview and, once the run ends, its report, and drops the file.

export type RunReport = {
  ok: boolean
  created: number
  duplicates: number
  linkedCases: number
  errorCount: number
  errors: RowError[]
  reason?: string
  /** Cases only (absent on runs from before these were recorded). */
  drafted?: number
  alertsSkipped?: number
  numbers?: { first: number; last: number } | null
}

/** What the person chose when they started a case import. */
export type RunOptions = { allowPartial: boolean; drafts: boolean; alerts: boolean }

export type RunProgress = { stage: 'validate' | 'import'; done: number; total: number }

export type RunState =
  | { state: 'running'; progress: RunProgress | null }
  | { state: 'done'; report: RunReport }
  | { state: 'failed' | 'expired'; message: string }

/**
 * Live progress of the imports this process is running. Kept in memory, not on the row: the
 * import is one transaction, so progress written inside it is invisible until commit, and a
 * write outside it would wait behind it on a busy pool. Another process answering the poll sees
 * "running" without numbers; the final report is on the row.
 */
const live = new Map<string, { orgId: string; kind: ImportKind; progress: RunProgress | null }>()

// A run that has not reported for this long died with its process (the transaction rolled back).
const ABANDONED_AFTER_MS = 60 * 60 * 1000

/** Run ids are bigints: anything else is simply not found (never a database error). */
export const isRunId = (value: string) => /^[1-9]\d{0,17}$/.test(value)

/** readCsv parses a whole chunk before it yields a row: 64 K characters at a time, not the file. */
const TEXT_CHUNK = 64 * 1024

export const textSource =
  (csv: string): CsvSource =>
  () =>
    (async function* () {
      for (let at = 0; at < csv.length;) {
        let end = Math.min(at + TEXT_CHUNK, csv.length)
        // Never between the two halves of a character outside the BMP (an emoji).
        const last = csv.charCodeAt(end - 1)
        if (last >= 0xd800 && last <= 0xdbff && end < csv.length) end++
        yield csv.slice(at, end)
        at = end
      }
    })()

export type Uploader = { id: string; orgId: string }

/**
 * Keeps the upload for its run when the preview says it can run, or when the person can make it
 * run by choosing what its columns mean; null when there is nothing to run.
 */
export async function saveUpload(db: Db, user: Uploader, preview: PreviewData, csv: string): Promise<string | null> {
  if (!keepable(preview)) return null
  return withOrg(db, user.orgId, async (tx) => {
    await expireStalePreviews(tx)
    return insertImportRun(tx, { orgId: user.orgId, kind: preview.kind, fileName: preview.fileName, preview, csv, createdBy: user.id })
  })
}

export type RunView =
  | { view: 'preview'; preview: PreviewData; runId: string | null }
  | { view: 'status'; kind: ImportKind; run: RunState; cases: { cases: RunCase[]; total: number } | null }

/** What the run's page shows now: its preview until it is started, then its progress or report. */
export async function readRun(db: Db, orgId: string, runId: string): Promise<RunView | null> {
  const running = live.get(runId)
  // Answered from memory: no query has to wait behind the import's transaction.
  if (running && running.orgId === orgId)
    return { view: 'status', kind: running.kind, run: { state: 'running', progress: running.progress }, cases: null }
  return withOrg(db, orgId, async (tx): Promise<RunView | null> => {
    const run = await findImportRun(tx, runId)
    if (!run) return null
    if (run.state === 'previewed') return { view: 'preview', preview: run.preview, runId: keepable(run.preview) ? runId : null }
    const state = runStateOf(run)
    // Once it is done, the cases it made: every one, whatever source its row named.
    const cases = state.state === 'done' && run.kind === 'cases' ? await listRunCases(tx, runId) : null
    return { view: 'status', kind: run.kind, run: state, cases }
  })
}

export type StartResult =
  | { ok: false; reason: 'not_found' }
  /** Rows have problems and the person did not agree to skip them: nothing starts. */
  | { ok: false; reason: 'refused'; preview: PreviewData; runId: string | null; message: string }
  /** `work` is the import started now, to be awaited after the response; null when it had started before. */
  | { ok: true; kind: ImportKind; run: RunState; work: Promise<void> | null }

/**
 * Starts the previewed import, once: the row is claimed under its lock, so a double click starts
 * one import, not two, and a later click just shows where it stands.
 */
export async function startRun(db: Db, user: Uploader, runId: string, options: RunOptions & { actor: Actor }): Promise<StartResult> {
  type Claim = { run: StoredRun; refused?: true; started?: { csv: string | null; org: Org } }
  const claim = await withOrg(db, user.orgId, async (tx): Promise<Claim | null> => {
    const run = await lockImportRun(tx, runId)
    if (!run) return null
    if (run.state !== 'previewed') return { run }
    if (!runnable(run.preview) || (run.preview.counts.errors > 0 && !options.allowPartial)) return { run, refused: true }
    const csv = await markImportStarted(tx, runId, user.id, options.allowPartial)
    const mapping = run.preview.cases?.chosen
    await saveRunOptions(tx, runId, {
      allowPartial: options.allowPartial,
      drafts: options.drafts,
      alerts: options.alerts,
      ...(mapping ? { mapping } : {}),
    })
    // The next file from this team is read the way this one was confirmed.
    if (mapping)
      await rememberMapping(
        tx,
        user.orgId,
        run.preview.cases!.scan.map((c) => c.header),
        mapping,
      )
    return { run, started: { csv, org: (await findOrgById(tx, user.orgId))! } }
  })
  if (!claim) return { ok: false, reason: 'not_found' }
  const { run } = claim
  if (claim.refused) {
    const message =
      run.kind === 'cases'
        ? `${run.preview.counts.errors} rows have problems. Tick "Import the valid rows anyway" to skip them, or fix the file and upload it again. Nothing was imported.`
        : 'Some rows have problems; fix the file and upload it again. Nothing was imported.'
    return { ok: false, reason: 'refused', preview: run.preview, runId: runnable(run.preview) ? runId : null, message }
  }
  let work: Promise<void> | null = null
  if (claim.started) {
    const { csv, org } = claim.started
    if (csv === null) throw new AppError('INVALID_STATE', 'That upload is no longer stored; upload the file again.')
    const progress: RunProgress | null = run.kind === 'cases' ? { stage: 'validate', done: 0, total: run.preview.counts.rows } : null
    live.set(runId, { orgId: user.orgId, kind: run.kind, progress })
    work = performRun(db, org, runId, run.kind, csv, { ...options, mapping: run.preview.cases?.chosen })
  }
  return { ok: true, kind: run.kind, run: runStateOf(run), work }
}

function runStateOf(run: StoredRun): RunState {
  const running = live.get(run.id)
  if (running) return { state: 'running', progress: running.progress }
  switch (run.state) {
    case 'done':
      return { state: 'done', report: run.report as RunReport }
    case 'running':
    case 'previewed': {
      const startedAt = run.startedAt?.getTime() ?? 0
      if (run.state === 'running' && Date.now() - startedAt > ABANDONED_AFTER_MS) {
        return {
          state: 'failed',
          message:
            'This import did not finish (the server stopped while it ran). It is one transaction, so nothing was imported; upload the file again.',
        }
      }
      return { state: 'running', progress: null } // running in another process
    }
    case 'expired':
      return { state: 'expired', message: 'This upload is more than a day old and no longer stored; upload the file again.' }
    default:
      return { state: 'failed', message: run.message ?? 'The import failed.' }
  }
}

/** The import itself, after the response: its report (or failure) is saved on the run's row. */
async function performRun(
  db: Db,
  org: Org,
  runId: string,
  kind: ImportKind,
  csv: string,
  options: RunOptions & { actor: Actor; mapping?: ImportMapping },
) {
  const entry = live.get(runId)!
  const source = textSource(csv)
  let outcome: { state: 'done'; report: RunReport } | { state: 'failed'; message: string }
  let failure: unknown = null
  try {
    const report =
      kind === 'cases' ? await runCaseImport(db, org, runId, source, options, entry) : await runAccountImport(db, org, source, options)
    outcome = { state: 'done', report }
  } catch (error) {
    failure = error
    outcome = {
      state: 'failed',
      message: 'The import failed on our side. It is one transaction, so nothing was imported; try again, or use `desk import`.',
    }
  }
  try {
    await withOrg(db, org.id, (tx) => finishImportRun(tx, runId, outcome))
  } finally {
    live.delete(runId) // only after the row says how it ended, so a poll never sees neither
  }
  if (failure) throw failure // logged by whoever awaits the work
}

async function runCaseImport(
  db: Db,
  org: Org,
  runId: string,
  source: CsvSource,
  options: RunOptions & { actor: Actor; mapping?: ImportMapping },
  entry: { progress: RunProgress | null },
): Promise<RunReport> {
  const r = await importCases(db, org, source, {
    allowPartial: options.allowPartial,
    drafts: options.drafts,
    alerts: options.alerts,
    mapping: options.mapping,
    runId,
    actor: options.actor,
    onProgress: (stage, done, total) => {
      entry.progress = { stage, done, total: total ?? entry.progress?.total ?? done }
    },
  })
  return {
    ok: r.ok,
    created: r.created,
    duplicates: r.duplicates,
    linkedCases: 0,
    errorCount: r.errorCount,
    errors: r.errors.slice(0, 50),
    reason: r.reason,
    drafted: r.drafted,
    alertsSkipped: r.alertsSkipped,
    numbers: r.numbers,
  }
}

async function runAccountImport(db: Db, org: Org, source: CsvSource, options: { actor: Actor }): Promise<RunReport> {
  const r = await importAccounts(db, org, source, { actor: options.actor })
  return {
    ok: r.ok,
    created: r.upserted,
    duplicates: 0,
    linkedCases: r.linkedCases,
    errorCount: r.errors.length,
    errors: r.errors.slice(0, 50),
    reason: r.reason,
  }
}
