import type { Actor } from '../audit/audit.ts'
import type { Db } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { importAccounts } from './accounts.ts'
import { importCases, type CsvSource, type RowError } from './cases.ts'
import { accountFields, mapAccountHeaders, mapHeaders, recordToFields } from './csv-columns.ts'
import { readCsv } from './csv-reader.ts'
import { parseAccountRow } from './csv-rows.ts'
import type { ImportKind } from './queries.ts'

/** What a dry run found, stored with the upload so the page can be shown again without the file. */
export type PreviewData = {
  kind: ImportKind
  fileName: string
  mapping: { header: string; field: string | null }[]
  columns: string[]
  rows: { line: number; values: string[] }[]
  errors: RowError[]
  counts: { rows: number; create: number; present: number; errors: number }
  reason?: string
}

const fieldWords: Record<string, string> = {
  customerName: 'customer name', customerEmail: 'customer email', externalRef: 'external reference',
  receivedAt: 'received at', annualRevenue: 'annual revenue', name: 'account name',
}

/**
 * Whether the previewed file may be run: readable, something to create, and for accounts no bad
 * row (accounts land all at once; cases may skip their bad rows when the person agrees).
 */
export const runnable = (p: PreviewData) => !p.reason && p.counts.create > 0 && (p.kind === 'cases' || p.counts.errors === 0)

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
export async function previewUpload(db: Db, org: Org, kind: ImportKind, source: CsvSource, fileName: string, actor: Actor): Promise<PreviewData> {
  return kind === 'cases' ? previewCases(db, org, source, fileName, actor) : previewAccounts(db, org, source, fileName, actor)
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
