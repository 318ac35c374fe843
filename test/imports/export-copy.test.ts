// The export is written by PostgreSQL (copy … to stdout, each line built by csvCellSql): these
// tests hold it to the export it replaced, cell by cell and byte for byte. `referenceExport` is
// that export, kept here as the reference: a cursor of rows, each line written by csvLine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caseFilterSql, readCaseFilter, type CaseListFilter } from '../../src/cases/find.ts'
import { caseLabel } from '../../src/cases/terms.ts'
import { withOrg, type Db, type Tx } from '../../src/db.ts'
import { importAccounts } from '../../src/imports/accounts.ts'
import { importCases } from '../../src/imports/cases.ts'
import { csvCellSql, csvLine } from '../../src/imports/csv-safety.ts'
import { exportCases, exportHeaders } from '../../src/imports/export.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { csvSource as source } from '../support/csv.ts'

type Row = { number: number } & Record<
  | 'externalRef'
  | 'subject'
  | 'summary'
  | 'customerName'
  | 'customerEmail'
  | 'source'
  | 'severity'
  | 'status'
  | 'owner'
  | 'openedAt'
  | 'account'
  | 'caseType'
  | 'severityReasons'
  | 'firstResponseAt'
  | 'resolvedAt'
  | 'closedAt',
  string | null
>

async function referenceExport(tx: Tx, filter: CaseListFilter | null = null): Promise<Buffer> {
  const iso = (column: string) => tx`to_char(${tx(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
  let out = '\uFEFF' + csvLine([...exportHeaders])
  const cursor = tx<Row[]>`
    select c.number, c.external_ref as "externalRef", c.subject, c.summary, c.customer_name as "customerName",
           c.customer_email as "customerEmail", c.source, c.severity, c.status, u.email as owner,
           ${iso('c.opened_at')} as "openedAt", coalesce(a.domain, c.customer_account) as account, c.case_type as "caseType",
           array_to_string(c.severity_reasons, '; ') as "severityReasons", ${iso('c.first_response_at')} as "firstResponseAt",
           ${iso('c.resolved_at')} as "resolvedAt", ${iso('c.closed_at')} as "closedAt"
    from cases c left join app_users u on u.id = c.owner_id left join accounts a on a.id = c.account_id
    ${filter ? tx`where ${caseFilterSql(tx, filter)}` : tx``}
    order by c.number`.cursor(7)
  for await (const rows of cursor) {
    for (const r of rows) {
      out += csvLine([
        caseLabel(r.number),
        r.externalRef,
        r.subject,
        r.summary,
        r.customerName,
        r.customerEmail,
        r.source,
        r.severity,
        r.status,
        r.owner,
        r.openedAt,
        r.account,
        r.caseType,
        r.severityReasons,
        r.firstResponseAt,
        r.resolvedAt,
        r.closedAt,
      ])
    }
  }
  return Buffer.from(out)
}

async function newExport(tx: Tx, filter: CaseListFilter | null = null): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of exportCases(tx, filter)) chunks.push(chunk)
  return Buffer.concat(chunks)
}

// Cells that take every branch of formatCell: triggers at the start and after each separator,
// apostrophes already there, plain numbers, quotes, line breaks, tabs, non-Latin text, empty.
const hostile = [
  '=HYPERLINK("http://evil.test", "Open")',
  '+1 555 0100 call me',
  '-12.5',
  '-12 days of downtime',
  '+3',
  '1e6',
  '-.5e-3',
  '5.',
  '-',
  '=',
  '@SUM(A1)',
  "'=already marked",
  "''+two marks",
  "'",
  'Totals;=1+1',
  'a\t=1+1',
  '\tleading tab',
  '\rleading return',
  'line one\r\nline two',
  'multi\nline\n=cmd|x!A0',
  'Refund;-2+3+cmd|x!A0',
  'a;"=1+1"',
  "a;'=x",
  '\n"\'@x',
  'say "hi"',
  '"quoted"',
  'comma, here',
  'semi; colon',
  'Zoë Ångström',
  '漢字テスト、第二',
  'Ελληνικά; =1',
  'emoji 🎉, ok',
  'back\\slash\\n',
  'plain text',
  '',
  ' ',
]

/** Random cells over the characters that matter, the same every run. */
function randomCells(count: number): string[] {
  const alphabet = ['=', '+', '-', '@', "'", '"', ';', ',', '\t', '\r', '\n', 'a', '1', '.', 'e', 'ü', '字', ' ']
  let seed = 42
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 9) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  )
}

const actor = { kind: 'system' as const, id: 'test' }

describe('the export written by PostgreSQL', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let cookie: string
  const CASES = 90

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
    const rows = Array.from(
      { length: CASES },
      (_, i) => `Customer ${i},c${i}@${i % 4 === 0 ? 'bigco.test' : 'small.test'},Order ${i},Broken,2026-11-0${1 + (i % 9)}T10:00:00Z`,
    )
    const sheet = ['Customer,Email,Subject,Description,Date', ...rows].join('\r\n')
    expect(await importCases(db, org, source(sheet), { actor, drafts: false })).toMatchObject({ ok: true, created: CASES })
    expect(await importAccounts(db, org, source('Domain,Company\nbigco.test,BigCo\n'), { actor })).toMatchObject({ ok: true })
    // Then every free-text field takes the hostile cells in turn (as the database holds them,
    // past the import's own normalising), and the rest of the columns vary too.
    const h = hostile.length
    await db`
      update cases c set
        subject = (${hostile}::text[])[1 + c.number % ${h}],
        summary = (${hostile}::text[])[1 + (c.number + 1) % ${h}],
        customer_name = case when c.number % 7 = 0 then null else (${hostile}::text[])[1 + (c.number + 2) % ${h}] end,
        customer_email = case when c.number % 4 = 0 then c.customer_email when c.number % 5 = 0 then null
                              else (${hostile}::text[])[1 + (c.number + 3) % ${h}] end,
        external_ref = case when c.number % 3 = 0 then null else (${hostile}::text[])[1 + (c.number + 4) % ${h}] || '#' || c.number end,
        customer_account = case when c.number % 6 = 1 then null else (${hostile}::text[])[1 + (c.number + 5) % ${h}] end,
        severity_reasons = case when c.number % 8 = 0 then '{}'::text[]
                                else array[(${hostile}::text[])[1 + (c.number + 6) % ${h}], (${hostile}::text[])[1 + (c.number + 7) % ${h}]] end,
        owner_id = case when c.number % 2 = 0 then ${owner.id}::uuid end,
        severity = (array['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'])[1 + c.number % 4],
        source = (array['ceo_inbox', 'bbb', 'lawyer', 'direct'])[1 + c.number % 4],
        status = (array['new', 'triaged', 'resolved', 'closed', 'in_progress'])[1 + c.number % 5],
        first_response_at = case when c.number % 3 <> 1 then c.opened_at + c.number * interval '1.000999 minute' end,
        resolved_at = case when c.number % 5 in (2, 3) then timestamptz '2026-11-20 23:59:59.999999+05' + c.number * interval '1 second' end,
        closed_at = case when c.number % 5 = 3 then timestamptz '2026-11-25 12:00:00.5+00' end
      where c.org_id = ${org.id}`
  }, 60_000)
  afterAll(() => db.end())

  it('writes each cell as formatCell does, for hostile and random cells and null', async () => {
    const cells = [...hostile, ...randomCells(3_000)]
    const sql = await db.unsafe<{ cell: string }[]>(
      `select ${csvCellSql('v')} as cell from unnest($1::text[]) with ordinality as t(v, n) order by n`,
      [cells],
    )
    // csvLine([cell, '']) is formatCell(cell) followed by ',\r\n'.
    const expected = cells.map((cell) => csvLine([cell, '']).slice(0, -3))
    const differing = cells.filter((_, i) => sql[i]!.cell !== expected[i]).map((cell) => JSON.stringify(cell))
    expect(differing).toEqual([])
    expect(sql).toHaveLength(cells.length)
    const [empty] = await db.unsafe<{ cell: string }[]>(`select ${csvCellSql('null::text')} as cell`)
    expect(empty!.cell).toBe('')
  })

  it('the file is byte for byte the reference export of the same org', async () => {
    const [reference, written] = await withOrg(db, org.id, async (tx) => [await referenceExport(tx), await newExport(tx)])
    // Not a vacuous match: every case, the cells that needed care, and non-Latin text are there.
    const text = reference.toString('utf8')
    expect(text.split('\r\n').filter((line) => /^ESC-\d+,/.test(line))).toHaveLength(CASES)
    expect(text).toContain(`"'=HYPERLINK(""http://evil.test"", ""Open"")"`)
    expect(text).toContain(`"Totals;'=1+1"`)
    expect(text).toContain('漢字テスト、第二')
    expect(written.equals(reference)).toBe(true)
  })

  it('each filter of the cases page selects and writes what the reference does, through /cases/export.csv too', async () => {
    const queries: Record<string, string>[] = [
      {},
      { status: 'open' },
      { status: 'resolved' },
      { status: 'closed' },
      { source: 'lawyer', severity: 'SEV-3' },
      { owner: owner.id },
      { from: '2026-11-03', to: '2026-11-05' },
      { breached: '1' },
      { status: 'open', source: 'lawyer', owner: owner.id, from: '2026-11-02' },
    ]
    const app = createTestApp(db)
    for (const query of queries) {
      const filter = readCaseFilter(query)
      const [reference, written] = await withOrg(db, org.id, async (tx) => [await referenceExport(tx, filter), await newExport(tx, filter)])
      const rows = reference
        .toString('utf8')
        .split('\r\n')
        .filter((line) => /^ESC-\d+,/.test(line)).length
      expect(rows, JSON.stringify(query)).toBeGreaterThan(0)
      expect(written.equals(reference), JSON.stringify(query)).toBe(true)
      const res = await app.request(`/cases/export.csv?${new URLSearchParams(query)}`, { headers: { cookie } })
      expect(res.status).toBe(200)
      expect(Buffer.from(await res.arrayBuffer()).equals(reference), JSON.stringify(query)).toBe(true)
    }
  })

  it('a consumer that stops early leaves the transaction usable', async () => {
    const count = await withOrg(db, org.id, async (tx) => {
      let chunks = 0
      for await (const _ of exportCases(tx)) if (++chunks === 2) break
      expect(chunks).toBe(2)
      return (await tx<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n
    })
    expect(count).toBe(CASES)
  })
})
