import { describe, expect, it } from 'vitest'
import {
  accountHeaderAliases,
  caseColumnProblems,
  caseFields,
  caseHeaderAliases,
  guessCaseColumns,
  mapAccountHeaders,
  mapCaseRecord,
  mapHeaders,
  normaliseHeader,
  recordToFields,
  type CaseField,
} from '../../src/imports/csv-columns.ts'
import { CsvReadError, readCsv, type CsvRecord } from '../../src/imports/csv-reader.ts'
import { parseAccountRow, parseCaseRow } from '../../src/imports/csv-rows.ts'
import { csvLine, neutraliseCell, restoreCell } from '../../src/imports/csv-safety.ts'
import { textSource } from '../../src/imports/runs.ts'
import { spreadsheetCells, wouldRun } from '../support/spreadsheet.ts'

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function* chunked(text: string | Buffer, size: number) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function readAll(text: string | Buffer, chunkSize = 64 * 1024): Promise<CsvRecord[]> {
  const records: CsvRecord[] = []
  for await (const item of readCsv(chunked(text, chunkSize))) records.push(item)
  return records
}

async function readUntilError(text: string): Promise<{ records: CsvRecord[]; error: CsvReadError }> {
  const records: CsvRecord[] = []
  try {
    for await (const item of readCsv(chunked(text, 7))) records.push(item)
  } catch (error) {
    if (error instanceof CsvReadError) return { records, error }
    throw error
  }
  throw new Error('expected a CsvReadError')
}

const emptyCase = Object.fromEntries(caseFields.map((f) => [f, ''])) as Record<CaseField, string>
const caseRow = (fields: Partial<Record<CaseField, string>>, options?: { timezone?: string }) =>
  parseCaseRow({ ...emptyCase, ...fields }, 2, options)

describe('header mapping', () => {
  it('recognises aliases whatever their case, spacing and punctuation', () => {
    const result = mapHeaders([
      'Customer Name',
      'E-mail',
      'Subject',
      'Description',
      'Priority',
      'BBB ID',
      'Date Received',
      'Favourite colour',
      '',
    ])
    expect(result).toEqual({
      ok: true,
      columns: ['customerName', 'customerEmail', 'subject', 'summary', 'severity', 'externalRef', 'receivedAt', null, null],
      unknown: ['Favourite colour'],
    })
    const camel = mapHeaders(['customerEmail', 'SUMMARY', 'complaint_number', 'received_at', 'Owner'])
    expect(camel.ok && camel.columns).toEqual(['customerEmail', 'summary', 'externalRef', 'receivedAt', 'owner'])
  })

  it('gives every alias exactly one meaning', () => {
    for (const aliases of [caseHeaderAliases, accountHeaderAliases]) {
      const owners = new Map<string, string>()
      for (const [field, names] of Object.entries(aliases)) {
        for (const name of [field, ...names]) {
          const key = normaliseHeader(name)
          expect(owners.get(key) ?? field, `${name} is claimed twice`).toBe(field)
          owners.set(key, field)
        }
      }
    }
  })

  it('names what is missing and the names it would accept', () => {
    const result = mapHeaders(['Subject', 'Priority'])
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.reason).toMatch(/missing a column for the customer \(email or name\)/)
    expect(result.reason).toContain('customer_email')
    expect(result.reason).toContain('e-mail')
    expect(result.reason).not.toMatch(/subject or summary/)
    const nothing = mapHeaders(['Email'])
    expect(!nothing.ok && nothing.reason).toMatch(/what it is about \(subject or summary\).*description/)
  })

  it('never refuses two columns with one meaning: the first reads as it, the later is kept (the preview lets the person choose)', () => {
    expect(mapHeaders(['email', 'Customer Email', 'subject'])).toEqual({
      ok: true,
      columns: ['customerEmail', null, 'subject'],
      unknown: ['Customer Email'],
    })
    // Two text columns both fill the summary, joined: "Details" and "Notes" in one team's tracker.
    expect(guessCaseColumns(['Customer', 'Details', 'Notes'])).toEqual(['customerName', 'summary', 'summary'])
    expect(
      mapCaseRecord(['Ana', 'Charged twice', 'Called back'], ['Customer', 'Details', 'Notes'], ['customerName', 'summary', 'summary'])
        .fields.summary,
    ).toBe('Charged twice\n\nNotes: Called back')
    // A person's choice of "the same field twice" is named as the problem it is.
    expect(caseColumnProblems(['email', 'Customer Email', 'subject'], ['customerEmail', 'customerEmail', 'subject'])).toEqual([
      'columns "email" and "Customer Email" are both read as customer email; keep one (the other can be kept as a case field)',
    ])
  })

  it('reads the headers real exports use', () => {
    expect(
      guessCaseColumns(['Ticket #', 'Issue Summary', 'Company', 'Requester', 'Requester email', 'Assignee', 'Via', 'Created at', 'Tags']),
    ).toEqual(['externalRef', 'subject', 'account', 'customerName', 'customerEmail', 'owner', 'source', 'receivedAt', 'keep'])
  })

  it('maps account sheets and requires a domain', () => {
    expect(mapAccountHeaders(['Website', 'Company', 'ARR', 'Health Score', 'Tier'])).toEqual({
      ok: true,
      columns: ['domain', 'name', 'annualRevenue', 'health', 'plan'],
      unknown: [],
    })
    const missing = mapAccountHeaders(['Company', 'ARR'])
    expect(!missing.ok && missing.reason).toMatch(/domain.*website/)
  })
})

describe('case rows', () => {
  it.each([
    ['SEV-2', 'SEV-2'],
    ['sev2', 'SEV-2'],
    ['Sev 1', 'SEV-1'],
    ['2', 'SEV-2'],
    ['P1', 'SEV-1'],
    ['critical', 'SEV-1'],
    ['Urgent', 'SEV-1'],
    ['high', 'SEV-2'],
    ['Medium', 'SEV-3'],
    ['normal', 'SEV-3'],
    ['low', 'SEV-4'],
    ['4', 'SEV-4'],
    ['', null],
  ])('reads severity %j as %j', (cell, severity) => {
    const result = caseRow({ customerEmail: 'a@example.com', subject: 'x', severity: cell })
    expect(result.ok && result.row.severity).toBe(severity)
  })

  it.each([
    ['Lawyer letter', 'lawyer'],
    ['Attorney letter', 'lawyer'],
    ['Legal', 'lawyer'],
    ['Letter from counsel', 'lawyer'],
    ['Cease and desist', 'lawyer'],
    ['State Attorney General', 'regulator'],
    ['CFPB complaint', 'regulator'],
    ['BBB complaint', 'bbb'],
    ['CEO email', 'ceo_inbox'],
    ['Forwarded by the COO', 'ceo_inbox'],
    ['Twitter/X', 'social'],
    ['Trustpilot review', 'social'],
    ['Web form', 'form'],
    ['Phone call', 'direct'],
    ['Mail', 'direct'],
    ['Voice', 'direct'],
    ['', 'csv'],
  ])('reads the source %j as %j', (cell, source) => {
    const result = caseRow({ customerEmail: 'a@example.com', subject: 'x', source: cell })
    expect(result.ok && result.row.source).toBe(source)
  })

  it.each([
    ['P1 - Critical', 'SEV-1'],
    ['Sev 2 (major)', 'SEV-2'],
    ['High priority', 'SEV-2'],
  ])('reads the priority %j as %j', (cell, severity) => {
    const result = caseRow({ customerEmail: 'a@example.com', subject: 'x', severity: cell })
    expect(result.ok && result.row.severity).toBe(severity)
  })

  it('reads numeric dates day first for a file written that way, and a cell that can only be day first either way', () => {
    const dmy = parseCaseRow({ ...emptyCase, customerEmail: 'a@example.com', subject: 'x', receivedAt: '03/04/2025' }, 2, {
      timezone: 'UTC',
      dateOrder: 'dmy',
    })
    expect(dmy.ok && dmy.row.receivedAt?.toISOString()).toBe('2025-04-03T00:00:00.000Z')
    const mdy = caseRow({ customerEmail: 'a@example.com', subject: 'x', receivedAt: '03/04/2025' })
    expect(mdy.ok && mdy.row.receivedAt?.toISOString()).toBe('2025-03-04T00:00:00.000Z')
  })

  it('refuses an unknown severity with the accepted forms', () => {
    expect(caseRow({ customerEmail: 'a@example.com', subject: 'x', severity: 'meh' })).toEqual({
      ok: false,
      line: 2,
      errors: [expect.stringMatching(/^severity: unknown severity "meh" \(use SEV-1\.\.SEV-4/)],
    })
  })

  it.each([
    ['2025-03-07', 'UTC', '2025-03-07T00:00:00.000Z'],
    ['2025-03-07T16:30:00Z', 'America/New_York', '2025-03-07T16:30:00.000Z'],
    ['2025-03-07 16:30:00-05:00', 'UTC', '2025-03-07T21:30:00.000Z'],
    ['2025-03-07 16:30', 'America/New_York', '2025-03-07T21:30:00.000Z'],
    ['2025-07-07 16:30', 'America/New_York', '2025-07-07T20:30:00.000Z'],
    ['03/07/2025 4:30 PM', 'America/New_York', '2025-03-07T21:30:00.000Z'],
    ['3/7/25', 'UTC', '2025-03-07T00:00:00.000Z'],
    ['13/07/2025', 'UTC', '2025-07-13T00:00:00.000Z'],
    ['7.3.2025 09:15', 'Europe/London', '2025-03-07T09:15:00.000Z'],
    ['March 7, 2025', 'Asia/Kolkata', '2025-03-06T18:30:00.000Z'],
    ['7 Mar 2025 12:00 am', 'UTC', '2025-03-07T00:00:00.000Z'],
  ])('reads the date %j in %s', (cell, timezone, iso) => {
    const result = caseRow({ customerEmail: 'a@example.com', subject: 'x', receivedAt: cell }, { timezone })
    expect(result.ok && result.row.receivedAt?.toISOString()).toBe(iso)
  })

  it.each([['2025-02-30'], ['31/31/2025'], ['yesterday'], ['2025-03-07 25:00'], ['2999-01-01']])('refuses the date %j', (cell) => {
    const result = caseRow({ customerEmail: 'a@example.com', subject: 'x', receivedAt: cell })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.errors[0]).toMatch(/^receivedAt: /)
  })

  it('normalises a full row and fills the defaults', () => {
    const result = caseRow({
      customerEmail: '  "Jane Doe" <JANE@Example.COM> ',
      summary: 'My order never arrived.\nSecond line.',
      source: 'Better Business Bureau',
      externalRef: ' 12345678 ',
      owner: 'Agent@Example.com',
      status: 'In Progress',
    })
    expect(result).toEqual({
      ok: true,
      row: {
        customerName: 'Jane Doe',
        customerEmail: 'jane@example.com',
        subject: 'My order never arrived.',
        summary: 'My order never arrived.\nSecond line.',
        source: 'bbb',
        severity: null,
        externalRef: '12345678',
        receivedAt: null,
        account: null,
        owner: 'Agent@Example.com',
        status: 'in_progress',
      },
    })
    const csvDefault = caseRow({ customerName: 'Sam', subject: 'Hello' })
    expect(csvDefault.ok && csvDefault.row.source).toBe('csv')
  })

  it('lists every bad cell of a row, then the cross-column rules', () => {
    // An owner cell names a person however the sheet writes it; the import finds them (or nobody).
    const bad = caseRow({ customerEmail: 'not-an-email', subject: 'x', source: 'carrier pigeon', owner: 'nobody', status: 'archived?' })
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.errors).toEqual([
      expect.stringMatching(/^customerEmail: "not-an-email" is not an email address/),
      expect.stringMatching(/^source: unknown source "carrier pigeon"/),
      expect.stringMatching(/^status: unknown status "archived\?"/),
    ])
    expect(caseRow({ severity: 'high' })).toEqual({
      ok: false,
      line: 2,
      errors: ['needs a customer email or name', 'needs a subject or a summary'],
    })
  })

  it('undoes export neutralisation and refuses oversized cells', () => {
    const result = caseRow({ customerName: "'=Evil", subject: "'-5 stars" })
    expect(result.ok && [result.row.customerName, result.row.subject]).toEqual(['=Evil', '-5 stars'])
    const long = caseRow({ customerName: 'x'.repeat(201), subject: 'x' })
    expect(!long.ok && long.errors).toEqual(['customerName: longer than 200 characters'])
  })
})

describe('account rows', () => {
  const account = (fields: Partial<Record<'domain' | 'name' | 'plan' | 'annualRevenue' | 'health', string>>) =>
    parseAccountRow({ domain: '', name: '', plan: '', annualRevenue: '', health: '', ...fields }, 5)

  it.each([
    ['$120,000', 120000],
    ['120000', 120000],
    ['120k', 120000],
    ['1.2M', 1200000],
    ['USD 5,000.50', 5000.5],
    ['', null],
  ])('reads revenue %j', (cell, value) => {
    const result = account({ domain: 'acme.com', annualRevenue: cell })
    expect(result.ok && result.row.annualRevenue).toBe(value)
  })

  it.each([
    ['green', 'green', null],
    ['Good', 'green', null],
    ['at risk', 'amber', null],
    ['Amber', 'amber', null],
    ['poor', 'red', null],
    ['RED', 'red', null],
    ['85', 'green', 85],
    ['55%', 'amber', 55],
    ['12', 'red', 12],
  ])('reads health %j', (cell, band, score) => {
    const result = account({ domain: 'acme.com', health: cell })
    expect(result.ok && [result.row.health, result.row.healthScore]).toEqual([band, score])
  })

  it('normalises domains and reports bad cells with the line', () => {
    const result = account({ domain: 'https://www.Acme.COM/about', name: 'Acme', plan: 'Enterprise' })
    expect(result).toEqual({
      ok: true,
      row: { domain: 'acme.com', name: 'Acme', plan: 'Enterprise', annualRevenue: null, health: null, healthScore: null },
    })
    expect(account({ domain: 'jane@acme.co.uk' }).ok && 'ok').toBe('ok')
    expect(account({ domain: '', annualRevenue: 'lots', health: '140' })).toEqual({
      ok: false,
      line: 5,
      errors: [
        'domain: is required',
        expect.stringMatching(/^annualRevenue: "lots" is not an amount/),
        expect.stringMatching(/^health: unknown health "140"/),
      ],
    })
  })
})

describe('formula injection', () => {
  it.each(['=1+2', '+1+2', '-1+2', '@SUM(A1)', '\tcmd', '\rcmd', '\0x', '=HYPERLINK("http://evil","click")'])('neutralises %j', (value) => {
    expect(neutraliseCell(value)).toBe(`'${value}`)
    expect(restoreCell(neutraliseCell(value))).toBe(value)
  })

  it('leaves plain numbers and ordinary text alone', () => {
    for (const value of ['-12.5', '+3', '1e6', '42', 'Jane', "O'Brien", ' =not at start', '']) {
      expect(neutraliseCell(value)).toBe(value)
    }
  })

  it('escapes existing apostrophes before a trigger so the mapping stays reversible', () => {
    expect(neutraliseCell("'=x")).toBe("''=x")
    expect(neutraliseCell("'-12.5")).toBe("''-12.5")
    const random = mulberry32(7)
    const alphabet = ["'", '=', '+', '-', '@', '\t', '\r', '\n', '1', '.', 'a', ' ', '"', ',', ';']
    for (let i = 0; i < 2000; i++) {
      const value = Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
      expect(restoreCell(neutraliseCell(value)), JSON.stringify(value)).toBe(value)
    }
  })

  it('writes RFC 4180 lines with CRLF and neutralised, quoted cells', () => {
    expect(csvLine(['=HYPERLINK("http://evil","x")', 'plain', null, 12.5, -3, new Date('2025-03-07T21:30:00Z')])).toBe(
      `"'=HYPERLINK(""http://evil"",""x"")",plain,,12.5,-3,2025-03-07T21:30:00.000Z\r\n`,
    )
    expect(csvLine(['a,b', 'line\nbreak', ' padded '])).toBe('"a,b","line\nbreak", padded \r\n')
    expect(csvLine([''])).toBe('""\r\n')
  })

  it('quotes every cell holding a separator a spreadsheet might split on: , ; tab CR LF and "', () => {
    expect(csvLine(['ESC-1', 'a;b', 'a\tb', 'a\rb', 'a"b', 'plain'])).toBe('ESC-1,"a;b","a\tb","a\rb","a""b",plain\r\n')
    expect(csvLine(['ESC-1', 'Totals;=1+1'])).toBe(`ESC-1,"Totals;'=1+1"\r\n`)
  })

  it('leaves no cell a spreadsheet would run, however it splits the export (, ; or tab)', () => {
    const payloads = [
      // The security review's, then the ones its probe found already handled.
      'Totals;=1+1',
      'a;+cmd|x!A0',
      'a\t=1+1',
      "=cmd|' /C calc'!A0",
      '+1+1',
      "-2+3+cmd|' /C calc'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
      '=HYPERLINK("http://evil.test","Open")',
      '\t=1+1',
      '\r=1+1',
      ' =1+1',
      '\u00a0=1+1',
      "'=already",
      '-12.5',
      // Line breaks end a record for a reader that is out of step with the quotes; quotes after a
      // separator open a quoted cell there.
      'a\n-2+3',
      'a\r\n@SUM(A1)',
      'a\r=1',
      'a;"=1+1"',
      'a;""=1',
      "a;'=1",
      'a;;=1',
      'a\t\t+1',
      'x,=1',
      'a;\t=1',
      'a\n\t=1',
      '"=1',
      'a,"=1',
    ]
    // Each payload in the middle, first and last column. Not -12.5 first: a plain number stays a
    // number by design, and read on ; its line would be the cell `-12.5,x`, which calls nothing
    // (and no export starts a line with a customer's value: case numbers and sequence numbers do).
    const rows = payloads.flatMap((p) => [['ESC-1', p, 'tail'], ...(p === '-12.5' ? [] : [[p, 'x']]), ['ESC-2', 'note', p]])
    const text = rows.map((row) => csvLine(row)).join('')
    const runnable: string[] = []
    for (const separator of [',', ';', '\t']) {
      for (const cell of spreadsheetCells(text, separator)) {
        if (wouldRun(cell)) runnable.push(`${JSON.stringify(separator)}: ${JSON.stringify(cell)}`)
      }
    }
    expect(runnable).toEqual([])
  })

  it('the splitter in these tests does find formulas in unneutralised text (positive control)', () => {
    const raw = ['ESC-1,Totals;=1+1', 'ESC-2,"a', '-2+3"', 'x\t@SUM(A1)'].join('\r\n')
    expect(spreadsheetCells(raw, ';').filter(wouldRun)).toEqual(['=1+1', '-2+3"'])
    expect(spreadsheetCells(raw, ',').filter(wouldRun)).toEqual([])
    expect(spreadsheetCells(raw, '\t').filter(wouldRun)).toEqual(['-2+3"', '@SUM(A1)'])
  })
})

describe('reading CSV', () => {
  it('drops a BOM and numbers records by the line they start on, multi-line cells included', async () => {
    for (const eol of ['\n', '\r\n']) {
      const text = [
        '\uFEFFemail,subject,summary',
        'a@example.com,One,"first',
        'second',
        'third"',
        '',
        'b@example.com,Two,"x ""quoted"" y"',
        'c@example.com,Three,z',
      ].join(eol)
      const records = await readAll(text, 5)
      expect(
        records.map((r) => r.line),
        JSON.stringify(eol),
      ).toEqual([1, 2, 6, 7])
      expect(records[0]!.record).toEqual(['email', 'subject', 'summary'])
      expect(records[1]!.record[2]).toBe(['first', 'second', 'third'].join(eol))
      expect(records[2]!.record[2]).toBe('x "quoted" y')
    }
  })

  it('reports row errors on the right line after quoted cells with newlines (Excel style)', async () => {
    // Excel writes CRLF between records and a bare LF inside multi-line cells.
    const text = [
      'Customer Email,Subject,Description,Priority',
      'ok@example.com,Fine,"Line one\nLine two\nLine three",high',
      '',
      'bad-email,Broken,"Also\nmulti-line",urgent',
      'ok2@example.com,Fine too,plain,whatever',
      '',
    ].join('\r\n')
    const [header, ...rows] = await readAll(text, 3)
    const mapping = mapHeaders(header!.record)
    if (!mapping.ok) throw new Error(mapping.reason)
    const results = rows.map(({ line, record }) => parseCaseRow(recordToFields(record, mapping.columns, caseFields), line))
    expect(results.map((r) => (r.ok ? 'ok' : { line: r.line, errors: r.errors.length }))).toEqual([
      'ok',
      { line: 6, errors: 1 },
      { line: 8, errors: 1 },
    ])
  })

  it('throws a typed error carrying the line where the bad record starts, after the good ones', async () => {
    const fieldCount = await readUntilError('a,b\n1,2\n\n"x\ny",3,4\n5,6\n')
    expect(fieldCount.records.map((r) => r.line)).toEqual([1, 2])
    expect(fieldCount.error).toMatchObject({ code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', line: 4 })
    expect(fieldCount.error.message).toBe('line 4: expected 2 fields like the header, found 3 (an unquoted comma?)')

    const unclosed = await readUntilError('a,b\r\n1,2\r\n\r\n3,"never closed\r\nmore\r\n')
    expect(unclosed.error).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED', line: 4 })

    const strayQuote = await readUntilError('a,b\n1,2\n3,x"y\n')
    expect(strayQuote.error).toMatchObject({ code: 'INVALID_OPENING_QUOTE', line: 3 })
  })

  it('refuses text that is not UTF-8 instead of mangling it', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('name,subject\r\n'),
      Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]),
      Buffer.from(',x\r\n'),
    ])
    await expect(readAll(latin1)).rejects.toMatchObject({ name: 'CsvReadError', code: 'NOT_UTF8' })
  })

  it('keeps multi-byte characters split across chunks', async () => {
    const records = await readAll('name,subject\nZoë Łukasz 日本 🙂,Ünïcödé\n', 1)
    expect(records[1]!.record).toEqual(['Zoë Łukasz 日本 🙂', 'Ünïcödé'])
  })

  it('reads a stored upload 64 K characters at a time, never between the halves of an emoji', async () => {
    const header = 'name,subject\r\n'
    // The first row ends its 65,536th character with the first half of 🙂.
    const filler = 'x'.repeat(64 * 1024 - header.length - 1)
    const csv = `${header}${filler}🙂,a\r\nZoë 🙂,b\r\n`
    expect(csv.charCodeAt(64 * 1024 - 1)).toBe('🙂'.charCodeAt(0))
    const chunks: string[] = []
    for await (const chunk of textSource(csv)()) chunks.push(chunk as string)
    expect(chunks.length).toBe(2)
    expect(chunks.join('')).toBe(csv)
    expect(chunks[0]!.endsWith('🙂')).toBe(true)
    const records: string[][] = []
    for await (const { record } of readCsv(textSource(csv)())) records.push(record)
    expect(records).toEqual([
      ['name', 'subject'],
      [`${filler}🙂`, 'a'],
      ['Zoë 🙂', 'b'],
    ])
  })

  it('round-trips csvLine output through readCsv (restoring neutralised cells)', async () => {
    const random = mulberry32(42)
    const pieces = ['a', 'Z', ' ', ',', '"', '\n', '\r\n', '\r', '\t', '=', '+', '-', '@', "'", 'é', '🙂', '1', '.', ';']
    const cell = () => Array.from({ length: Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join('')
    for (let round = 0; round < 30; round++) {
      const width = 1 + Math.floor(random() * 5)
      const rows = Array.from({ length: 1 + Math.floor(random() * 40) }, () => Array.from({ length: width }, cell))
      const text = rows.map((row) => csvLine(row)).join('')
      const records = await readAll(text, 1 + Math.floor(random() * 50))
      expect(
        records.map((r) => r.record.map(restoreCell)),
        `round ${round}`,
      ).toEqual(rows)
    }
  })

  it('streams 50,000 rows, consuming them as they are produced', async () => {
    const total = 50_000
    let produced = 0
    let consumed = 0
    let maxAhead = 0
    async function* source() {
      yield csvLine(['customer_email', 'subject', 'summary', 'severity', 'received_at'])
      while (produced < total) {
        let chunk = ''
        for (let i = 0; i < 200 && produced < total; i++, produced++) {
          chunk += csvLine([
            `user${produced}@example.com`,
            `Complaint ${produced}`,
            `Line one\nline "two" of ${produced}`,
            'high',
            '2025-03-07 16:30',
          ])
        }
        yield chunk
      }
    }
    const started = performance.now()
    let lastLine = 0
    for await (const { line, record } of readCsv(source())) {
      if (line === 1) continue
      consumed++
      maxAhead = Math.max(maxAhead, produced - consumed)
      lastLine = line
      if (consumed % 10_000 === 0) expect(record[0]).toBe(`user${consumed - 1}@example.com`)
    }
    const elapsed = performance.now() - started
    expect(consumed).toBe(total)
    expect(lastLine).toBe(1 + 2 * (total - 1) + 1) // two source lines per row
    expect(maxAhead).toBeLessThanOrEqual(200) // never more than one source chunk ahead
    expect(elapsed).toBeLessThan(10_000)
  })
})
