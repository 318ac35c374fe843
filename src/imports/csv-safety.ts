// Formula injection (OWASP "CSV Injection"; ASVS 5.0 1.2.10): spreadsheets run a cell that
// starts with = + - @ (and treat a leading tab, CR or NUL the same way), so an exported
// customer subject like `=HYPERLINK("http://evil", "Open")` would execute on an approver's
// machine. Such cells get a leading apostrophe, Excel's "this is text" marker.
//
// The file is comma-separated, but a spreadsheet may split it on ; (Excel in semicolon
// locales: DE, FR, ES, IT, NL…) or on tab (a user's choice on import). Read that way, a new cell
// starts after each ; or tab inside our cells, and after each line break (such a reader is out
// of step with our quotes, so a quoted line break ends its record); a quote there only opens a
// quoted cell. `Totals;=1+1` would become a cell `=1+1`. So a trigger after any of those gets the
// apostrophe too: `Totals;'=1+1`. Commas need nothing: whoever splits on commas reads our
// quotes as we wrote them.
//
// Decisions:
// - A cell that is entirely a plain number ("-12.5", "+3", "1e6") is left alone: a numeric
//   literal cannot call anything, and revenue or score columns should stay numbers.
// - Apostrophes already in front of a trigger are escaped too (`'=x` becomes `''=x`, `a;'=x`
//   becomes `a;''=x`), which makes the mapping reversible: restoreCell(neutraliseCell(s)) === s
//   for every string. Imports apply restoreCell, so an exported sheet re-imports unchanged.

const formulaStart = /^'*[=+\-@\t\r\0]/
const neutralised = /^'+[=+\-@\t\r\0]/
const formulaAfterSeparator = /([;\t\r\n]"*)('*[=+\-@])/g
const neutralisedAfterSeparator = /([;\t\r\n]"*)'('*[=+\-@])/g
const plainNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i

export function neutraliseCell(value: string): string {
  if (plainNumber.test(value)) return value
  // Inside first: it never touches the cell's first character, which decides the outer marker.
  const inside = value.replace(formulaAfterSeparator, "$1'$2")
  return formulaStart.test(inside) ? `'${inside}` : inside
}

export function restoreCell(value: string): string {
  const inside = neutralised.test(value) ? value.slice(1) : value
  return inside.replace(neutralisedAfterSeparator, '$1$2')
}

export type CsvValue = string | number | null | undefined | Date

// A cell that neither starts with a trigger (or an apostrophe) nor holds a separator, a line
// break or a quote is written as it is: one test instead of four for most cells of an export.
const needsCare = /^['=+\-@\0]|[\t\r\n;",]/

function formatCell(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString()
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (!needsCare.test(value)) return value
  const text = neutraliseCell(value)
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One RFC 4180 record with its CRLF, every string cell neutralised. */
export function csvLine(values: readonly CsvValue[]): string {
  const cells = values.map(formatCell)
  // A lone empty cell would be an empty line, which readers skip: quote it so the row survives.
  if (cells.length === 1 && cells[0] === '') return '""\r\n'
  return `${cells.join(',')}\r\n`
}

/**
 * formatCell of a text expression, written in SQL, for an export that PostgreSQL writes itself
 * (src/imports/export.ts): the same bytes for every string, and '' for null. `value` is SQL
 * written in the code (a column, a coalesce), never input: it is pasted in as it is. Read it
 * against the functions above (test/imports/export-copy.test.ts holds the two to each other):
 * - needsCare first: most cells are returned as they are after that one test.
 * - neutraliseCell only inserts apostrophes, and never before the first character that is not
 *   one, so whether the text needs quotes, and whether it starts with a trigger, can be read on
 *   the cell before neutralising; and it changes nothing unless the cell starts with a trigger
 *   or holds one after a separator.
 * - A plain number is left alone (it holds no separator, so only a leading sign could trigger).
 * - `\d` is written [0-9] (in PostgreSQL it may match other digits); NUL cannot be in a text value.
 */
export function csvCellSql(value: string): string {
  const neutralised = String.raw`case when ${value} ~ '^''*[=+@\t\r-]|[;\t\r\n]"*''*[=+@-]'
      and ${value} !~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$'
    then case when ${value} ~ '^''*[=+@\t\r-]' then '''' else '' end || regexp_replace(${value}, '([;\t\r\n]"*)(''*[=+@-])', '\1''\2', 'g')
    else ${value} end`
  return String.raw`coalesce(case when ${value} !~ '^[''=+@-]|[\t\r\n;",]' then ${value}
    when ${value} ~ '[\t\r\n;",]' then '"' || replace(${neutralised}, '"', '""') || '"'
    else ${neutralised} end, '')`
}
