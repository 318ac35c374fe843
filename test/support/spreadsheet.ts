// How spreadsheet programs read CSV text, for tests of what an export would run when opened.

/**
 * Cells as a spreadsheet program reads text with the given separator, whatever the file was
 * written for: a quote opens a quoted cell only at the start of a cell, two quotes inside it
 * are one, and text after its closing quote joins the cell; outside quotes CR, LF or CRLF end the
 * record.
 */
export function spreadsheetCells(text: string, separator: string): string[] {
  const cells: string[] = []
  let i = 0
  for (;;) {
    let cell = ''
    if (text[i] === '"') {
      i++
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"'
          i += 2
        } else if (text[i] === '"') {
          i++
          break
        } else {
          cell += text[i++]
        }
      }
    }
    while (i < text.length && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') cell += text[i++]
    cells.push(cell)
    if (i >= text.length) return cells
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1
  }
}

/** A cell a spreadsheet would evaluate: a formula start, also behind a tab or CR; not a number. */
export const wouldRun = (cell: string) => /^[\t\r]*[=+\-@]/.test(cell) && !/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(cell)
