import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertSsoSettings } from '../../src/auth/oidc-queries.ts'
import { networkSummary } from '../../src/auth/session-admin.ts'
import { issueSignInLink } from '../../src/auth/sign-in.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Sessions people can see and end, the idle timeout, who keeps emailed links once an org
// requires single sign-on, and the admin page that sets all of it.

const page = (cookie?: string) => ({
  headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
})
let db: Db
beforeAll(() => {
  db = testDb()
})
afterAll(() => db.end())
const app = () => createTestApp(db)

async function signedIn(org: Org, role: 'agent' | 'approver' | 'admin' = 'agent') {
  const user = { ...(await seedUser(db, org.id, role)), orgId: org.id }
  return { user, cookie: await sessionCookie(db, user) }
}
const sessionIdOf = async (userId: string) => (await db<{ id: string }[]>`select id from sessions where user_id = ${userId}`)[0]!.id
const revokedAt = async (id: string) =>
  (await db<{ revokedAt: Date | null }[]>`select revoked_at as "revokedAt" from sessions where id = ${id}`)[0]!.revokedAt

describe('the sessions page', () => {
  let org: Org
  beforeAll(async () => {
    org = await seedOrg(db)
  })

  it('lists your own sessions only, and lets you end one of them', async () => {
    const me = await signedIn(org)
    const otherBrowser = await sessionCookie(db, me.user)
    const colleague = await signedIn(org)
    const res = await app().request('/sessions', page(me.cookie))
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('(this browser)')
    expect(html.match(/action="\/sessions\/[0-9a-f-]{36}\/revoke"/g)).toHaveLength(2)
    expect(html).not.toContain(colleague.user.email)
    expect(html).not.toContain('Everyone’s sessions')

    const ids = await db<{ id: string }[]>`select id from sessions where user_id = ${me.user.id} order by created_at`
    const second = ids[1]!.id
    const out = await app().request(`/sessions/${second}/revoke`, formPost({}, { cookie: me.cookie }))
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/sessions?revoked=1')
    expect(await revokedAt(second)).toBeInstanceOf(Date)
    expect((await app().request('/', page(otherBrowser))).status).toBe(303)
    expect((await app().request('/', page(me.cookie))).status).toBe(200)
    const [audit] =
      await db`select actor_id from audit_events where org_id = ${org.id} and action = 'session.revoke' and details->>'sessionId' = ${second}`
    expect(audit?.actor_id).toBe(me.user.id)
  })

  it('an agent cannot end a colleague’s session: 404, and it stays live', async () => {
    const me = await signedIn(org)
    const colleague = await signedIn(org, 'approver')
    const theirs = await sessionIdOf(colleague.user.id)
    const res = await app().request(`/sessions/${theirs}/revoke`, formPost({}, { cookie: me.cookie }))
    expect(res.status).toBe(404)
    expect(await revokedAt(theirs)).toBeNull()
  })

  it('an admin sees everyone’s sessions and ends anyone’s, but not another org’s', async () => {
    const admin = await signedIn(org, 'admin')
    const agent = await signedIn(org)
    const html = await (await app().request('/sessions', page(admin.cookie))).text()
    expect(html).toContain('Everyone’s sessions')
    expect(html).toContain(agent.user.email)
    const theirs = await sessionIdOf(agent.user.id)
    expect((await app().request(`/sessions/${theirs}/revoke`, formPost({}, { cookie: admin.cookie }))).status).toBe(303)
    expect(await revokedAt(theirs)).toBeInstanceOf(Date)

    const elsewhere = await seedOrg(db)
    const stranger = await signedIn(elsewhere)
    const strangers = await sessionIdOf(stranger.user.id)
    expect((await app().request(`/sessions/${strangers}/revoke`, formPost({}, { cookie: admin.cookie }))).status).toBe(404)
    expect(await revokedAt(strangers)).toBeNull()
    expect((await app().request('/sessions/not-a-uuid/revoke', formPost({}, { cookie: admin.cookie }))).status).toBe(404)
  })

  it('ending this browser’s own session signs it out', async () => {
    const me = await signedIn(org)
    const mine = await sessionIdOf(me.user.id)
    const res = await app().request(`/sessions/${mine}/revoke`, formPost({}, { cookie: me.cookie }))
    expect(res.headers.get('location')).toBe('/sign-in')
    expect((await app().request('/', page(me.cookie))).status).toBe(303)
  })

  it('keeps a coarse network, never the exact address', () => {
    expect(networkSummary('203.0.113.57')).toBe('203.0.113.0/24')
    expect(networkSummary('::ffff:198.51.100.7')).toBe('198.51.100.0/24')
    expect(networkSummary('2001:db8:85a3::8a2e:370:7334')).toBe('2001:db8:85a3::/48')
    expect(networkSummary('::1')).toBe('0:0:0::/48')
    expect(networkSummary(null)).toBeNull()
    expect(networkSummary('not an address')).toBeNull()
  })
})

describe('the idle timeout', () => {
  it('ends a session idle longer than the org allows, and only then', async () => {
    const org = await seedOrg(db)
    await db`update orgs set session_idle_minutes = 30 where id = ${org.id}`
    const { user, cookie } = await signedIn(org)
    await db`update sessions set last_seen_at = now() - interval '29 minutes' where user_id = ${user.id}`
    expect((await app().request('/', page(cookie))).status).toBe(200)
    // That request moved last_seen_at (older than a tenth of the timeout), so the session lives on.
    const [seen] = await db<
      { ago: number }[]
    >`select extract(epoch from now() - last_seen_at)::int as ago from sessions where user_id = ${user.id}`
    expect(seen!.ago).toBeLessThan(5)
    await db`update sessions set last_seen_at = now() - interval '31 minutes' where user_id = ${user.id}`
    const res = await app().request('/', page(cookie))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/sign-in')
  })

  it('moves last_seen_at every 5 minutes, or every tenth of the idle timeout (at least a minute)', async () => {
    const ago = async (userId: string) =>
      (await db<{ s: number }[]>`select extract(epoch from now() - last_seen_at)::int as s from sessions where user_id = ${userId}`)[0]!.s
    const plain = await signedIn(await seedOrg(db))
    await db`update sessions set last_seen_at = now() - interval '4 minutes' where user_id = ${plain.user.id}`
    await app().request('/', page(plain.cookie))
    expect(await ago(plain.user.id)).toBeGreaterThanOrEqual(239)
    const strictOrg = await seedOrg(db)
    await db`update orgs set session_idle_minutes = 10 where id = ${strictOrg.id}`
    const strict = await signedIn(strictOrg)
    await db`update sessions set last_seen_at = now() - interval '30 seconds' where user_id = ${strict.user.id}`
    await app().request('/', page(strict.cookie))
    expect(await ago(strict.user.id)).toBeGreaterThanOrEqual(29)
    await db`update sessions set last_seen_at = now() - interval '90 seconds' where user_id = ${strict.user.id}`
    await app().request('/', page(strict.cookie))
    expect(await ago(strict.user.id)).toBeLessThan(5)
  })

  it('without a timeout, only the 14-day lifetime applies', async () => {
    const org = await seedOrg(db)
    const { user, cookie } = await signedIn(org)
    await db`update sessions set last_seen_at = now() - interval '10 days' where user_id = ${user.id}`
    expect((await app().request('/', page(cookie))).status).toBe(200)
  })
})

describe('requiring single sign-on', () => {
  let org: Org
  let domain: string
  let breakGlass: { id: string; email: string }
  beforeAll(async () => {
    org = await seedOrg(db)
    domain = `${org.slug}.example.test`
    breakGlass = await seedUser(db, org.id, 'admin')
    await withOrg(db, org.id, (tx) =>
      upsertSsoSettings(tx, org.id, {
        enabled: true,
        issuerUrl: 'https://idp.example.test',
        clientId: 'desk',
        clientSecretSealed: null,
        allowedDomains: [domain],
        requireSso: true,
        breakGlassUserId: breakGlass.id,
      }),
    )
  })

  async function redeem(user: { id: string }) {
    const link = await issueSignInLink({ db, env: testEnv() }, { userId: user.id, orgId: org.id })
    const token = new URL(link.url).searchParams.get('token')!
    return app().request('/sign-in/confirm', formPost({ token }))
  }
  async function userAt(email: string, role: 'agent' | 'admin' | 'approver' = 'agent') {
    const user = await seedUser(db, org.id, role)
    await db`update app_users set email = ${email} where id = ${user.id}`
    return user
  }

  it('refuses an emailed link to a person of the allowed domains, and points to single sign-on', async () => {
    const insider = await userAt(`in-${Date.now()}@${domain}`)
    const res = await redeem(insider)
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('signs in with single sign-on')
    expect(html).toContain('href="/sign-in/sso"')
    expect(res.headers.get('set-cookie') ?? '').not.toContain('desk_session=')
    // An admin of the company who is not the break-glass one is refused too.
    expect((await redeem(await userAt(`boss-${Date.now()}@${domain}`, 'admin'))).status).toBe(400)
  })

  it('keeps emailed links for the break-glass admin and for people outside the company', async () => {
    await db`update app_users set email = ${`glass-${Date.now()}@${domain}`} where id = ${breakGlass.id}`
    expect((await redeem(breakGlass)).status).toBe(303)
    const outsideApprover = await userAt(`counsel-${Date.now()}@outside-firm.example`, 'approver')
    expect((await redeem(outsideApprover)).status).toBe(303)
  })
})

describe('the settings page', () => {
  it('saves the provider with the secret sealed and shown as a hint only, audited without it', async () => {
    const org = await seedOrg(db)
    const admin = await signedIn(org, 'admin')
    const form = {
      enabled: 'on',
      issuer_url: 'https://login.example-idp.test/tenant',
      client_id: 'desk-app',
      client_secret: 'very-secret-client-value-9876',
      allowed_domains: 'Example.com, example.co.uk example.com',
      require_sso: 'on',
      break_glass_user_id: admin.user.id,
      idle_minutes: '45',
    }
    const res = await app().request('/admin/sso', formPost(form, { cookie: admin.cookie }))
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Saved.')
    expect(html).toContain('set, ending …9876')
    expect(html).not.toContain('very-secret-client-value')
    expect(html).toContain('http://localhost:8787/sign-in/sso/callback')
    expect(html).toContain(`/sign-in/sso?org=${org.slug}`)
    const [row] = await db<{ sealed: string; domains: string[] }[]>`
      select client_secret_sealed as sealed, allowed_domains as domains from sso_settings where org_id = ${org.id}`
    expect(row!.sealed).toMatch(/^v1:/)
    expect(row!.sealed).not.toContain('very-secret')
    expect(row!.domains).toEqual(['example.com', 'example.co.uk'])
    const [idle] = await db`select session_idle_minutes from orgs where id = ${org.id}`
    expect(idle!.session_idle_minutes).toBe(45)
    const [audit] = await db<
      { details: string }[]
    >`select details::text from audit_events where org_id = ${org.id} and action = 'org.sso_change'`
    expect(audit!.details).toContain('"secretChanged": true')
    expect(audit!.details).not.toContain('very-secret')
    expect(audit!.details).not.toContain(row!.sealed)

    // Saving again with the secret field empty keeps it.
    await app().request('/admin/sso', formPost({ ...form, client_secret: '' }, { cookie: admin.cookie }))
    const [kept] = await db<{ sealed: string }[]>`select client_secret_sealed as sealed from sso_settings where org_id = ${org.id}`
    expect(kept!.sealed).toBe(row!.sealed)
  })

  it('refuses an incomplete or unsafe form with field errors and saves nothing', async () => {
    const org = await seedOrg(db)
    const admin = await signedIn(org, 'admin')
    const elsewhere = await signedIn(await seedOrg(db), 'admin')
    const cases: [Record<string, string>, string][] = [
      [
        {
          enabled: 'on',
          issuer_url: 'http://idp.example.test',
          client_id: 'x',
          allowed_domains: 'example.com',
        },
        'https://',
      ],
      [
        {
          enabled: 'on',
          issuer_url: 'https://idp.example.test',
          client_id: 'x',
          allowed_domains: '',
        },
        'at least one domain',
      ],
      [
        {
          enabled: 'on',
          issuer_url: 'https://idp.example.test',
          client_id: 'x',
          allowed_domains: 'not a domain!',
        },
        'domains like example.com',
      ],
      [
        {
          enabled: 'on',
          issuer_url: 'https://idp.example.test',
          client_id: 'x',
          allowed_domains: 'example.com',
          require_sso: 'on',
        },
        'break-glass admin',
      ],
      [
        {
          enabled: 'on',
          issuer_url: 'https://idp.example.test',
          client_id: 'x',
          allowed_domains: 'example.com',
          require_sso: 'on',
          break_glass_user_id: elsewhere.user.id,
        },
        'enabled admin of this organization',
      ],
      [{ idle_minutes: '2' }, 'from 5 to 43200'],
    ]
    for (const [fields, message] of cases) {
      const res = await app().request('/admin/sso', formPost(fields, { cookie: admin.cookie }))
      expect(res.status, message).toBe(422)
      expect(await res.text()).toContain(message)
    }
    expect(await db`select 1 from sso_settings where org_id = ${org.id}`).toHaveLength(0)
  })

  it('is for admins only', async () => {
    const org = await seedOrg(db)
    const approver = await signedIn(org, 'approver')
    expect((await app().request('/admin/sso', page(approver.cookie))).status).toBe(403)
    expect((await app().request('/admin/sso', formPost({ enabled: 'on' }, { cookie: approver.cookie }))).status).toBe(403)
  })
})
