import { withOrg, type Db } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import { insertBatch, type BatchContext } from './case-batches.ts'
import { defaultMapping, ImportRefused, validRows, type Reading, type ValidRow } from './case-reading.ts'
import { activeTeam } from './queries.ts'
import type { CsvSource, ImportOptions, ImportReport } from './types.ts'

const BATCH = 500

/**
 * Two passes over the file so 50,000 rows never sit in memory: the first validates every row
 * (so a malformed file is refused whole, with line numbers), the second inserts in batches
 * inside one transaction, so an import lands completely or not at all.
 */
export async function importCases(db: Db, org: Org, source: CsvSource, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = {
    ok: false,
    dryRun: Boolean(options.dryRun),
    rows: 0,
    valid: 0,
    created: 0,
    drafted: 0,
    duplicates: 0,
    errors: [],
    errorCount: 0,
    unknownColumns: [],
    preview: [],
    numbers: null,
    alertsSkipped: 0,
  }
  const reading = await validateFile(db, org, source, options, report)
  if (typeof reading === 'string') return { ...report, reason: reading }
  if (report.errorCount > 0 && !options.allowPartial) {
    return { ...report, reason: `${report.errorCount} row${report.errorCount === 1 ? ' has' : 's have'} problems; nothing was imported` }
  }
  await insertRows(db, org, source, reading, options, report)
  return { ...report, ok: true }
}

/** The first pass: every row checked and counted into report; the reason when the file is refused whole. */
async function validateFile(db: Db, org: Org, source: CsvSource, options: ImportOptions, report: ImportReport): Promise<Reading | string> {
  try {
    const mapping = options.mapping ?? (await defaultMapping(db, org, source))
    if (!mapping) return 'the file is empty (expected a header row and at least one case)'
    const team = await withOrg(db, org.id, (tx) => activeTeam(tx))
    const reading = { mapping, team, timezone: org.timezone }
    for await (const _ of validRows(source, reading, report, options.onProgress)) {
      /* count only */
    }
    return reading
  } catch (error) {
    if (error instanceof ImportRefused || (error as Error).name === 'CsvReadError') return (error as Error).message
    throw error
  }
}

/** The second pass: the valid rows inserted in batches, in one transaction (rolled back on a dry run). */
async function insertRows(db: Db, org: Org, source: CsvSource, reading: Reading, options: ImportOptions, report: ImportReport) {
  const rollback = new Error('dry run')
  try {
    await withOrg(db, org.id, async (tx) => {
      // The metrics rollups of the whole file applied once, at commit (sql/00049), not per batch;
      // each case's search document written once, with its first message (sql/00054: every case
      // a batch creates gets one, src/imports/case-batches.ts).
      await tx`select set_config('desk.metrics_rollups_at_commit', 'on', true), set_config('desk.search_from_messages', 'on', true)`
      const replay = { ...report, rows: 0, valid: 0, errors: [], errorCount: 0, preview: [] } satisfies ImportReport
      const context: BatchContext = {
        org,
        actor: options.actor,
        drafts: options.drafts ?? true,
        alerts: options.alerts ?? false,
        runId: options.runId ?? null,
        reading,
        settings: await loadSlaSettings(tx, org.id),
        seen: new Set(),
      }
      // Each batch is sent while the next one is read and checked (the parse is Node's work,
      // the batch the database's); the one before has always finished first, in file order.
      const write = async (rows: ValidRow[]) => {
        await insertBatch(tx, context, rows, report)
        // Statistics that have seen this import's rows (sql/00049), when it has more than doubled the table.
        await tx`select import_statistics(${report.created})`
        options.onProgress?.('import', report.created + report.duplicates, report.valid)
      }
      let writing: Promise<void> = Promise.resolve()
      let batch: ValidRow[] = []
      for await (const item of validRows(source, reading, replay)) {
        batch.push(item)
        if (batch.length === BATCH) {
          await writing
          writing = write(batch)
          // Awaited above or below; until then a failure must not count as unhandled.
          writing.catch(() => {})
          batch = []
        }
      }
      await writing
      if (batch.length) await write(batch)
      else options.onProgress?.('import', report.created + report.duplicates, report.valid)
      if (options.dryRun) throw rollback
    })
  } catch (error) {
    if (error !== rollback) throw error
  }
}
