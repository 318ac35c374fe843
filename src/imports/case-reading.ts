import { withOrg, type Db } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { caseColumnProblems, mapCaseRecord } from './csv-columns.ts'
import { readCsv } from './csv-reader.ts'
import { caseRowSchemaFor, parseCaseRowWith, type CaseRow } from './csv-rows.ts'
import { restoreCell } from './csv-safety.ts'
import { valueKey } from './csv-values.ts'
import { guessMapping, loadRememberedMapping, type ImportMapping, type TeamMember } from './mapping.ts'
import { guessDateOrder, maxColumns, scanFile } from './scan.ts'
import type { CsvSource, ImportOptions, ImportReport, KeptField } from './types.ts'

// Reading a case sheet: each row checked against the mapping, the valid ones yielded one by one
// (the import reads the file twice rather than hold it), the bad ones counted with their lines.

const MAX_ERRORS = 200
const MAX_KEPT_FIELDS = 50
const MAX_KEPT_CHARS = 2000

export class ImportRefused extends Error {}

export type Reading = { mapping: ImportMapping; team: TeamMember[]; timezone: string }

export type ValidRow = { line: number; row: CaseRow; kept: KeptField[] }

function keptFields(kept: KeptField[]): KeptField[] {
  return kept.slice(0, MAX_KEPT_FIELDS).flatMap(({ name, value }) => {
    const clean = restoreCell(value).trim()
    return clean
      ? [{ name: name.slice(0, 200), value: clean.length > MAX_KEPT_CHARS ? `${clean.slice(0, MAX_KEPT_CHARS - 1)}…` : clean }]
      : []
  })
}

export async function* validRows(
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
export async function defaultMapping(db: Db, org: Org, source: CsvSource): Promise<ImportMapping | null> {
  const scan = await scanFile(source)
  if (!scan) return null
  const remembered = await withOrg(db, org.id, (tx) => loadRememberedMapping(tx, org.id))
  const guess = guessMapping(scan.headers, remembered, null)
  const dateOrder = guessDateOrder(scan, guess.columns.indexOf('receivedAt'))
  return dateOrder ? { ...guess, dateOrder } : guess
}
