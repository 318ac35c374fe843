import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../src/db.ts'
import { ingestMessage } from '../src/intake/intake.ts'
import type { Org } from '../src/orgs/queries.ts'
import { createTestApp } from './support/app.ts'
import { sessionCookie } from './support/auth.ts'
import { buildEml, seedOrg, seedUser, testDb } from './support/db.ts'

const html = { headers: { accept: 'text/html' } }

describe('app', () => {
  let db: Db
  let org: Org
  let cookie: string
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    cookie = await sessionCookie(db, { ...(await seedUser(db, org.id, 'agent')), orgId: org.id })
  })
  afterAll(() => db.end())

  const appFor = (database = db) => createTestApp(database)

  it('/healthz answers 200 with a database, 503 without one', async () => {
    expect((await appFor().request('/healthz')).status).toBe(200)
    const dead = connect('postgres://postgres@127.0.0.1:1/none', { max: 1, connect_timeout: 2 })
    const res = await appFor(dead).request('/healthz')
    expect(res.status).toBe(503)
    await dead.end()
  })

  it("lists the org's open cases on the queue page, escaped, under a strict CSP with a nonce", async () => {
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ subject: 'Broken <script>alert(1)</script> order', from: '"Eve <img src=x onerror=alert(1)>" <eve@customer.test>' }),
      provider: 'test',
    })
    const res = await appFor().request('/', { headers: { ...html.headers, cookie } })
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toContain('Broken &lt;script&gt;alert(1)&lt;/script&gt; order')
    expect(body).not.toContain('<script>alert(1)')
    expect(body).not.toContain('<img src=x')
    const csp = res.headers.get('content-security-policy') ?? ''
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/)
    expect(body).toContain(`<script nonce="${nonce}" src="/static/htmx.min.js"`)
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })

  it('sends a visitor without a session to /sign-in, and answers API callers 401', async () => {
    const res = await appFor().request('/', html)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/sign-in')
    const htmx = await appFor().request('/', { headers: { 'hx-request': 'true' } })
    expect(htmx.status).toBe(401)
    expect(htmx.headers.get('hx-redirect')).toBe('/sign-in')
    const api = await appFor().request('/')
    expect(api.status).toBe(401)
  })

  it('serves htmx from the bundled file, and a plain 404 for anything else', async () => {
    const js = await appFor().request('/static/htmx.min.js')
    expect(js.headers.get('content-type')).toMatch(/javascript/)
    const missing = await appFor().request('/no/such/page')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { status: 404 } })
  })
})
