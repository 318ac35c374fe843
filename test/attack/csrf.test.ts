import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

// Attack suite: CSRF on every form. The POST routes are read from the app itself,
// so a new form is attacked here as soon as it exists. A signed-in admin's browser is made to
// post from another site in every way a page can (form, fetch with a simple content type, a
// sandboxed frame's "null" origin, a sibling subdomain, no origin at all): each is refused with
// 403 and nothing changes. The same posts from the desk's own origin get past the check.

const machinePath = (path: string) => /^\/(inbound|static|healthz|api|integrations)(\/|$)/.test(path)

type Ids = { caseId: string; userId: string }

/** Real ids where a form acts on one; any other parameter gets a well-formed id (the CSRF
 * check runs before a handler looks anything up, so a new route is attacked all the same). */
function fill(path: string, ids: Ids): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'id' && path.startsWith('/cases/')) return ids.caseId
    if (name === 'id' && path.startsWith('/admin/users/')) return ids.userId
    return randomUUID()
  })
}

/** Fields that would make each form do its work, so a 403 is the CSRF check and nothing else. */
const fields = (ids: Ids & { token: string; draftId: string }): Record<string, string> => ({
  ownerId: ids.userId,
  severity: 'SEV-1',
  status: 'in_progress',
  reason: 'csrf attempt',
  text: 'csrf note',
  role: 'admin',
  email: 'mallory@evil.test',
  name: 'Mallory',
  source: 'form',
  customerName: 'Mallory',
  customerEmail: 'mallory@evil.test',
  subject: 'Forged by another site',
  summary: 'A forged escalation from another site',
  body: 'Forged reply body text.',
  to: 'mallory@evil.test',
  baseVersion: '1',
  instruction: 'be forged',
  draftId: ids.draftId,
  decision: 'approved',
  token: ids.token,
  runId: '1',
  aiEnabled: '0',
  senderName: 'Forged',
  signature: 'Forged',
  timezone: 'UTC',
})

const forgedHeaders: [string, Record<string, string>][] = [
  ['form from another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
  ['another origin, no fetch metadata', { origin: 'https://evil.example' }],
  ['sandboxed frame (origin null)', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
  ['sibling subdomain', { origin: 'http://evil.localhost', 'sec-fetch-site': 'same-site' }],
  ['fetch metadata only', { 'sec-fetch-site': 'cross-site' }],
  ['no origin at all', {}],
  ['look-alike origin', { origin: 'http://localhost.evil.example' }],
  ['origin with a port', { origin: 'http://localhost:1' }],
]

const contentTypes: [string, (f: Record<string, string>) => { body: BodyInit; type?: string }][] = [
  ['urlencoded', (f) => ({ body: new URLSearchParams(f).toString(), type: 'application/x-www-form-urlencoded' })],
  [
    'multipart',
    (f) => {
      const form = new FormData()
      for (const [k, v] of Object.entries(f)) form.set(k, v)
      form.set('file', new File(['Name,Subject\nA,B\n'], 'x.csv'))
      return { body: form }
    },
  ],
  ['text/plain', (f) => ({ body: new URLSearchParams(f).toString(), type: 'text/plain' })],
  // Not a simple request: a browser would preflight it, and the desk answers no preflight.
  // Refused all the same, so no content type reaches a form handler from another site.
  ['json', (f) => ({ body: JSON.stringify(f), type: 'application/json' })],
]

describe('CSRF on every form', () => {
  let db: Db
  let org: Org
  let admin: { id: string; cookie: string }
  let ids: Ids & { token: string; draftId: string }

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const user = await seedUser(db, org.id, 'admin')
    admin = { id: user.id, cookie: await sessionCookie(db, { id: user.id, orgId: org.id }) }
    const victimUser = await seedUser(db, org.id, 'agent')
    const kase = await seedCase(db, org.id)
    const draft = await seedDraft(db, org.id, kase.id)
    const key = await linkSigningKey(db, undefined)
    const link = await withOrg(db, org.id, (tx) =>
      issueLinkToken(tx, key, { orgId: org.id, userId: victimUser.id, purpose: 'sign_in', ttlSeconds: 900 }),
    )
    ids = { caseId: kase.id, userId: victimUser.id, token: link.token, draftId: draft.id }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  /** The CSRF check's own answer, told apart from a handler's 403 by its message. */
  let csrfMessage = ''
  const isCsrfRefusal = async (res: Response) => {
    if (res.status !== 403) return false
    const text = await res.text()
    return text.startsWith('{') && (JSON.parse(text) as { error?: { message?: string } }).error?.message === csrfMessage
  }
  beforeAll(async () => {
    const res = await app().request('/sign-in', {
      method: 'POST',
      body: 'email=a%40b.test',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    })
    csrfMessage = ((await res.json()) as { error: { message: string } }).error.message
    expect(csrfMessage).toBeTruthy()
  })
  const posts = () => app().routes.filter((r) => r.method === 'POST' && !machinePath(r.path))

  /** Everything a forged post could change in the org, and the sign-in state of its users. */
  const snapshot = () => db`
    select (select count(*)::int from audit_events where org_id = ${org.id}) as audit,
           (select count(*)::int from cases where org_id = ${org.id}) as cases,
           (select count(*)::int from messages where org_id = ${org.id}) as messages,
           (select count(*)::int from drafts where org_id = ${org.id}) as drafts,
           (select count(*)::int from approvals where org_id = ${org.id}) as approvals,
           (select count(*)::int from jobs where org_id = ${org.id}) as jobs,
           (select count(*)::int from sessions where org_id = ${org.id}) as sessions,
           (select count(*)::int from sessions where org_id = ${org.id} and revoked_at is not null) as revoked,
           (select count(*)::int from link_tokens where org_id = ${org.id} and consumed_at is not null) as consumed,
           (select string_agg(email || ':' || role || ':' || (disabled_at is null), ',' order by email) from app_users where org_id = ${org.id}) as users,
           (select md5(settings::text) from orgs where id = ${org.id}) as settings,
           -- Mail of this org, or to its users (a sign-in link may carry no org); other test files
           -- running at the same time write to the same dev mailbox.
           (select count(*)::int from dev_mailbox m where m.org_id = ${org.id}
              or m.to_addresses && array(select email from app_users where org_id = ${org.id})) as mail`

  it('covers every POST route of the portal', () => {
    const paths = posts().map((r) => r.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/sign-in',
        '/sign-in/confirm',
        '/sign-out',
        '/approve',
        '/cases',
        '/cases/:id/notes',
        '/cases/:id/approval/decide',
        '/cases/:id/drafts',
        '/admin/users',
        '/admin/settings',
        '/admin/drafting',
        '/import/preview',
        '/import/run',
      ]),
    )
  })

  // Every POST route times every forged origin and content type: minutes on a loaded machine.
  it('refuses every cross-site post with 403, whatever its content type, and changes nothing', { timeout: 120_000 }, async () => {
    const before = await snapshot()
    const answered: string[] = []
    for (const route of posts()) {
      const path = fill(route.path, ids)
      for (const [how, headers] of forgedHeaders) {
        for (const [typeName, make] of contentTypes) {
          const { body, type } = make(fields(ids))
          const res = await app().request(path, {
            method: 'POST',
            body,
            headers: { accept: 'application/json', cookie: admin.cookie, ...(type ? { 'content-type': type } : {}), ...headers },
          })
          if (!(await isCsrfRefusal(res))) answered.push(`${route.path} (${how}, ${typeName}): ${res.status}`)
        }
      }
    }
    expect(answered).toEqual([])
    expect(await snapshot()).toEqual(before)
  })

  it('refuses every post from a DNS-rebound page, whose Origin equals its own Host, and changes nothing', async () => {
    // The browser believes the rebound page and the desk are one origin, so it sends
    // Sec-Fetch-Site: same-origin and an Origin that matches the Host it sends.
    const rebound = 'http://rebind.attacker.test:18787'
    const before = await snapshot()
    const answered: string[] = []
    for (const route of posts()) {
      const res = await app().request(`${rebound}${fill(route.path, ids)}`, {
        method: 'POST',
        body: new URLSearchParams(fields(ids)).toString(),
        headers: {
          accept: 'application/json',
          cookie: admin.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: rebound,
          'sec-fetch-site': 'same-origin',
        },
      })
      if (res.status !== 421) answered.push(`${route.path}: ${res.status}`)
    }
    expect(answered).toEqual([])
    expect(await snapshot()).toEqual(before)
  })

  it("lets the same posts through from the desk's own origin (the 403 above is the CSRF check)", async () => {
    const blocked: string[] = []
    for (const route of posts()) {
      if (route.path === '/sign-out' || route.path === '/sign-in/confirm') continue // would end or replace the session used here
      const res = await app().request(fill(route.path, ids), {
        method: 'POST',
        body: new URLSearchParams(fields(ids)).toString(),
        headers: {
          accept: 'application/json',
          cookie: admin.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: sameOrigin,
          'sec-fetch-site': 'same-origin',
        },
      })
      // A handler may refuse with its own 403 (say, acknowledging a case someone else owns).
      if (await isCsrfRefusal(res)) blocked.push(route.path)
    }
    expect(blocked).toEqual([])
  })
})
