import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateSession } from '../../src/auth/sessions.ts'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const page = (cookie?: string) => ({ headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } })

describe('sessions', () => {
  let db: Db
  let org: Org
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const signedIn = async (role: 'agent' | 'admin' = 'agent') => {
    const user = { ...(await seedUser(db, org.id, role)), orgId: org.id }
    return { user, cookie: await sessionCookie(db, user) }
  }

  it('shows the signed-in user in the header with a sign-out button', async () => {
    const { user, cookie } = await signedIn()
    const body = await (await app().request('/', page(cookie))).text()
    expect(body).toContain(`title="${user.email}"`)
    expect(body).toMatch(/<form method="post" action="\/sign-out"/)
  })

  it('signing out revokes the session: the old cookie is sent to /sign-in', async () => {
    const { user, cookie } = await signedIn()
    const out = await app().request('/sign-out', formPost({}, { cookie }))
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/sign-in')
    expect(out.headers.get('set-cookie')).toMatch(/desk_session=;.*Max-Age=0/)
    const [row] = await db`select revoked_at from sessions where user_id = ${user.id}`
    expect(row!.revoked_at).toBeInstanceOf(Date)
    const after = await app().request('/', page(cookie))
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toBe('/sign-in')
    const [audit] =
      await db`select action, actor_id from audit_events where org_id = ${org.id} and action = 'user.sign_out' and actor_id = ${user.id}`
    expect(audit).toBeTruthy()
  })

  it("a disabled user's session stops working at once", async () => {
    const { user, cookie } = await signedIn()
    expect((await app().request('/', page(cookie))).status).toBe(200)
    await db`update app_users set disabled_at = now() where id = ${user.id}`
    expect((await app().request('/', page(cookie))).status).toBe(303)
  })

  it('ignores unknown, malformed and expired cookies', async () => {
    expect(await validateSession(db, 'x'.repeat(43))).toBeNull()
    expect(await validateSession(db, 'short')).toBeNull()
    const { user, cookie } = await signedIn()
    await db`update sessions set expires_at = now() - interval '1 second' where user_id = ${user.id}`
    expect((await app().request('/', page(cookie))).status).toBe(303)
  })

  it('refuses a cross-origin form post (CSRF) with 403 and accepts the same origin', async () => {
    const { cookie } = await signedIn()
    const evil = await app().request('/sign-out', formPost({}, { cookie, origin: 'https://evil.example' }))
    expect(evil.status).toBe(403)
    const crossSite = await app().request(
      '/sign-out',
      formPost({}, { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    )
    expect(crossSite.status).toBe(403)
    const noOrigin = await app().request('/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a@b.test',
    })
    expect(noOrigin.status).toBe(403)
    expect((await app().request('/', page(cookie))).status).toBe(200) // still signed in
    const same = await app().request('/sign-out', formPost({}, { cookie }))
    expect(same.status).toBe(303)
    expect(await validateSession(db, cookie.split('=')[1])).toBeNull()
  })

  it('accepts the public URL as an origin (a proxy in front) and leaves /inbound to its own checks', async () => {
    const behindProxy = createTestApp(db, { env: testEnv({ PUBLIC_URL: 'https://desk.example.com' }) })
    const res = await behindProxy.request(
      '/sign-in',
      formPost({ email: 'x@example.test' }, { origin: 'https://desk.example.com', 'x-forwarded-for': '198.51.100.7' }),
    )
    expect(res.status).not.toBe(403)
    const webhookApp = createTestApp(db, { env: testEnv({ INBOUND_SECRET: 'a-long-enough-inbound-secret' }) })
    const inbound = await webhookApp.request('/inbound/raw', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: 'x',
    })
    expect(inbound.status).not.toBe(403)
  })

  it('refuses a form body over 1 MB with 413', async () => {
    const res = await app().request('/sign-in', formPost({ email: 'a@b.test', padding: 'x'.repeat(1024 * 1024 + 10) }))
    expect(res.status).toBe(413)
  })
})
