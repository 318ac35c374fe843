import { detectDelimiter, readCsv, type Delimiter } from './csv-reader.ts'
import { dateOrderEvidence, valueKey, type DateOrder } from './csv-values.ts'
import type { ScannedColumn } from './mapping.ts'
import type { CsvSource } from './types.ts'

// One pass over a file to show the person what its columns hold: a few samples of each, the
// distinct words of each (for the value mapping), and which way round its dates are. Bounded
// per column whatever the file's size.

export const maxColumns = 200
const sampleCount = 3
const sampleChars = 80
const distinctLimit = 40

export type FileScan = { delimiter: Delimiter; headers: string[]; columns: ScannedColumn[] }

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** The first text of the file, for its separator (a string source or the first chunk). */
async function firstText(source: CsvSource): Promise<string> {
  for await (const chunk of source()) {
    const text = typeof chunk === 'string' ? chunk : new TextDecoder('utf-8').decode(chunk.subarray(0, 64 * 1024))
    if (text.length) return text.replace(/^\uFEFF/, '')
  }
  return ''
}

/** Null for an empty file; a CsvReadError propagates (the dry run reports it with its line). */
export async function scanFile(source: CsvSource): Promise<FileScan | null> {
  const delimiter = detectDelimiter(await firstText(source))
  let headers: string[] | null = null
  let columns: ScannedColumn[] = []
  const seen: Map<string, number>[] = []
  for await (const { record } of readCsv(source(), { delimiter })) {
    if (!headers) {
      headers = record.slice(0, maxColumns)
      columns = headers.map((header) => ({ header, samples: [], distinct: [], distinctMore: 0, dayFirst: 0, monthFirst: 0 }))
      headers.forEach(() => seen.push(new Map()))
      continue
    }
    columns.forEach((column, i) => {
      const cell = (record[i] ?? '').trim()
      if (cell === '') return
      if (column.samples.length < sampleCount) column.samples.push(clip(cell.replace(/\s+/g, ' '), sampleChars))
      const key = valueKey(cell)
      const index = seen[i]!.get(key)
      if (index !== undefined) column.distinct[index]!.count++
      else if (column.distinct.length < distinctLimit && cell.length <= 200) {
        seen[i]!.set(key, column.distinct.length)
        column.distinct.push({ value: clip(cell, 200), count: 1 })
      } else column.distinctMore++
      const order = dateOrderEvidence(cell)
      if (order === 'dmy') column.dayFirst++
      if (order === 'mdy') column.monthFirst++
    })
  }
  return headers ? { delimiter, headers, columns } : null
}

/** Day-first only when some date of the column can only be read that way and none the other. */
export function guessDateOrder(scan: FileScan, receivedAtColumn: number): DateOrder | null {
  const column = scan.columns[receivedAtColumn]
  if (!column) return null
  if (column.dayFirst > 0 && column.monthFirst === 0) return 'dmy'
  if (column.monthFirst > 0 && column.dayFirst === 0) return 'mdy'
  return null
}
