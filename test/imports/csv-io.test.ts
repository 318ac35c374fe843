import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importAccounts } from '../../src/imports/accounts.ts'
import { readCsv } from '../../src/imports/csv-reader.ts'
import { exportCases } from '../../src/imports/export.ts'
import { importCases } from '../../src/imports/cases.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, testDb } from '../support/db.ts'
import { spreadsheetCells, wouldRun } from '../support/spreadsheet.ts'
import { csvSource as source } from '../support/csv.ts'

const actor = { kind: 'system' as const, id: 'test' }

async function exportText(db: Db, org: Org) {
  return withOrg(db, org.id, async (tx) => {
    const chunks: Buffer[] = []
    for await (const chunk of exportCases(tx)) chunks.push(chunk)
    return Buffer.concat(chunks).toString('utf8')
  })
}

async function records(text: string) {
  const rows: string[][] = []
  for await (const { record } of readCsv(source(text)())) rows.push(record)
  return rows
}

const sheet = [
  'Customer,Email,Subject,Description,Source,Priority,Complaint Number,Date',
  'Ana Lima,ana@bigco.test,Billing error,"Charged twice,\nstill waiting",bbb,SEV-2,BBB-1001,2026-11-02T10:00:00Z',
  'Bo Chen,bo@small.test,"=HYPERLINK(""http://evil.test"")",+1 555 0100 call me,direct,3,,2026-11-03T08:30:00Z',
  '"O\'Neil, Pat",pat@bigco.test,@channel outage,-12 days of downtime,lawyer,1,MATTER-77,2026-11-04T12:00:00Z',
].join('\r\n')

describe('CSV import and export', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(4)
  })
  afterAll(() => db.end())

  it('round trip: import → export keeps every field, and the export imports back identically', async () => {
    const org = await seedOrg(db)
    const report = await importCases(db, org, source(sheet), { actor })
    expect(report).toMatchObject({ ok: true, rows: 3, created: 3, duplicates: 0, errorCount: 0 })

    const exported = await exportText(db, org)
    expect(exported.startsWith('\uFEFF')).toBe(true)
    const [header, ...rows] = await records(exported)
    const col = (name: string) => header!.indexOf(name)
    expect(
      rows.map((r) => [
        r[col('Customer name')],
        r[col('Customer email')],
        r[col('Subject')],
        r[col('Summary')],
        r[col('Source')],
        r[col('Severity')],
        r[col('External reference')],
        r[col('Received')],
      ]),
    ).toEqual([
      [
        'Ana Lima',
        'ana@bigco.test',
        'Billing error',
        'Charged twice,\nstill waiting',
        'bbb',
        'SEV-2',
        'BBB-1001',
        '2026-11-02T10:00:00.000Z',
      ],
      [
        'Bo Chen',
        'bo@small.test',
        '\'=HYPERLINK("http://evil.test")',
        "'+1 555 0100 call me",
        'direct',
        'SEV-3',
        '',
        '2026-11-03T08:30:00.000Z',
      ],
      [
        "O'Neil, Pat",
        'pat@bigco.test',
        "'@channel outage",
        "'-12 days of downtime",
        'lawyer',
        'SEV-1',
        'MATTER-77',
        '2026-11-04T12:00:00.000Z',
      ],
    ])

    // Another org imports the export and exports the same log (apart from its own case numbers).
    const other = await seedOrg(db)
    expect(await importCases(db, other, source(exported), { actor })).toMatchObject({ ok: true, created: 3 })
    const again = await exportText(db, other)
    const strip = (text: string) => text.replace(/ESC-\d+/g, 'ESC-n')
    expect(strip(again)).toBe(strip(exported))
  })

  it('writes times as toISOString does (microseconds cut, UTC), in number order across batches of the cursor', async () => {
    const org = await seedOrg(db)
    const rows = Array.from({ length: 2_101 }, (_, i) => `Customer ${i},c${i}@bulk.test,Order ${i} broken,It broke,2026-11-02T10:00:00Z`)
    const sheet = ['Customer,Email,Subject,Description,Date', ...rows].join('\r\n')
    expect(await importCases(db, org, source(sheet), { actor, drafts: false })).toMatchObject({ ok: true, created: 2_101 })
    // Odd fractions and a time zone far from UTC on the server side: the file still says what JavaScript says.
    // (On some rows: each updated case recomputes its clocks and metrics, a row at a time.)
    await db`update cases set opened_at = opened_at + (number * interval '1.000999 second') - interval '14 hours',
                              resolved_at = case when number % 200 = 0 then timestamptz '2026-11-02 23:59:59.999999+05' end,
                              severity_reasons = array['one', 'two; three']
             where org_id = ${org.id} and number % 100 = 0`
    const stored = await db<{ number: number; openedAt: Date; resolvedAt: Date | null }[]>`
      select number, opened_at as "openedAt", resolved_at as "resolvedAt" from cases where org_id = ${org.id} order by number`
    const [header, ...exported] = await records(await exportText(db, org))
    const col = (name: string) => header!.indexOf(name)
    expect(exported.map((r) => [r[col('Case')], r[col('Received')], r[col('Resolved')], r[col('Severity reasons')]])).toEqual(
      stored.map((c) => [
        `ESC-${c.number}`,
        c.openedAt.toISOString(),
        c.resolvedAt?.toISOString() ?? '',
        c.number % 100 === 0 ? 'one; two; three' : 'not given in the spreadsheet; default SEV-3',
      ]),
    )
  }, 120_000)

  it('neutralises formula injection in every cell of the export', async () => {
    const org = await seedOrg(db)
    await importCases(db, org, source(sheet), { actor })
    const exported = await exportText(db, org)
    const cells = (await records(exported)).flat()
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([])
  })

  it('an export opened with ; or tab as the separator holds no cell a spreadsheet would run', async () => {
    const org = await seedOrg(db)
    const quoted = (cells: string[]) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')
    const payloads = ['Totals;=1+1', 'a;+cmd|x!A0', 'a\t=1+1', 'Refund;-2+3+cmd|x!A0', 'a;"=1+1"', 'see;@SUM(A1)']
    const hostile = [
      'Customer,Email,Subject,Description',
      ...payloads.map((p, i) => quoted([`Name ${p}`, `c${i}@x.test`, p, `Line one\n=HYPERLINK("http://evil.test")\nthen ${p}`])),
    ].join('\r\n')
    expect(await importCases(db, org, source(hostile), { actor })).toMatchObject({ ok: true, created: payloads.length })
    const exported = await exportText(db, org)
    const runnable = [',', ';', '\t'].flatMap((separator) =>
      spreadsheetCells(exported, separator)
        .filter(wouldRun)
        .map((cell) => `${JSON.stringify(separator)}: ${JSON.stringify(cell)}`),
    )
    expect(runnable).toEqual([])
    // And the export still reads back to exactly what was imported.
    const other = await seedOrg(db)
    expect(await importCases(db, other, source(exported), { actor })).toMatchObject({ ok: true, created: payloads.length })
    const subjects = await withOrg(db, other.id, (tx) => tx<{ subject: string }[]>`select subject from cases order by number`)
    expect(subjects.map((r) => r.subject)).toEqual(payloads.map((p) => p.replace('\t', ' ')))
  })

  it('re-importing the same file creates nothing new', async () => {
    const org = await seedOrg(db)
    await importCases(db, org, source(sheet), { actor })
    const again = await importCases(db, org, source(sheet), { actor })
    expect(again).toMatchObject({ ok: true, created: 0, duplicates: 3 })
  })

  it('reports malformed rows with their line numbers and imports nothing unless asked', async () => {
    const org = await seedOrg(db)
    const bad = [
      'Name,Email,Subject,Severity',
      'Good One,good@x.test,Fine,2',
      '"Multi\nline",not-an-email,Broken,SEV-9',
      'Good Two,two@x.test,Also fine,',
    ].join('\n')
    const refused = await importCases(db, org, source(bad), { actor })
    expect(refused.ok).toBe(false)
    expect(refused.reason).toMatch(/1 row has problems; nothing was imported/)
    expect(refused.errors).toEqual([
      { line: 3, errors: expect.arrayContaining([expect.stringMatching(/email/i), expect.stringMatching(/severity/i)]) },
    ])
    expect(await exportText(db, org)).not.toMatch(/Good One/)

    const partial = await importCases(db, org, source(bad), { actor, allowPartial: true })
    expect(partial).toMatchObject({ ok: true, created: 2, errorCount: 1 })
  })

  it('a dry run reports what would happen and writes nothing', async () => {
    const org = await seedOrg(db)
    const dry = await importCases(db, org, source(sheet), { actor, dryRun: true })
    expect(dry).toMatchObject({ ok: true, dryRun: true, created: 3, preview: expect.any(Array) })
    expect(dry.preview).toHaveLength(3)
    const count = await withOrg(db, org.id, async (tx) => (await tx`select count(*)::int as n from cases`)[0]!.n)
    expect(count).toBe(0)
  })

  it('refuses a file without the needed columns, naming what is missing', async () => {
    const org = await seedOrg(db)
    const report = await importCases(db, org, source('Foo,Bar\n1,2\n'), { actor })
    expect(report.ok).toBe(false)
    expect(report.reason).toMatch(/email|name/i)
  })

  it('imports accounts and links cases by the customer email domain', async () => {
    const org = await seedOrg(db)
    await importCases(db, org, source(sheet), { actor })
    const accounts = 'Domain,Company,Plan,ARR,Health\nbigco.test,BigCo,Enterprise,"$120,000",red\n'
    const report = await importAccounts(db, org, source(accounts), { actor })
    expect(report).toMatchObject({ ok: true, upserted: 1, linkedCases: 2 })
    const linked = await withOrg(
      db,
      org.id,
      (tx) => tx`
      select c.customer_email, a.plan, a.annual_revenue::float as revenue, a.health
      from cases c join accounts a on a.id = c.account_id order by c.number`,
    )
    expect(linked).toEqual([
      { customer_email: 'ana@bigco.test', plan: 'Enterprise', revenue: 120000, health: 'red' },
      { customer_email: 'pat@bigco.test', plan: 'Enterprise', revenue: 120000, health: 'red' },
    ])
  })
})
