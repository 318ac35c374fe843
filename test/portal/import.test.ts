import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const goodSheet = [
  'Customer,Email,Subject,Description,Source,Priority,Complaint Number,Notes for finance',
  'Ana Lima,ana@bigco.test,Billing error,"Charged twice,\nstill waiting",bbb,SEV-2,BBB-1001,x',
  'Bo Chen,bo@small.test,Refund missing,No refund after 30 days,direct,3,,y',
  '"O\'Neil, Pat",pat@bigco.test,Outage,Twelve days of downtime,lawyer,1,MATTER-77,z',
].join('\r\n')

const badSheet = [
  'Name,Email,Subject,Severity',
  'Ana,ana@bigco.test,Fine row,SEV-2',
  'Bo,not-an-address,Bad email,SEV-3',
  'Cy,cy@bigco.test,Bad severity,SEV-9',
  'Di,di@bigco.test,Another fine row,SEV-4',
].join('\n')

/** A browser's multipart upload of one CSV file. */
function upload(csv: string | Uint8Array, kind: 'cases' | 'accounts', cookie: string, headers: Record<string, string> = {}): RequestInit {
  const form = new FormData()
  form.set('kind', kind)
  form.set('file', new File([typeof csv === 'string' ? csv : new Uint8Array(csv)], `${kind}.csv`, { type: 'text/csv' }))
  return { method: 'POST', body: form, headers: { origin: sameOrigin, accept: 'text/html', cookie, ...headers } }
}

const runForm = (fields: Record<string, string>, cookie: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie, ...headers },
  body: new URLSearchParams(fields).toString(),
})

const runIdIn = (html: string) => /name="runId" value="(\d+)"/.exec(html)?.[1]

describe('CSV upload in the portal (/import)', () => {
  let db: Db
  let org: Org
  let cookie: string
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    cookie = await sessionCookie(db, { ...(await seedUser(db, org.id, 'agent')), orgId: org.id })
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const counts = () =>
    withOrg(db, org.id, async (tx) => {
      const [row] = await tx<{ cases: number; audit: number; accounts: number }[]>`
      select (select count(*)::int from cases) as cases, (select count(*)::int from audit_events) as audit,
             (select count(*)::int from accounts) as accounts`
      return row!
    })

  /** Polls the progress fragment as htmx does, until it stops asking to be polled. */
  async function pollUntilDone(runId: string) {
    const seen: string[] = []
    for (let i = 0; i < 200; i++) {
      const res = await app().request(`/import/${runId}`, { headers: { cookie, 'hx-request': 'true', accept: 'text/html' } })
      expect(res.status).toBe(200)
      const body = await res.text()
      seen.push(body)
      if (!body.includes('hx-trigger="every 1s"')) return { body, seen }
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('the import never finished')
  }

  it('shows the upload page, linked from the queue', async () => {
    const queue = await (await app().request('/', { headers: { cookie, accept: 'text/html' } })).text()
    expect(queue).toContain('href="/import"')
    const res = await app().request('/import', { headers: { cookie, accept: 'text/html' } })
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toMatch(/<form method="post" action="\/import\/preview" enctype="multipart\/form-data"/)
    expect(body).toContain('<option value="accounts"')
  })

  it('previews a file: column mapping, first rows and counts, writing nothing', async () => {
    const before = await counts()
    const res = await app().request('/import/preview', upload(goodSheet, 'cases', cookie))
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toContain('Preview of cases.csv')
    // Each column with what it is read as, changeable: a known name as its field, any other kept on the case.
    const readAs = (header: string) => new RegExp(`<label for="(col_\\d+)">${header}</label>`).exec(body)?.[1]
    const selected = (name: string) =>
      new RegExp(`<select name="${name}"[^>]*>[\\s\\S]*?<option value="([^"]+)" selected=""`).exec(body)?.[1]
    expect(selected(readAs('Complaint Number')!)).toBe('externalRef')
    expect(selected(readAs('Notes for finance')!)).toBe('keep')
    expect(body).toContain('Notes for finance: x')
    expect(body).toContain('<td>Billing error</td>')
    expect(body).toContain('O&#39;Neil, Pat')
    expect(body).toContain('would create 3 cases')
    expect(body).toContain('Import 3 cases')
    expect(runIdIn(body)).toBeTruthy()
    expect(await counts()).toEqual(before)
  })

  it('lists malformed rows with their line numbers, writes nothing, and refuses a run without consent', async () => {
    const before = await counts()
    const res = await app().request('/import/preview', upload(badSheet, 'cases', cookie))
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toMatch(/<strong>Line 3:<\/strong> customerEmail: /)
    expect(body).toMatch(/<strong>Line 4:<\/strong> severity: /)
    expect(body).toContain('2 with errors')
    expect(body).toContain('name="allowPartial"')
    expect(await counts()).toEqual(before)

    const runId = runIdIn(body)!
    const refused = await app().request('/import/run', runForm({ runId }, cookie))
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Import the valid rows anyway')
    expect(await counts()).toEqual(before)

    // Ticking the box imports the two good rows and skips the others.
    const started = await app().request('/import/run', runForm({ runId, allowPartial: '1' }, cookie))
    expect(started.status).toBe(303)
    expect(started.headers.get('location')).toBe(`/import/${runId}`)
    const { body: report } = await pollUntilDone(runId)
    expect(report).toMatch(/Created 2 cases \(ESC-\d+ … ESC-\d+\); 0 already present; 2 rows skipped\./)
    expect((await counts()).cases).toBe(before.cases + 2)
  })

  it('runs the import in the background with a progress bar, then a report with links to the queue', async () => {
    const before = await counts()
    const preview = await (await app().request('/import/preview', upload(goodSheet, 'cases', cookie))).text()
    const runId = runIdIn(preview)!
    const started = await app().request('/import/run', runForm({ runId }, cookie, { 'hx-request': 'true' }))
    expect(started.status).toBe(200)
    const fragment = await started.text()
    expect(fragment).toMatch(/^<div id="import">/)
    const { body, seen } = await pollUntilDone(runId)
    expect([fragment, ...seen].some((html) => html.includes('<progress'))).toBe(true)
    expect(body).toContain('Import finished')
    expect(body).toMatch(/Created 3 cases \(ESC-\d+ … ESC-\d+\); 0 already present; 0 rows skipped\./)
    expect(body).toContain('href="/"')
    // The import's cases, listed whatever source each row named (bbb, direct, lawyer here).
    expect(
      [...body.matchAll(/<tr><td><a href="\/cases\/[^"]+">ESC-\d+<\/a><\/td><td>([^<]+)<\/td><td>([^<]+)<\/td>/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      ['Billing error', 'BBB'],
      ['Refund missing', 'Direct'],
      ['Outage', 'Lawyer'],
    ])
    expect(body).not.toContain('hx-trigger')

    const after = await counts()
    expect(after.cases).toBe(before.cases + 3)
    const events = await withOrg(
      db,
      org.id,
      (tx) => tx`select details from audit_events where action = 'case.create' and details->>'via' = 'csv'`,
    )
    expect(events.length).toBeGreaterThanOrEqual(3)
    // The stored upload is dropped once it ran; the report stays on the run's row.
    const [run] = await withOrg(
      db,
      org.id,
      (tx) => tx`select csv is not null as "hasCsv", state, finished_at from import_runs where id = ${runId}`,
    )
    expect(run).toMatchObject({ hasCsv: false, state: 'done' })

    // A second click on the same button starts nothing new.
    const again = await app().request('/import/run', runForm({ runId }, cookie))
    expect(again.status).toBe(303)
    expect((await counts()).cases).toBe(after.cases)

    // Re-uploading the same file finds every row already present: nothing to import.
    const reupload = await (await app().request('/import/preview', upload(goodSheet, 'cases', cookie))).text()
    expect(reupload).toContain('3 already present')
    expect(reupload).toContain('would create 0 cases')
    expect(reupload).not.toMatch(/>Import \d/)
    expect(reupload).toContain('Nothing new: every row is already in the desk.')
    expect((await counts()).cases).toBe(after.cases)
  })

  it('imports accounts after a preview', async () => {
    const sheet = 'Domain,Company,Plan,ARR,Health\nbigco.test,BigCo,Enterprise,"$1,200,000",green\nsmall.test,Small,Starter,12000,red\n'
    const preview = await (await app().request('/import/preview', upload(sheet, 'accounts', cookie))).text()
    expect(preview).toContain('would create 2 accounts')
    expect(preview).toContain('<td>bigco.test</td>')
    const runId = runIdIn(preview)!
    await app().request('/import/run', runForm({ runId }, cookie))
    const { body } = await pollUntilDone(runId)
    expect(body).toMatch(/Imported 2 accounts; \d+ cases linked/)
    expect((await counts()).accounts).toBe(2)
  })

  it('refuses files that cannot be read, naming the problem', async () => {
    const noHeader = await app().request('/import/preview', upload('Foo,Bar\n1,2\n', 'cases', cookie))
    expect(noHeader.status).toBe(422)
    expect(await noHeader.text()).toContain('no column is read as the customer (email or name); choose one below')
    const latin1 = await app().request(
      '/import/preview',
      upload(new Uint8Array([0x4e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x0a]), 'cases', cookie),
    )
    expect(latin1.status).toBe(422)
    expect(await latin1.text()).toContain('not UTF-8')
    const brokenQuote = await app().request('/import/preview', upload('Name,Subject\n"Ana,Oops\n', 'cases', cookie))
    expect(brokenQuote.status).toBe(422)
    expect(await brokenQuote.text()).toMatch(/line 2: a quoted field is never closed/)
    const empty = await app().request('/import/preview', upload('', 'cases', cookie))
    expect(empty.status).toBe(422)
  })

  it('accepts uploads over the 1 MB form limit, up to 20 MB', async () => {
    const row = 'Ana Lima,ana@bigco.test,Billing error,' + 'x'.repeat(1000) + '\n'
    const big = 'Customer,Email,Subject,Description\n' + row.repeat(1500) // ~1.5 MB, one repeated row
    const res = await app().request('/import/preview', upload(big, 'cases', cookie))
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('1,500 rows')
    const huge = new Uint8Array(21 * 1024 * 1024).fill(0x61)
    const tooBig = await app().request('/import/preview', upload(huge, 'cases', cookie))
    expect(tooBig.status).toBe(413)
    // Every other form keeps the 1 MB limit.
    const form = await app().request('/cases', runForm({ subject: 'x', summary: 'y'.repeat(1024 * 1024 + 10) }, cookie))
    expect(form.status).toBe(413)
  })

  it('needs a session and refuses a cross-origin upload', async () => {
    const anonymous = await app().request('/import', { headers: { accept: 'text/html' } })
    expect(anonymous.status).toBe(303)
    const evil = await app().request('/import/preview', upload(goodSheet, 'cases', cookie, { origin: 'https://evil.example' }))
    expect(evil.status).toBe(403)
  })
})
