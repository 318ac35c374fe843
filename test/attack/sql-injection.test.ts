import { randomBytes, randomUUID } from 'node:crypto'
import { Parser } from 'htmlparser2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { signRaw } from '../support/inbound.ts'

// Attack suite: SQL injection (and other hostile text) in every text input and query
// parameter the routes read. Routes are read from the app, field names from the forms the app
// itself renders (plus the ones htmx posts), so a new form is attacked as soon as it exists.
// Every answer is below 500 and quick (no pg_sleep ran), another org is untouched, the tables are
// all there, and what a person typed is stored exactly as typed.

const payloads = [
  "' OR '1'='1",
  "'; DROP TABLE cases; --",
  "1; UPDATE app_users SET role = 'admin'; --",
  "') OR 1=1 --",
  '" OR ""="',
  "'; SELECT pg_sleep(5); --",
  "1' AND (SELECT pg_sleep(5)) IS NULL --",
  "' UNION SELECT email, role FROM app_users --",
  '$$; DROP TABLE audit_events; $$',
  "\\'; DROP TABLE orgs; --",
  "%' --",
  '_%',
  "E'\\x41'",
  '1::int',
  "'::regclass",
  '{"$gt": ""}',
  '${7*7}',
  '$1',
  '?',
  'NaN',
  '-1',
  '99999999999999999999',
  '2026-13-45',
  "SEV-1' --",
  '\\',
  '🙂\'"',
  'a\u0000b',
  '\ud800',
  `'${'x'.repeat(5000)}`,
  '<script>alert(1)</script>',
]

const knownQueryNames = [
  'view',
  'source',
  'severity',
  'notice',
  'token',
  't',
  'r',
  'period',
  'from',
  'to',
  'q',
  'status',
  'owner',
  'page',
  'sort',
  'org',
  'weeks',
  'format',
  'kind',
]
const knownFieldNames = [
  'text',
  'reason',
  'severity',
  'status',
  'ownerId',
  'source',
  'customerName',
  'customerEmail',
  'subject',
  'summary',
  'body',
  'to',
  'baseVersion',
  'instruction',
  'draftId',
  'decision',
  'note',
  'ack',
  'token',
  't',
  'rating',
  'comment',
  'email',
  'name',
  'role',
  'runId',
  'allowPartial',
  'kind',
  'timezone',
  'digest_recipients',
  'title',
  'description',
  'actionId',
]

/** Names of the inputs of every form on a page, and where each form posts. */
function formsOf(html: string) {
  const names = new Set<string>()
  const actions = new Set<string>()
  new Parser({
    onopentag(tag, attrs) {
      if (tag === 'form' && attrs.action) actions.add(attrs.action)
      if (['input', 'textarea', 'select', 'button'].includes(tag) && attrs.name) names.add(attrs.name)
    },
  }).end(html)
  return { names, actions }
}

describe('SQL injection and hostile text in every input', () => {
  let db: Db
  let org: Org
  let victim: Org
  let admin: { id: string; email: string; cookie: string }
  let caseId: string
  const app = () => createTestApp(db, { env: testEnv({ INBOUND_SECRET: 'sqli-inbound-secret-0123456789' }) })

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    victim = await seedOrg(db)
    const user = await seedUser(db, org.id, 'admin')
    admin = { ...user, cookie: await sessionCookie(db, { id: user.id, orgId: org.id }) }
    caseId = (await seedCase(db, org.id)).id
    await seedDraft(db, org.id, caseId)
    await seedUser(db, victim.id, 'admin')
    await seedCase(db, victim.id)
  })
  afterAll(() => db.end())

  const victimState = () => db`
    select (select count(*)::int from cases where org_id = ${victim.id}) as cases,
           (select count(*)::int from messages where org_id = ${victim.id}) as messages,
           (select count(*)::int from audit_events where org_id = ${victim.id}) as audit,
           (select string_agg(role || ':' || (disabled_at is null), ',' order by email) from app_users where org_id = ${victim.id}) as users,
           (select count(*)::int from orgs) > 1 as orgs,
           (select string_agg(role, ',' order by email) from app_users where org_id = ${org.id} and id <> ${admin.id}) as ourRoles,
           (select count(*)::int from pg_tables where schemaname = 'public') as tables`

  // (A lone surrogate cannot be percent-encoded; U+FFFD is what a browser would send.)
  const fill = (path: string, value: string) =>
    path.replace(/:(\w+)/g, (_, name: string) =>
      name === 'id' && path.startsWith('/cases/') ? caseId : encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd')),
    )
  const isPortal = (path: string) => !/^\/(inbound|static|healthz|favicon\.ico)/.test(path)

  async function discover() {
    const names = new Set([...knownFieldNames, ...knownQueryNames])
    for (const route of app().routes.filter((r) => r.method === 'GET' && isPortal(r.path) && !r.path.includes('*'))) {
      const res = await app().request(fill(route.path, randomUUID()), { headers: { accept: 'text/html', cookie: admin.cookie } })
      if (!(res.headers.get('content-type') ?? '').includes('text/html')) {
        // A streamed download (the cases CSV) holds its transaction until its body is read or cancelled.
        await res.body?.cancel()
        continue
      }
      for (const name of formsOf(await res.text()).names) names.add(name)
    }
    return [...names]
  }

  it('every GET route and query parameter: no 5xx, no delay, nothing changed elsewhere', { timeout: 120_000 }, async () => {
    const names = await discover()
    const before = await victimState()
    const problems: string[] = []
    const routes = app().routes.filter((r) => r.method === 'GET' && isPortal(r.path) && !r.path.includes('*'))
    expect(routes.length).toBeGreaterThan(15)
    for (const route of routes) {
      for (const value of payloads) {
        const query = names
          .map((n) => `${encodeURIComponent(n)}=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'))}`)
          .join('&')
        for (const path of [
          `${fill(route.path, randomUUID())}?${query}`,
          `${route.path.includes(':') ? fill(route.path.replace(':id', ':x'), value.replace(/[\ud800-\udfff]/g, '')) : fill(route.path, '')}?${query}`,
        ]) {
          const started = Date.now()
          const res = await app().request(path, { headers: { accept: 'text/html', cookie: admin.cookie } })
          const ms = Date.now() - started
          if (res.status >= 500 || ms > 3000)
            problems.push(`GET ${route.path} with ${JSON.stringify(value).slice(0, 40)}: ${res.status} in ${ms} ms`)
          await res.body?.cancel()
        }
      }
    }
    expect(problems).toEqual([])
    expect(await victimState()).toEqual(before)
  })

  it('every POST route and form field: no 5xx, no delay, nothing changed elsewhere', { timeout: 120_000 }, async () => {
    const names = await discover()
    const before = await victimState()
    const problems: string[] = []
    const routes = app().routes.filter(
      (r) => r.method === 'POST' && isPortal(r.path) && r.path !== '/sign-out' && r.path !== '/sign-in/confirm',
    )
    for (const route of routes) {
      for (const value of payloads) {
        const body = new URLSearchParams(Object.fromEntries(names.map((n) => [n, value]))).toString()
        const started = Date.now()
        const res = await app().request(fill(route.path, value), {
          method: 'POST',
          body,
          headers: { accept: 'text/html', cookie: admin.cookie, origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        })
        const ms = Date.now() - started
        if (res.status >= 500 || ms > 3000)
          problems.push(`POST ${route.path} with ${JSON.stringify(value).slice(0, 40)}: ${res.status} in ${ms} ms`)
        await res.body?.cancel()
      }
    }
    // Sign-in confirmation and sign-out would replace the session the loop uses: last, and once.
    for (const value of payloads) {
      const res = await app().request('/sign-in/confirm', {
        method: 'POST',
        body: new URLSearchParams({ token: value }).toString(),
        headers: { origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      })
      if (res.status >= 500) problems.push(`POST /sign-in/confirm with ${JSON.stringify(value).slice(0, 40)}: ${res.status}`)
    }
    expect(problems).toEqual([])
    const after = await victimState()
    expect(after).toEqual(before)
  })

  it('stores what a person typed exactly as typed: notes and new cases', async () => {
    const post = (path: string, fields: Record<string, string>) =>
      app().request(path, {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { accept: 'text/html', cookie: admin.cookie, origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      })
    const typed = payloads.filter((p) => !p.includes('\u0000') && !/[\ud800-\udfff]/.test(p) && p.length < 200)
    for (const value of typed) {
      const text = `Note: ${value}`
      expect((await post(`/cases/${caseId}/notes`, { text })).status).toBeLessThan(400)
      const [note] = await withOrg(
        db,
        org.id,
        (tx) =>
          tx<
            { text: string }[]
          >`select text_body as text from messages where case_id = ${caseId} and direction = 'note' order by created_at desc, id desc limit 1`,
      )
      expect(note!.text).toBe(text)
    }
    const subject = `Refund ${payloads[1]}`
    const res = await post('/cases', {
      source: 'form',
      customerName: payloads[0]!,
      customerEmail: 'pat@customer.test',
      subject,
      summary: `Summary ${payloads[2]}`,
      severity: 'SEV-2',
    })
    expect(res.status).toBeLessThan(400)
    const [created] = await withOrg(
      db,
      org.id,
      (tx) =>
        tx<
          { customerName: string; summary: string }[]
        >`select customer_name as "customerName", summary from cases where subject = ${subject}`,
    )
    expect(created).toEqual({ customerName: payloads[0], summary: `Summary ${payloads[2]}` })
  })

  it('hostile ?org= slugs and headers on the signed raw endpoint are quarantined, never run', async () => {
    const before = await victimState()
    for (const value of payloads) {
      const raw = buildEml({
        to: `escalations@${org.slug}.test`,
        subject: value.replace(/[\r\n]/g, ''),
        from: `"${value.replace(/["\r\n\\]/g, '')}" <x@customer.test>`,
        messageId: `${randomBytes(4).toString('hex')}${value.replace(/[<>\s]/g, '')}@x.test`,
      })
      const target = `/inbound/raw?org=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}`
      const res = await app().request(target, {
        method: 'POST',
        body: raw as BodyInit,
        headers: { 'content-type': 'message/rfc822', ...signRaw('sqli-inbound-secret-0123456789', raw, { target }) },
      })
      expect({ value, status: res.status }).toEqual({ value, status: 200 })
      expect((await res.json()).status).toBe('quarantined')
    }
    expect(await victimState()).toEqual(before)
  })
})
