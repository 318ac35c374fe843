import { createHash } from 'node:crypto'
import type { Actor } from '../audit/audit.ts'
import { createCases, type NewCase } from '../cases/create.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { loadSlaSettings, type SlaSettings } from '../sla/settings.ts'
import { caseFields, mapHeaders, recordToFields } from './csv-columns.ts'
import { readCsv } from './csv-reader.ts'
import { parseCaseRow, type CaseRow } from './csv-rows.ts'
import { activeUserIdsByEmail, findImportedCases } from './queries.ts'

export type CsvSource = () => AsyncIterable<Buffer | Uint8Array | string>
export type RowError = { line: number; errors: string[] }

export type ImportReport = {
  ok: boolean
  dryRun: boolean
  rows: number
  valid: number
  created: number
  /** Of the created cases, how many got a reply draft queued. */
  drafted: number
  duplicates: number
  errors: RowError[] // the first 200; errorCount has them all
  errorCount: number
  unknownColumns: string[]
  preview: { line: number; row: CaseRow }[]
  reason?: string
}

export type ImportOptions = {
  dryRun?: boolean
  /** Import the valid rows even when others are malformed (the default refuses the whole file). */
  allowPartial?: boolean
  /** Queue a reply draft for each new case (default), as for mail; false imports them without. */
  drafts?: boolean
  actor: Actor
  onProgress?: (stage: 'validate' | 'import', done: number, total: number | null) => void
}

const BATCH = 500
const MAX_ERRORS = 200

/** Stable fingerprint of a row's content: re-importing the same file finds every row again. */
const importKey = (row: CaseRow) =>
  createHash('sha256')
    .update(JSON.stringify([row.customerEmail, row.customerName, row.subject, row.summary, row.source, row.externalRef, row.receivedAt?.toISOString() ?? null]))
    .digest('hex')

async function* validRows(source: CsvSource, timezone: string, report: ImportReport, progress?: ImportOptions['onProgress']) {
  let columns: ReturnType<typeof mapHeaders> | null = null
  for await (const { line, record } of readCsv(source())) {
    if (!columns) {
      columns = mapHeaders(record)
      if (!columns.ok) throw new ImportRefused(columns.reason)
      report.unknownColumns = columns.unknown
      continue
    }
    if (!columns.ok) continue
    report.rows++
    const parsed = parseCaseRow(recordToFields(record, columns.columns, caseFields), line, { timezone })
    if (!parsed.ok) {
      report.errorCount++
      if (report.errors.length < MAX_ERRORS) report.errors.push({ line: parsed.line, errors: parsed.errors })
    } else {
      report.valid++
      if (report.preview.length < 10) report.preview.push({ line, row: parsed.row })
      yield { line, row: parsed.row }
    }
    if (report.rows % 5000 === 0) progress?.('validate', report.rows, null)
  }
  if (!columns) throw new ImportRefused('the file is empty (expected a header row and at least one case)')
}

class ImportRefused extends Error {}

/**
 * Two passes over the file so 50,000 rows never sit in memory: the first validates every row
 * (so a malformed file is refused whole, with line numbers), the second inserts in batches
 * inside one transaction, so an import lands completely or not at all.
 */
export async function importCases(db: Db, org: Org, source: CsvSource, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = {
    ok: false, dryRun: Boolean(options.dryRun), rows: 0, valid: 0, created: 0, drafted: 0, duplicates: 0,
    errors: [], errorCount: 0, unknownColumns: [], preview: [],
  }
  try {
    for await (const _ of validRows(source, org.timezone, report, options.onProgress)) { /* count only */ }
  } catch (error) {
    if (error instanceof ImportRefused || (error as Error).name === 'CsvReadError') {
      return { ...report, reason: (error as Error).message }
    }
    throw error
  }
  if (report.errorCount > 0 && !options.allowPartial) {
    return { ...report, reason: `${report.errorCount} row${report.errorCount === 1 ? ' has' : 's have'} problems; nothing was imported` }
  }

  const rollback = new Error('dry run')
  try {
    await withOrg(db, org.id, async (tx) => {
      const replay = { ...report, rows: 0, valid: 0, errors: [], errorCount: 0, preview: [] } satisfies ImportReport
      const context: BatchContext = {
        org, actor: options.actor, drafts: options.drafts ?? true,
        settings: await loadSlaSettings(tx, org.id), owners: await activeUserIdsByEmail(tx), seen: new Set(),
      }
      let batch: { line: number; row: CaseRow }[] = []
      for await (const item of validRows(source, org.timezone, replay)) {
        batch.push(item)
        if (batch.length === BATCH) {
          await insertBatch(tx, context, batch, report)
          options.onProgress?.('import', report.created + report.duplicates, report.valid)
          batch = []
        }
      }
      if (batch.length) await insertBatch(tx, context, batch, report)
      options.onProgress?.('import', report.created + report.duplicates, report.valid)
      if (options.dryRun) throw rollback
    })
  } catch (error) {
    if (error !== rollback) throw error
  }
  return { ...report, ok: true }
}

type BatchContext = {
  org: Org
  actor: Actor
  drafts: boolean
  settings: SlaSettings
  /** Active users by address: a row's owner column names one of them, or nobody. */
  owners: Map<string, string>
  /** Keys and references of the rows already taken in this file. */
  seen: Set<string>
}

/** A row already in the desk (the same row imported before, or its external reference), or earlier in this file. */
async function freshRows(tx: Tx, context: BatchContext, batch: { line: number; row: CaseRow }[]) {
  const keyed = batch.map((item) => ({ ...item, key: importKey(item.row) }))
  const refs = keyed.flatMap((k) => (k.row.externalRef ? [k.row.externalRef] : []))
  const existing = await findImportedCases(tx, keyed.map((k) => k.key), refs)
  const taken = new Set(existing.flatMap((e) => [e.importKey, e.externalRef]).filter(Boolean))
  const { seen } = context
  return keyed.filter((k) => {
    const dup = taken.has(k.key) || (k.row.externalRef !== null && (taken.has(k.row.externalRef) || seen.has(`ref:${k.row.externalRef}`))) || seen.has(k.key)
    seen.add(k.key)
    if (k.row.externalRef) seen.add(`ref:${k.row.externalRef}`)
    return !dup
  })
}

function newCaseOf(context: BatchContext, item: { line: number; row: CaseRow; key: string }): NewCase {
  const { row } = item
  return {
    source: row.source,
    customerEmail: row.customerEmail,
    customerName: row.customerName,
    customerAccount: row.account,
    subject: row.subject,
    summary: row.summary,
    severity: row.severity ?? 'SEV-3',
    severityReasons: [row.severity ? 'set in the imported CSV' : 'not given in the CSV; default SEV-3'],
    externalRef: row.externalRef,
    ownerId: row.owner ? (context.owners.get(row.owner.toLowerCase()) ?? null) : null,
    status: row.status ?? undefined,
    openedAt: row.receivedAt ?? new Date(),
    importKey: item.key,
    audit: { actor: context.actor, details: { via: 'csv', line: item.line } },
    noDraft: context.drafts ? undefined : 'the import was run without drafts',
  }
}

async function insertBatch(tx: Tx, context: BatchContext, batch: { line: number; row: CaseRow }[], report: ImportReport) {
  const fresh = await freshRows(tx, context, batch)
  report.duplicates += batch.length - fresh.length
  if (!fresh.length) return
  const created = await createCases(tx, context.org.id, fresh.map((item) => newCaseOf(context, item)), { settings: context.settings })
  report.created += created.length
  report.drafted += created.filter((c) => c.draft.queued).length
}
