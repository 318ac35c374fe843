import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { caseFilterSql, type CaseListFilter, type FilterValue } from '../cases/find.ts'
import type { Tx } from '../db.ts'
import { csvCellSql, csvLine } from './csv-safety.ts'

// Headers chosen so the file imports back (see csv-columns.ts aliases); extra columns are ignored on import.
export const exportHeaders = [
  'Case',
  'External reference',
  'Subject',
  'Summary',
  'Customer name',
  'Customer email',
  'Source',
  'Severity',
  'Status',
  'Owner',
  'Received',
  'Account',
  'Type',
  'Severity reasons',
  'First response',
  'Resolved',
  'Closed',
] as const

/**
 * A time as JavaScript's toISOString writes it (UTC, milliseconds, both truncate the microseconds).
 * Digits first and no separator: such a cell never needs csvCellSql.
 */
const iso = (column: string) => `coalesce(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`

/** The columns in the headers' order, over `cases c`, its owner `u` and its account `a`. */
const cells = [
  `'ESC-' || c.number`, // caseLabel (src/cases/terms.ts)
  csvCellSql('c.external_ref'),
  csvCellSql('c.subject'),
  csvCellSql('c.summary'),
  csvCellSql('c.customer_name'),
  csvCellSql('c.customer_email'),
  csvCellSql('c.source'),
  csvCellSql('c.severity'),
  csvCellSql('c.status'),
  csvCellSql('u.email'),
  iso('c.opened_at'),
  csvCellSql('coalesce(a.domain, c.customer_account)'),
  csvCellSql('c.case_type'),
  csvCellSql(`array_to_string(c.severity_reasons, '; ')`),
  iso('c.first_response_at'),
  iso('c.resolved_at'),
  iso('c.closed_at'),
]
const lineSql = `${cells.join(` || ',' || `)} || E'\\r\\n'`

/**
 * The escalation log as CSV, written by PostgreSQL: each row's line is built in SQL (csvCellSql,
 * the same bytes as csvLine) and streamed through `copy … to stdout`, so Node handles bytes, not
 * rows: no string or object per cell, and memory stays flat however many cases there are. Each
 * chunk is yielded once the copy's stream has it; a consumer that waits before reading the next
 * one stops the socket (postgres.js pauses it), so a slow client holds back PostgreSQL, not memory.
 * A UTF-8 BOM and CRLF make Excel open it right; formula-like cells are neutralised.
 * `filter`: the list's (src/cases/find.ts), for the cases page's download. A COPY takes no
 * parameters, so its values go in as transaction-local settings, read back by current_setting.
 */
export async function* exportCases(db: Tx, filter: CaseListFilter | null = null): AsyncGenerator<Buffer> {
  const settings: string[] = []
  const setting: FilterValue = (value, type) => {
    settings.push(value instanceof Date ? value.toISOString() : value)
    return db.unsafe(`current_setting('desk.export_${settings.length}')::${type}`)
  }
  const where = filter ? caseFilterSql(db, filter, setting) : db`true`
  if (settings.length > 0) {
    await db`select set_config('desk.export_' || n, v, true) from unnest(${settings}::text[]) with ordinality as s(v, n)`
  }
  // The copy may use the server's parallel workers (withOrg plans without them, src/db.ts): the
  // lines of 100,000 cases in 0.83 s instead of 1.31 (sql/00055).
  await db`set local max_parallel_workers_per_gather to default`
  yield Buffer.from('\uFEFF' + csvLine([...exportHeaders]))
  const copy: Readable = await db`
    copy (
      select ${db.unsafe(lineSql)}
      from cases c left join app_users u on u.id = c.owner_id left join accounts a on a.id = c.account_id
      where ${where}
      order by c.number
    ) to stdout with (format binary)`.readable()
  try {
    yield* copiedText(copy.iterator({ destroyOnReturn: false }))
  } finally {
    // Stopped early (the client went away): the connection answers the transaction's next
    // statement only after the copy's last row, so the rest is read and dropped.
    if (!copy.readableEnded && !copy.destroyed) {
      copy.resume()
      await finished(copy)
    }
  }
}

/**
 * The text of a binary COPY of one text column, the framing taken out: the 19-byte header
 * (signature, flags, the length of an extension, skipped), before each row its field count (1)
 * and the field's length, and the trailer (a count of -1). Binary, because the text format would
 * escape the line breaks and backslashes in the lines. The text is moved forward within each
 * chunk, so what is yielded is the chunk itself, shortened: no copy, nothing kept between chunks.
 */
async function* copiedText(copy: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let skip = 15 // the signature and the flags
  let text = 0 // bytes of the current row's text still to come
  let field: 'extension' | 'count' | 'length' | 'trailer' = 'extension'
  let left = 4 // bytes of the current framing field still to come
  let value = 0
  for await (const chunk of copy) {
    let out = 0
    for (let at = 0; at < chunk.length && field !== 'trailer';) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at)
        skip -= n
        at += n
      } else if (text > 0) {
        const n = Math.min(text, chunk.length - at)
        chunk.copyWithin(out, at, at + n)
        out += n
        at += n
        text -= n
      } else {
        value = value * 256 + chunk[at++]!
        if (--left > 0) continue
        if (field === 'extension') [skip, field, left] = [value, 'count', 2]
        else if (field === 'count' && value === 0xffff) field = 'trailer'
        else if (field === 'count' && value === 1) [field, left] = ['length', 4]
        else if (field === 'length' && value !== 0xffffffff) [text, field, left] = [value, 'count', 2]
        else throw new Error(`unexpected ${field} ${value} in the export's copy`)
        value = 0
      }
    }
    if (out > 0) yield chunk.subarray(0, out)
  }
  if (field !== 'trailer') throw new Error("the export's copy ended early")
}
