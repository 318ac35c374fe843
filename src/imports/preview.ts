import type { Actor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { importAccounts } from './accounts.ts'
import { importCases } from './cases.ts'
import { accountFields, caseColumnProblems, fieldLabels, mapAccountHeaders, recordToFields, type ColumnUse } from './csv-columns.ts'
import { readCsv, type Delimiter } from './csv-reader.ts'
import { parseAccountRow } from './csv-rows.ts'
import { valueKey } from './csv-values.ts'
import {
  guessMapping,
  guessValue,
  isValueField,
  loadRememberedMapping,
  resolveValue,
  valueOptions,
  valueFields,
  type ImportMapping,
  type ScannedColumn,
  type TeamMember,
} from './mapping.ts'
import { activeTeam } from './queries.ts'
import { guessDateOrder, scanFile } from './scan.ts'
import type { CasePreview, CsvSource, ImportKind, PreviewData } from './types.ts'

const fieldWords: Record<string, string> = {
  customerName: 'customer name',
  customerEmail: 'customer email',
  externalRef: 'external reference',
  receivedAt: 'received at',
  annualRevenue: 'annual revenue',
  name: 'account name',
}

/**
 * Whether the previewed file may be run: readable, something to create, and for accounts no bad
 * row (accounts land all at once; cases may skip their bad rows when the person agrees).
 */
export const runnable = (p: PreviewData) => !p.reason && p.counts.create > 0 && (p.kind === 'cases' || p.counts.errors === 0)

/** Worth keeping for a second look: runnable, or a case sheet whose mapping the person can change. */
export const keepable = (p: PreviewData) => runnable(p) || p.cases !== undefined

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

/** A dry run of the whole file (nothing is written) and its first rows as they would be read. */
export async function previewUpload(
  db: Db,
  org: Org,
  kind: ImportKind,
  source: CsvSource,
  fileName: string,
  actor: Actor,
  mapping?: ImportMapping,
): Promise<PreviewData> {
  return kind === 'cases' ? previewCases(db, org, source, fileName, actor, mapping) : previewAccounts(db, org, source, fileName, actor)
}

const useWord = (use: ColumnUse) => (use === 'keep' ? 'kept as a case field' : use === 'ignore' ? null : fieldLabels[use])

/** The file's columns and what they are read as: the person's choices, else the org's remembered ones and the names. */
async function caseSheetReading(db: Db, org: Org, source: CsvSource, given?: ImportMapping) {
  const scan = await scanFile(source).catch((error: Error) => {
    if (error.name === 'CsvReadError') return null // the dry run reports it with its line
    throw error
  })
  const { team, remembered } = await withOrg(db, org.id, async (tx) => ({
    team: await activeTeam(tx),
    remembered: await loadRememberedMapping(tx, org.id),
  }))
  let chosen: ImportMapping | undefined = given
  if (scan && !chosen) {
    const guess = guessMapping(scan.headers, remembered, null)
    chosen = { ...guess, dateOrder: guessDateOrder(scan, guess.columns.indexOf('receivedAt')) ?? guess.dateOrder }
  }
  return { scan, team, chosen }
}

async function previewCases(
  db: Db,
  org: Org,
  source: CsvSource,
  fileName: string,
  actor: Actor,
  given?: ImportMapping,
): Promise<PreviewData> {
  const { scan, team, chosen } = await caseSheetReading(db, org, source, given)
  // allowPartial in the dry run so the counts show what the valid rows would do; the run itself
  // refuses a file with bad rows unless the person ticks "import the valid rows anyway".
  const report = await importCases(db, org, source, {
    dryRun: true,
    allowPartial: true,
    actor,
    mapping: chosen,
    drafts: true,
    alerts: false,
  })
  const ownerName = (cell: string | null) => {
    if (!cell || !chosen) return ''
    const id = resolveValue(chosen, 'owner', cell, team)
    const member = team.find((m) => m.id === id)
    return member ? member.name || member.email : `nobody (“${cell}” is not a team member)`
  }
  return {
    kind: 'cases',
    fileName,
    mapping:
      scan && chosen
        ? scan.headers.map((header, i) => ({ header, field: useWord(chosen!.columns[i]!) })).filter((m) => m.header.trim() !== '')
        : [],
    columns: ['Customer', 'Email', 'Subject', 'Source', 'Severity', 'Owner', 'Reference', 'Received', 'Kept fields'],
    rows: report.preview.map(({ line, row, kept }) => ({
      line,
      values: [
        row.customerName ?? '',
        row.customerEmail ?? '',
        row.subject,
        row.source,
        row.severity ?? 'SEV-3 (default)',
        ownerName(row.owner),
        row.externalRef ?? '',
        row.receivedAt?.toISOString() ?? '',
        kept.map((k) => `${k.name}: ${k.value}`).join(' · '),
      ],
    })),
    errors: report.errors,
    counts: { rows: report.rows, create: report.created, present: report.duplicates, errors: report.errorCount },
    reason: report.ok ? undefined : report.reason,
    cases: scan && chosen ? casePreview(scan.delimiter, scan.columns, chosen, team, report) : undefined,
  }
}

function casePreview(
  delimiter: Delimiter,
  scan: ScannedColumn[],
  chosen: ImportMapping,
  team: TeamMember[],
  report: { drafted: number; alertsSkipped: number },
): CasePreview {
  const values: CasePreview['values'] = []
  chosen.columns.forEach((use, column) => {
    if (!isValueField(use)) return
    const entries = scan[column]!.distinct.map(({ value, count }) => {
      const picked = chosen.values[use]?.[valueKey(value)]
      return { value, count, mapped: picked ?? guessValue(use, value, team), chosen: picked !== undefined }
    })
    values.push({ column, field: use, entries, more: scan[column]!.distinctMore })
  })
  const dateColumn = chosen.columns.indexOf('receivedAt')
  const dateScan = dateColumn >= 0 ? scan[dateColumn]! : null
  return {
    delimiter,
    scan,
    chosen,
    values,
    problems: caseColumnProblems(
      scan.map((c) => c.header),
      chosen.columns,
    ),
    options: Object.fromEntries(valueFields.map((f) => [f, valueOptions(f, team)])) as CasePreview['options'],
    dates: { column: dateColumn >= 0 ? dateColumn : null, dayFirst: dateScan?.dayFirst ?? 0, monthFirst: dateScan?.monthFirst ?? 0 },
    wouldDraft: report.drafted,
    openSev1: report.alertsSkipped,
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
        if (first) {
          first = false
          continue
        }
        const parsed = parseAccountRow(recordToFields(record, mapped.columns, accountFields), line)
        if (parsed.ok) {
          const r = parsed.row
          rows.push({ line, values: [r.domain, r.name ?? '', r.plan ?? '', r.annualRevenue?.toString() ?? '', r.health ?? ''] })
        }
        if (rows.length === 10) break
      }
    } catch {
      /* reported by the dry run */
    }
  }
  const errors = report.errors.length
  return {
    kind: 'accounts',
    fileName,
    mapping: mappingOf(header, mapped?.ok ? mapped.columns : null),
    columns: ['Domain', 'Name', 'Plan', 'Annual revenue', 'Health'],
    rows,
    errors: report.errors.slice(0, 200),
    counts: { rows: report.rows, create: report.rows - errors, present: 0, errors },
    // Bad rows are listed above; `reason` is for a file refused whole (headers, broken CSV).
    reason: report.ok || errors ? undefined : report.reason,
  }
}
