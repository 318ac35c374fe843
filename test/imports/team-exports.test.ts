import { readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { enqueueAlerts } from '../../src/digest/alerts.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { insertUser } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { seedOrg, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

// Real teams' exports (test/fixtures/imports, synthetic), through the portal as a person uses it.

const fixture = (name: string) => readFile(new URL(`../fixtures/imports/${name}`, import.meta.url))

/** The fields a browser would send for the form with this id, as the page shows them now. */
function formFields(html: string, formId: string): Record<string, string> {
  const start = html.indexOf(`id="${formId}"`)
  const form = html.slice(start, html.indexOf('</form>', start))
  const fields: Record<string, string> = {}
  for (const m of form.matchAll(/<select name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const options = [...m[2]!.matchAll(/<option value="([^"]*)"( selected="")?/g)]
    fields[m[1]!] = (options.find((o) => o[2]) ?? options[0])?.[1] ?? ''
  }
  for (const m of form.matchAll(/<input type="(hidden|radio|checkbox)" name="([^"]+)" value="([^"]*)"([^>]*)>/g)) {
    if (m[1] === 'hidden' || m[4]!.includes('checked')) fields[m[2]!] = m[3]!
  }
  return fields
}

/** The select of the column with this header, and of a word in it. */
const columnSelect = (html: string, header: string) =>
  new RegExp(`<label for="(col_\\d+)">${header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</label>`).exec(html)?.[1]
const valueSelect = (html: string, word: string) => new RegExp(`<label for="(val_\\d+_\\d+)">${word}</label>`).exec(html)?.[1]

describe("a real team's spreadsheet survives the import", () => {
  let db: Db
  beforeAll(() => {
    db = testDb()
  })
  afterAll(() => db.end())

  async function team(names: [string, string][]) {
    const org = await seedOrg(db, { slug: `x-${randomBytes(4).toString('hex')}` })
    const admin = await insertUser(db, org.id, { email: `ops@${org.slug}.test`, name: 'Ops', role: 'admin' })
    const users: Record<string, string> = {}
    for (const [name, email] of names) users[name] = (await insertUser(db, org.id, { email, name, role: 'agent' })).id
    return { org, users, cookie: await sessionCookie(db, { id: admin.id, orgId: org.id }) }
  }

  const app = () => createTestApp(db)
  async function upload(cookie: string, bytes: Buffer, name: string) {
    const form = new FormData()
    form.set('kind', 'cases')
    form.set('file', new File([new Uint8Array(bytes)], name, { type: 'text/csv' }))
    const res = await app().request('/import/preview', {
      method: 'POST',
      body: form,
      headers: { origin: sameOrigin, accept: 'text/html', cookie },
    })
    return { status: res.status, html: await res.text() }
  }
  const post = async (cookie: string, path: string, fields: Record<string, string>, htmx = false) => {
    const res = await app().request(path, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: {
        origin: sameOrigin,
        accept: 'text/html',
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
        ...(htmx ? { 'hx-request': 'true' } : {}),
      },
    })
    return { status: res.status, html: await res.text(), location: res.headers.get('location') }
  }
  async function runToEnd(cookie: string, fields: Record<string, string>) {
    const started = await post(cookie, '/import/run', fields)
    expect(started.status).toBe(303)
    for (let i = 0; i < 200; i++) {
      const html = await (await app().request(started.location!, { headers: { cookie, accept: 'text/html' } })).text()
      if (!html.includes('hx-trigger="every 1s"')) return html
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('the import never finished')
  }
  const casesOf = (org: Org) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<
        {
          id: string
          number: number
          externalRef: string | null
          subject: string
          summary: string
          source: string
          severity: string
          status: string
          ownerId: string | null
          account: string | null
          fields: { name: string; value: string }[] | null
          openedAt: Date
          message: string | null
          drafts: number
          alerts: { status: string; reason: string }[]
        }[]
      >`
    select c.id, c.number, c.external_ref as "externalRef", c.subject, c.summary, c.source, c.severity, c.status, c.owner_id as "ownerId",
           c.customer_account as account, c.import_fields as fields, c.opened_at as "openedAt",
           (select m.text_body from messages m where m.case_id = c.id and m.direction = 'inbound' order by m.created_at limit 1) as message,
           (select count(*)::int from jobs j where j.kind = 'draft' and j.payload->>'caseId' = c.id::text) as drafts,
           coalesce((select json_agg(json_build_object('status', a.status, 'reason', a.reason)) from alerts_sent a where a.case_id = c.id), '[]') as alerts
    from cases c order by c.number`,
    )

  it('Google Sheets tracker: every column read, its words mapped, the row text the first message, SEV-1 without an alert', async () => {
    const { org, users, cookie } = await team([
      ['Dana Ruiz', 'dana@northwind.test'],
      ['Sam Patel', 'sam@northwind.test'],
    ])
    const preview = await upload(cookie, await fixture('google-sheets-escalation-tracker.csv'), 'Escalations 2025 - March.csv')
    expect(preview.status).toBe(200)
    const { html } = preview
    expect(html).toContain('Separated by commas')
    // Columns: each read as what it is (the two that used to be refused or ignored included).
    for (const [header, use] of [
      ['Ticket #', 'externalRef'],
      ['Issue Summary', 'subject'],
      ['Details', 'summary'],
      ['Notes', 'summary'],
      ['Company', 'account'],
      ['Channel', 'source'],
      ['Priority', 'severity'],
      ['Owner', 'owner'],
      ['Follow-up Date', 'keep'],
    ] as const) {
      expect(formFields(html, 'import-mapping')[columnSelect(html, header)!], header).toBe(use)
    }
    // Words: as the team writes them.
    const fields = formFields(html, 'import-mapping')
    for (const [word, meaning] of [
      ['Lawyer letter', 'lawyer'],
      ['Attorney letter', 'lawyer'],
      ['Legal', 'lawyer'],
      ['CEO email', 'ceo_inbox'],
      ['BBB', 'bbb'],
      ['Twitter', 'social'],
      ['P1', 'SEV-1'],
      ['Critical', 'SEV-1'],
      ['P4', 'SEV-4'],
      ['Dana', users['Dana Ruiz']!],
      ['Sam Patel', users['Sam Patel']!],
      ['Waiting on customer', 'waiting_customer'],
    ] as const) {
      expect(fields[valueSelect(html, word)!], word).toBe(meaning)
    }
    // The one row with a Twitter handle for an address is named, with its line.
    expect(html).toMatch(/<strong>Line 6:<\/strong> customerEmail: &quot;@jreyes_outdoors&quot; is not an email address/)
    expect(html).toContain('would create 7 cases')

    const report = await runToEnd(cookie, { ...fields, allowPartial: '1' })
    expect(report).toContain('Created 7 cases')
    // The import's cases are listed, whatever source their rows named.
    const listed = [...report.matchAll(/<tr><td><a href="\/cases\/[^"]+">(ESC-\d+)<\/a><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map(
      (m) => m[3],
    )
    expect(listed).toEqual(['Lawyer', 'CEO inbox', 'BBB', 'Lawyer', 'Direct', 'Lawyer', 'Form'])

    const cases = await casesOf(org)
    expect(cases).toHaveLength(7)
    const demand = cases.find((c) => c.externalRef === 'ESC-0412')!
    expect(demand).toMatchObject({
      subject: 'Demand letter re: defective tent recall (client: R. Dunn)',
      source: 'lawyer',
      severity: 'SEV-1',
      status: 'in_progress',
      ownerId: users['Dana Ruiz'],
      account: 'Holloway & Finch LLP',
      fields: [{ name: 'Follow-up Date', value: '3/17/2025' }],
    })
    expect(demand.message).toContain('Letter from counsel for Robert Dunn')
    expect(demand.message).toContain('Notes: Legal (Priya) looped in 3/4, do NOT reply without her sign-off')
    expect(demand.openedAt.toISOString()).toBe('2025-03-03T00:00:00.000Z')
    // Every open case gets its draft; the closed one does not.
    expect(cases.filter((c) => c.drafts === 1).map((c) => c.externalRef)).toEqual([
      'ESC-0412',
      'ESC-0413',
      'BBB-22817345',
      'ESC-0416',
      'ESC-0418',
      'ESC-0419',
    ])
    // SEV-1 rows do not alert: their alert is recorded as skipped, and the scheduler's scan queues none.
    expect(demand.alerts).toEqual([{ status: 'skipped', reason: 'imported from a spreadsheet with alerts off' }])
    const claims = await enqueueAlerts(db, testEnv(), new Date(), [org.id])
    expect(claims.filter((c) => c.kind === 'new_sev1')).toEqual([])

    // The case page shows what the row brought.
    const page = await (await app().request(`/cases/${demand.id}`, { headers: { cookie, accept: 'text/html' } })).text()
    expect(page).toContain('From the spreadsheet')
    expect(page).toMatch(/<dt>Company<\/dt><dd>Holloway &amp; Finch LLP<\/dd>/)
    expect(page).toMatch(/<dt>Follow-up Date<\/dt><dd class="prewrap">3\/17\/2025<\/dd>/)
    expect(page).toContain('Letter from counsel for Robert Dunn')
  })

  it('SEV-1 alerts go out for an import when the person asks for them', async () => {
    const { org, cookie } = await team([['Dana Ruiz', 'dana@northwind.test']])
    await insertUser(db, org.id, { email: `lead@${org.slug}.test`, name: 'Lead', role: 'approver' })
    const { html } = await upload(cookie, await fixture('google-sheets-escalation-tracker.csv'), 'tracker.csv')
    expect(html).toMatch(/Send SEV-1 alerts for the open SEV-1 rows \(2\)/)
    await runToEnd(cookie, { ...formFields(html, 'import-mapping'), allowPartial: '1', alerts: '1' })
    const claims = await enqueueAlerts(db, testEnv(), new Date(), [org.id])
    expect(claims.filter((c) => c.kind === 'new_sev1' && c.status === 'queued')).toHaveLength(2)
  })

  it('German Excel (semicolons, BOM): the person maps its columns and words once; the next file is read the same way', async () => {
    const { org, users, cookie } = await team([
      ['Jana Weber', 'jana@brightline.test'],
      ['Tobias Klein', 'tobias@brightline.test'],
    ])
    const first = await upload(cookie, await fixture('excel-de-semicolon-bom.csv'), 'Eskalationen_März.csv')
    // Readable, but not yet importable: nothing says what a case is about. Not refused: kept to map.
    expect(first.status).toBe(422)
    expect(first.html).toContain('Separated by semicolons')
    expect(first.html).toContain('no column is read as what it is about (subject or summary); choose one below')
    expect(first.html).not.toContain('Import 5 cases')

    // The person says what the columns are (htmx posts the form on each change; once here).
    const runId = /name="runId" value="(\d+)"/.exec(first.html)![1]!
    const columns: Record<string, string> = {
      Eingangsdatum: 'receivedAt',
      'Vorgangsnr.': 'externalRef',
      Kunde: 'customerName',
      Firma: 'account',
      Kanal: 'source',
      Betreff: 'subject',
      Beschreibung: 'summary',
      Priorität: 'severity',
      Bearbeiter: 'owner',
      Notizen: 'summary',
    }
    const chosen = formFields(first.html, 'import-mapping')
    for (const [header, use] of Object.entries(columns)) chosen[columnSelect(first.html, header)!] = use
    const mapped = await post(cookie, `/import/${runId}/mapping`, chosen, true)
    expect(mapped.status).toBe(200)
    // Now its words: the guesses it can make, the rest left for the person (rows with them refused until then).
    const words = formFields(mapped.html, 'import-mapping')
    expect(words[valueSelect(mapped.html, 'E-Mail an GF')!]).toBe('direct') // "E-Mail" reads as mail: the person knows GF is the CEO
    expect(words[valueSelect(mapped.html, 'Anwaltsschreiben')!]).toBe('?')
    expect(words[valueSelect(mapped.html, 'Jana Weber')!]).toBe(users['Jana Weber'])
    expect(mapped.html).toContain('5 with errors')
    for (const [word, meaning] of [
      ['Anwaltsschreiben', 'lawyer'],
      ['E-Mail an GF', 'ceo_inbox'],
      ['Telefon', 'direct'],
      ['Verbraucherzentrale', 'regulator'],
      ['Kontaktformular', 'form'],
      ['Kritisch', 'SEV-1'],
      ['Hoch', 'SEV-2'],
      ['Mittel', 'SEV-3'],
      ['Niedrig', 'SEV-4'],
      ['In Bearbeitung', 'in_progress'],
      ['Offen', 'new'],
      ['Erledigt', 'closed'],
    ] as const) {
      words[valueSelect(mapped.html, word)!] = meaning
    }
    const ready = await post(cookie, `/import/${runId}/mapping`, words, true)
    expect(ready.html).toContain('0 with errors')
    expect(ready.html).toContain('Import 5 cases')

    // Imported as history: no drafts, and every case says so.
    const report = await runToEnd(cookie, { ...formFields(ready.html, 'import-mapping'), drafts: 'history' })
    expect(report).toContain('Created 5 cases')
    expect(report).toContain('No drafts: imported history.')
    const cases = await casesOf(org)
    expect(cases.map((c) => [c.externalRef, c.source, c.severity, c.status, c.drafts])).toEqual([
      ['V-2025-0311', 'lawyer', 'SEV-1', 'in_progress', 0],
      ['V-2025-0312', 'ceo_inbox', 'SEV-2', 'triaged', 0],
      ['V-2025-0313', 'direct', 'SEV-3', 'closed', 0],
      ['V-2025-0314', 'regulator', 'SEV-2', 'triaged', 0],
      ['V-2025-0315', 'form', 'SEV-4', 'new', 0],
    ])
    expect(cases[0]!.subject).toBe('Abmahnung wegen Werbeaussage "klimaneutral"')
    expect(cases[0]!.message).toBe(
      'Abmahnung im Auftrag der Wettbewerbszentrale; Frist zur Unterlassungserklärung bis 17.03.2025.\nOriginal liegt in der Rechtsabteilung.\n\nNotizen: Rückruf Fr. Brandt vereinbart',
    )
    expect(cases[0]!.openedAt.toISOString()).toBe('2025-03-03T09:14:00.000Z') // the org's zone is UTC
    expect(cases[1]!.ownerId).toBe(users['Tobias Klein'])
    const page = await (await app().request(`/cases/${cases[0]!.id}`, { headers: { cookie, accept: 'text/html' } })).text()
    expect(page).toContain('No draft: imported history.')

    // April's export of the same list: read the way March's was confirmed, ready at once.
    const april = await upload(cookie, await fixture('excel-de-semicolon-bom-april.csv'), 'Eskalationen_April.csv')
    expect(april.status).toBe(200)
    expect(april.html).toContain('0 with errors')
    expect(april.html).toContain('Import 2 cases')
    const again = formFields(april.html, 'import-mapping')
    expect(again[columnSelect(april.html, 'Betreff')!]).toBe('subject')
    expect(again[valueSelect(april.html, 'Anwaltsschreiben')!]).toBe('lawyer')
  })

  it('pressing Import after changing the mapping without applying it previews the change first', async () => {
    const { org, cookie } = await team([])
    const { html } = await upload(cookie, await fixture('zendesk-tickets-export.csv'), 'tickets.csv')
    const fields = formFields(html, 'import-mapping')
    fields[columnSelect(html, 'Tags')!] = 'ignore'
    const res = await post(cookie, '/import/run', fields)
    expect(res.status).toBe(200)
    expect(res.html).toContain('Your changes are applied: check the preview, then press Import.')
    expect(await casesOf(org)).toEqual([])
  })

  it("a Zendesk export through `desk import`: the org's names, Zendesk's words, unknown columns kept", async () => {
    const { org, users } = await team([
      ['Dana Ruiz', 'dana@northwind.test'],
      ['Sam Patel', 'sam@northwind.test'],
    ])
    const path = new URL('../fixtures/imports/zendesk-tickets-export.csv', import.meta.url).pathname
    const result = await runDesk(['import', path, '--org', org.slug], { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
    expect(result.stderr).toContain('kept as case fields: Group, Type, Tags, Updated at')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/created 5 cases \(ESC-\d+…ESC-\d+\), 0 already present, 0 rows skipped/)
    const cases = await casesOf(org)
    expect(cases.map((c) => [c.externalRef, c.source, c.severity, c.status, c.ownerId])).toEqual([
      ['48213', 'direct', 'SEV-2', 'triaged', users['Dana Ruiz']],
      ['48230', 'form', 'SEV-1', 'triaged', users['Sam Patel']],
      ['48244', 'social', 'SEV-3', 'waiting_customer', null],
      ['48251', 'direct', 'SEV-2', 'in_progress', users['Dana Ruiz']],
      ['48262', 'direct', 'SEV-4', 'resolved', users['Sam Patel']],
    ])
    expect(cases[1]!.fields).toEqual([
      { name: 'Group', value: 'Escalations' },
      { name: 'Type', value: 'Incident' },
      { name: 'Tags', value: 'safety injury legal_risk' },
      { name: 'Updated at', value: '2025-03-03 07:40' },
    ])
    expect(cases[1]!.alerts).toEqual([{ status: 'skipped', reason: 'imported from a spreadsheet with alerts off' }])
  })
})
