import { createHash } from 'node:crypto'
import type { Actor } from '../audit/audit.ts'
import { createCases, type NewCase } from '../cases/create.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { skipNewSev1Alerts } from '../digest/alerts.ts'
import type { Org } from '../orgs/queries.ts'
import { loadSlaSettings, type SlaSettings } from '../sla/settings.ts'
import { caseColumnProblems, mapCaseRecord } from './csv-columns.ts'
import { readCsv } from './csv-reader.ts'
import { caseRowSchemaFor, parseCaseRowWith, type CaseRow } from './csv-rows.ts'
import { restoreCell } from './csv-safety.ts'
import { valueKey } from './csv-values.ts'
import { guessMapping, loadRememberedMapping, resolveValue, type ImportMapping, type TeamMember } from './mapping.ts'
import { activeTeam, findImportedCases, insertImportedMessages } from './queries.ts'
import { guessDateOrder, maxColumns, scanFile } from './scan.ts'

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
  /** Headers of the columns kept as case fields. */
  unknownColumns: string[]
  preview: { line: number; row: CaseRow; kept: KeptField[] }[]
  /** The numbers the created cases got (consecutive within a batch), first and last. */
  numbers: { first: number; last: number } | null
  /** SEV-1 rows whose alert was not sent because the import had alerts off. */
  alertsSkipped: number
  reason?: string
}

export type KeptField = { name: string; value: string }

export type ImportOptions = {
  dryRun?: boolean
  /** Import the valid rows even when others are malformed (the default refuses the whole file). */
  allowPartial?: boolean
  /** Queue a reply draft for each new open case (default); false marks them "no draft: imported history". */
  drafts?: boolean
  /** Alert about open SEV-1 rows as if they had just arrived (default off: a bulk load is not news). */
  alerts?: boolean
  /** What the columns and their words mean; absent, the org's remembered choices and the names. */
  mapping?: ImportMapping
  /** The portal's upload, so the run's cases can be listed afterwards. */
  runId?: string | null
  actor: Actor
  onProgress?: (stage: 'validate' | 'import', done: number, total: number | null) => void
}

export const noDraftImported = 'no draft: imported history'

const BATCH = 500
const MAX_ERRORS = 200
const MAX_KEPT_FIELDS = 50
const MAX_KEPT_CHARS = 2000

/** Stable fingerprint of a row's content: re-importing the same file finds every row again. */
const importKey = (row: CaseRow) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        row.customerEmail,
        row.customerName,
        row.subject,
        row.summary,
        row.source,
        row.externalRef,
        row.receivedAt?.toISOString() ?? null,
      ]),
    )
    .digest('hex')

class ImportRefused extends Error {}

type Reading = { mapping: ImportMapping; team: TeamMember[]; timezone: string }

type ValidRow = { line: number; row: CaseRow; kept: KeptField[] }

function keptFields(kept: KeptField[]): KeptField[] {
  return kept.slice(0, MAX_KEPT_FIELDS).flatMap(({ name, value }) => {
    const clean = restoreCell(value).trim()
    return clean
      ? [{ name: name.slice(0, 200), value: clean.length > MAX_KEPT_CHARS ? `${clean.slice(0, MAX_KEPT_CHARS - 1)}…` : clean }]
      : []
  })
}

async function* validRows(
  source: CsvSource,
  reading: Reading,
  report: ImportReport,
  progress?: ImportOptions['onProgress'],
): AsyncGenerator<ValidRow> {
  const { mapping } = reading
  const schema = caseRowSchemaFor({
    timezone: reading.timezone,
    dateOrder: mapping.dateOrder,
    chosen: (field, cell) => mapping.values[field]?.[valueKey(cell)],
  })
  let headers: string[] | null = null
  for await (const { line, record } of readCsv(source())) {
    if (!headers) {
      headers = record
      if (headers.length > maxColumns)
        throw new ImportRefused(`the file has ${headers.length} columns; at most ${maxColumns} can be imported`)
      const problems = caseColumnProblems(headers, mapping.columns)
      if (problems.length) throw new ImportRefused(problems.join('; '))
      report.unknownColumns = headers.filter((h, i) => mapping.columns[i] === 'keep' && h.trim() !== '')
      continue
    }
    report.rows++
    const mapped = mapCaseRecord(record, headers, mapping.columns)
    const parsed = parseCaseRowWith(schema, mapped.fields, line)
    if (!parsed.ok) {
      report.errorCount++
      if (report.errors.length < MAX_ERRORS) report.errors.push({ line: parsed.line, errors: parsed.errors })
    } else {
      report.valid++
      const item = { line, row: parsed.row, kept: keptFields(mapped.kept) }
      if (report.preview.length < 10) report.preview.push(item)
      yield item
    }
    if (report.rows % 5000 === 0) progress?.('validate', report.rows, null)
  }
  if (!headers) throw new ImportRefused('the file is empty (expected a header row and at least one case)')
}

/** Without a person's choices: what the org chose before, what the names mean, the file's date order. */
async function defaultMapping(db: Db, org: Org, source: CsvSource): Promise<ImportMapping | null> {
  const scan = await scanFile(source)
  if (!scan) return null
  const remembered = await withOrg(db, org.id, (tx) => loadRememberedMapping(tx, org.id))
  const guess = guessMapping(scan.headers, remembered, null)
  const dateOrder = guessDateOrder(scan, guess.columns.indexOf('receivedAt'))
  return dateOrder ? { ...guess, dateOrder } : guess
}

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
  let reading: Reading
  try {
    const mapping = options.mapping ?? (await defaultMapping(db, org, source))
    if (!mapping) return { ...report, reason: 'the file is empty (expected a header row and at least one case)' }
    const team = await withOrg(db, org.id, (tx) => activeTeam(tx))
    reading = { mapping, team, timezone: org.timezone }
    for await (const _ of validRows(source, reading, report, options.onProgress)) {
      /* count only */
    }
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
        org,
        actor: options.actor,
        drafts: options.drafts ?? true,
        alerts: options.alerts ?? false,
        runId: options.runId ?? null,
        reading,
        settings: await loadSlaSettings(tx, org.id),
        seen: new Set(),
      }
      let batch: ValidRow[] = []
      for await (const item of validRows(source, reading, replay)) {
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
  alerts: boolean
  runId: string | null
  reading: Reading
  settings: SlaSettings
  /** Keys and references of the rows already taken in this file. */
  seen: Set<string>
}

/** A row already in the desk (the same row imported before, or its external reference), or earlier in this file. */
async function freshRows(tx: Tx, context: BatchContext, batch: ValidRow[]) {
  const keyed = batch.map((item) => ({ ...item, key: importKey(item.row) }))
  const refs = keyed.flatMap((k) => (k.row.externalRef ? [k.row.externalRef] : []))
  const existing = await findImportedCases(
    tx,
    keyed.map((k) => k.key),
    refs,
  )
  const taken = new Set(existing.flatMap((e) => [e.importKey, e.externalRef]).filter(Boolean))
  const { seen } = context
  return keyed.filter((k) => {
    const dup =
      taken.has(k.key) ||
      (k.row.externalRef !== null && (taken.has(k.row.externalRef) || seen.has(`ref:${k.row.externalRef}`))) ||
      seen.has(k.key)
    seen.add(k.key)
    if (k.row.externalRef) seen.add(`ref:${k.row.externalRef}`)
    return !dup
  })
}

function newCaseOf(context: BatchContext, item: ValidRow & { key: string }): NewCase {
  const { row } = item
  const { mapping, team } = context.reading
  const ownerId = row.owner ? resolveValue(mapping, 'owner', row.owner, team) || null : null
  return {
    source: row.source,
    customerEmail: row.customerEmail,
    customerName: row.customerName,
    customerAccount: row.account,
    subject: row.subject,
    summary: row.summary,
    severity: row.severity ?? 'SEV-3',
    severityReasons: [row.severity ? 'set in the imported spreadsheet' : 'not given in the spreadsheet; default SEV-3'],
    externalRef: row.externalRef,
    ownerId,
    // A tracker's "Open" is new to us; with an owner named, it has been triaged.
    status: row.status === 'new' && ownerId ? 'triaged' : (row.status ?? undefined),
    openedAt: row.receivedAt ?? new Date(),
    importKey: item.key,
    importRunId: context.runId,
    importFields: item.kept,
    audit: {
      actor: context.actor,
      details: {
        via: 'csv',
        line: item.line,
        ...(context.runId ? { importRun: context.runId } : {}),
        ...(context.drafts ? {} : { draft: noDraftImported }),
      },
    },
    noDraft: context.drafts ? undefined : noDraftImported,
  }
}

async function insertBatch(tx: Tx, context: BatchContext, batch: ValidRow[], report: ImportReport) {
  const fresh = await freshRows(tx, context, batch)
  report.duplicates += batch.length - fresh.length
  if (!fresh.length) return
  const created = await createCases(
    tx,
    context.org.id,
    fresh.map((item) => newCaseOf(context, item)),
    { settings: context.settings },
  )
  // The row's text is what the customer wrote: the thread starts with it, and the draft answers it.
  await insertImportedMessages(
    tx,
    context.org.id,
    created.map((c, i) => {
      const { row } = fresh[i]!
      return {
        caseId: c.id,
        fromEmail: row.customerEmail,
        fromName: row.customerName,
        subject: row.subject,
        text: row.summary || row.subject,
        at: row.receivedAt ?? new Date(),
      }
    }),
  )
  if (!context.alerts) {
    report.alertsSkipped += await skipNewSev1Alerts(
      tx,
      context.org.id,
      created.map((c) => c.id),
      'imported from a spreadsheet with alerts off',
    )
  }
  report.created += created.length
  report.drafted += created.filter((c) => c.draft.queued).length
  const numbers = created.map((c) => c.number)
  report.numbers = { first: Math.min(report.numbers?.first ?? Infinity, ...numbers), last: Math.max(report.numbers?.last ?? 0, ...numbers) }
}
