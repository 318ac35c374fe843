// Every case findable: /cases lists all of an org's cases (open, resolved, closed) with filters
// and keyset pages; /search finds them by words of the subject, the customer, the reference or
// the thread; "ESC-1042" opens that case; nothing of another org is ever listed or found.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestMessage } from '../../src/intake/intake.ts'
import { evalRoot } from '../eval/intake-eval.ts'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('every case findable', () => {
  let db: Db
  let org: Org
  let other: Org
  let cookie: string
  let otherCookie: string
  const ids: Record<string, { id: string; label: string }> = {}

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    other = await seedOrg(db)
    const user = { ...(await seedUser(db, org.id, 'agent')), orgId: org.id }
    cookie = await sessionCookie(db, user)
    const stranger = { ...(await seedUser(db, other.id, 'agent')), orgId: other.id }
    otherCookie = await sessionCookie(db, stranger)
    ids.kowalczyk = await seedCase(db, org.id, {
      from: 'Jan Kowalczyk <jan.kowalczyk@wp.example>',
      subject: 'Reklamacja: śpiwór rozdarty po pierwszym noclegu',
      body: 'Dzień dobry, śpiwór Northwind Polar rozdarł się na szwie. Proszę o zwrot pieniędzy.\n\nJan Kowalczyk',
    })
    ids.refund = await seedCase(db, org.id, {
      from: 'Ana Lima <ana.lima@example.net>',
      subject: 'Still no refund',
      body: 'I returned the tent on 3 October and the refund never came. Tracking shows it was delivered to your warehouse in Leipzig.',
    })
    ids.resolved = await seedCase(db, org.id, { from: 'Old Case <old@example.org>', subject: 'An old matter, long resolved' })
    await db`update cases set status = 'resolved', resolved_at = now() where id = ${ids.resolved.id}`
    ids.foreign = await seedCase(db, other.id, { from: 'Jan Kowalczyk <jan.kowalczyk@wp.example>', subject: 'Kowalczyk at the other org' })
  })
  afterAll(() => db.end())

  const get = (path: string, who = cookie) =>
    createTestApp(db).request(path, { headers: { accept: 'text/html', cookie: who }, redirect: 'manual' })

  it('finds a case by a surname prefix from the customer, and marks the words found', async () => {
    const res = await get('/search?q=kowal')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`/cases/${ids.kowalczyk!.id}`)
    expect(html).toMatch(/<mark>Kowalczyk<\/mark>/)
    // Never the other org's case of the same customer.
    expect(html).not.toContain(ids.foreign!.id)
  })

  it('finds words of the thread, not only the subject', async () => {
    const html = await (await get('/search?q=Leipzig warehouse')).text()
    expect(html).toContain(`/cases/${ids.refund!.id}`)
    expect(html).not.toContain(`/cases/${ids.kowalczyk!.id}`)
  })

  it("finds the words of a PDF letter attached to the mail (the client's address is only in the letter)", async () => {
    const raw = new Uint8Array(await readFile(`${evalRoot}main/legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml`))
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(outcome.status).toBe('created')
    const html = await (await get('/search?q=Kirchweg Starnberg')).text()
    expect(html).toContain(outcome.case!)
    expect(html).toMatch(/<mark>Kirchweg<\/mark>/)
  })

  it('what is typed is words, never query syntax: quotes, operators and markup are harmless', async () => {
    const res = await get(`/search?q=${encodeURIComponent(`'); drop table cases; -- <script>alert(1)</script> & | !:*`)}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).not.toContain('<script>alert(1)</script>')
  })

  it('"ESC-1042" typed in the search, or visited, opens that case', async () => {
    const typed = await get(`/search?q=${encodeURIComponent(ids.refund!.label)}`)
    expect(typed.status).toBe(303)
    expect(typed.headers.get('location')).toBe(`/cases/${ids.refund!.id}`)
    const visited = await get(`/cases/${ids.refund!.label}`)
    expect(visited.status).toBe(302)
    expect(visited.headers.get('location')).toBe(`/cases/${ids.refund!.id}`)
    // A number is this org's case or none: never another org's.
    expect((await get('/cases/ESC-999999')).status).toBe(404)
    expect((await get(`/cases/${ids.foreign!.label}`)).headers.get('location')).not.toBe(`/cases/${ids.foreign!.id}`)
  })

  it('lists resolved and closed cases too, and filters by status', async () => {
    const all = await (await get('/cases')).text()
    for (const k of ['kowalczyk', 'refund', 'resolved']) expect(all).toContain(`/cases/${ids[k]!.id}`)
    expect(all).not.toContain(ids.foreign!.id)
    const resolved = await (await get('/cases?status=resolved')).text()
    expect(resolved).toContain(`/cases/${ids.resolved!.id}`)
    expect(resolved).not.toContain(`/cases/${ids.refund!.id}`)
    const open = await (await get('/cases?status=open')).text()
    expect(open).not.toContain(`/cases/${ids.resolved!.id}`)
  })

  it('pages by key: every case once, newest first, across pages', async () => {
    // 120 more cases, opened a second apart, so the pages have an order to keep.
    const base = Date.now() - 86_400_000
    for (let i = 0; i < 120; i++) {
      const { id } = await seedCase(db, org.id, { from: `Customer ${i} <c${i}@example.com>`, subject: `Paging case ${i}` })
      await db`update cases set opened_at = ${new Date(base + i * 1000)} where id = ${id}`
    }
    const seen: string[] = []
    let path: string | null = '/cases'
    while (path) {
      const html: string = await (await get(path)).text()
      seen.push(...[...html.matchAll(/title="Paging case (\d+)"/g)].map((m) => m[1]!))
      const next: RegExpMatchArray | null = html.match(/href="(\/cases\?after=[^"]+)"/)
      path = next ? next[1]!.replaceAll('&amp;', '&') : null
    }
    expect(seen).toHaveLength(120)
    expect(new Set(seen).size).toBe(120)
    expect(seen.slice(0, 3)).toEqual(['119', '118', '117'])
  })

  it('downloads the filtered list as CSV, streamed, and only this org’s cases', async () => {
    const res = await get('/cases/export.csv?status=resolved')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="cases-\d{4}-\d{2}-\d{2}\.csv"$/)
    const csv = await res.text()
    expect(csv).toContain(ids.resolved!.label)
    expect(csv).not.toContain(ids.refund!.label + ',')
    const foreign = await (await get('/cases/export.csv', otherCookie)).text()
    expect(foreign).not.toContain('Still no refund')
  })
})
