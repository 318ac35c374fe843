// Reading a spreadsheet export: a streaming CSV reader that reports the line each record starts
// on. What the columns mean is csv-columns.ts; what a row must hold, csv-rows.ts.
import { parse, type CsvError } from 'csv-parse'

export type CsvRecord = { line: number; record: string[] }

/**
 * A file that is not well-formed CSV. Thrown rather than yielded: after a stray quote the
 * parser cannot tell where the next record starts, so nothing after it can be trusted, and a
 * wrong field count usually means a wrong delimiter for the whole file. Records before the
 * problem have already been yielded; `line` is where the offending record starts.
 */
export class CsvReadError extends Error {
  override readonly name = 'CsvReadError'
  constructor(
    readonly code: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`)
  }
}

const lineBreaks = /\r\n|\r|\n/g
const leadingBreaks = /^(?:\r\n|\r|\n)*/

function countBreaks(text: string): number {
  return text.match(lineBreaks)?.length ?? 0
}

function describe(error: CsvError): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const counts = /expect (\d+), got (\d+)/.exec(error.message)
      return counts
        ? `expected ${counts[1]} fields like the header, found ${counts[2]} (an unquoted comma?)`
        : 'the number of fields differs from the header'
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed'
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows a closing quote (a quote inside a quoted field must be doubled: "")'
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and double the quote)'
    case 'CSV_MAX_RECORD_SIZE':
      return 'a record is too large (wrong delimiter or a quote that is never closed?)'
    default:
      return error.message
  }
}

/**
 * Streams records with the source line each starts on (1-based, header included), counting
 * CRLF, LF and CR alike, as an editor shows them. A quoted cell spanning lines pushes the next
 * record's line down accordingly; blank lines are skipped but counted. csv-parse's own
 * `info.lines` is not used: it counts CRLF inside quoted cells twice.
 *
 * Memory stays at one input chunk of records: each chunk is parsed, its records yielded, and
 * only then is the next chunk read. Input must be UTF-8 (a BOM is dropped); anything else is a
 * CsvReadError rather than silently mangled names. Line endings are detected from the first
 * record; a file mixing CRLF and LF between records fails with a field-count error.
 */
export async function* readCsv(
  input: AsyncIterable<Buffer | Uint8Array | string> | NodeJS.ReadableStream,
  options: { delimiter?: Delimiter } = {},
): AsyncGenerator<CsvRecord> {
  const reader = lineCountingParser(options)
  try {
    let first = true
    for await (const chunk of input as AsyncIterable<Buffer | Uint8Array | string>) {
      let text = reader.decode(chunk, false)
      if (first && text.length > 0) {
        // TextDecoder drops a BOM from bytes; a string source may still carry one.
        text = text.replace(/^\uFEFF/, '')
        first = false
      }
      const error = await reader.write(text)
      yield* reader.ready.splice(0)
      if (error) throw reader.toReadError(error)
    }
    const error = (await reader.write(reader.decode(new Uint8Array(0), true))) ?? (await reader.end())
    yield* reader.ready.splice(0)
    if (error) throw reader.toReadError(error)
  } finally {
    reader.destroy()
  }
}

/** readCsv's parser: records collected in ready with their line, errors turned into CsvReadError. */
function lineCountingParser(options: { delimiter?: Delimiter }) {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const ready: CsvRecord[] = []
  let linesBefore = 0
  let parser: ReturnType<typeof parse> | null = null
  const makeParser = (delimiter: Delimiter) =>
    parse({
      delimiter,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: false,
      // raw holds the record's text (blank lines before it included), enough to count lines.
      // (With raw: true csv-parse hands on_record { record, raw }, which its types do not model.)
      on_record: (value: unknown) => {
        const { record, raw } = value as { record: string[]; raw: string }
        const line = linesBefore + countBreaks(leadingBreaks.exec(raw)![0]) + 1
        linesBefore += countBreaks(raw)
        ready.push({ line, record })
        return null
      },
    })

  const toReadError = (error: unknown): CsvReadError => {
    const csvError = error as CsvError & { raw?: string }
    if (typeof csvError?.code !== 'string') throw error
    const blankLines = countBreaks(leadingBreaks.exec(csvError.raw ?? '')![0])
    return new CsvReadError(csvError.code, linesBefore + blankLines + 1, describe(csvError))
  }
  const decode = (chunk: Buffer | Uint8Array | string, final: boolean): string => {
    try {
      return typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: !final })
    } catch {
      throw new CsvReadError('NOT_UTF8', linesBefore + 1, 'the file is not UTF-8 text (save it as "CSV UTF-8")')
    }
  }
  // The separator is read off the first text (Excel in semicolon locales writes `;`), unless given.
  const parserFor = (text: string) => {
    if (!parser) {
      parser = makeParser(options.delimiter ?? detectDelimiter(text))
      // Errors arrive through the write/end callbacks; this listener only keeps the stream's
      // 'error' event from being unhandled.
      parser.on('error', () => {})
    }
    return parser
  }
  const write = (text: string) =>
    new Promise<unknown>((resolve) => {
      if (text === '') resolve(undefined)
      else parserFor(text).write(text, resolve)
    })
  const end = () => new Promise<unknown>((resolve) => parserFor('').end(resolve))
  const destroy = () => (parser as ReturnType<typeof parse> | null)?.destroy()
  return { ready, decode, write, end, toReadError, destroy }
}

export type Delimiter = ',' | ';' | '\t'

/**
 * The separator of a file from its header line: whichever of comma, semicolon and tab occurs
 * most often outside quotes (a header rarely holds any of them). Ties and none: comma.
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 }
  let quoted = false
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const ch = text[i]!
    if (ch === '"') quoted = !quoted
    else if (!quoted && (ch === '\n' || ch === '\r')) break
    else if (!quoted && ch in counts) counts[ch as Delimiter]++
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';'
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t'
  return ','
}
