import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, formPost } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { countMailTo, latestMailTo, linkRow, sessionsOf, withoutNonce } from './helpers.ts'

describe('sign-in by emailed link', () => {
  let db: Db
  let org: Org
  let other: Org
  let user: { id: string; email: string }
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    other = await seedOrg(db)
    user = await seedUser(db, org.id, 'agent')
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const key = () => linkSigningKey(db, undefined)
  const issue = (fields: { orgId?: string; userId?: string; purpose?: string; ttlSeconds?: number; now?: Date } = {}) =>
    key().then((k) =>
      withOrg(db, fields.orgId ?? org.id, (tx) =>
        issueLinkToken(tx, k, { orgId: fields.orgId ?? org.id, userId: fields.userId ?? user.id, purpose: fields.purpose ?? 'sign_in', ttlSeconds: fields.ttlSeconds ?? 900, now: fields.now }),
      ),
    )
  const confirm = (token: string) => app().request('/sign-in/confirm', formPost({ token }))
  // Each request gets its own client IP so this file never trips the per-IP limit of another.
  const request = async (email: string) => {
    const { ctx, settled } = collectingExecutionCtx()
    const res = await createTestApp(db, { env: testEnv({ TRUST_PROXY: '1' }) }).request(
      '/sign-in', formPost({ email }, { 'x-forwarded-for': `10.${randomBytes(3).join('.')}` }), undefined, ctx)
    await settled()
    return res
  }

  it('answers known and unknown addresses with the same page, and mails only the known one', async () => {
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.test`
    const [a, b] = [await request(user.email), await request(unknown)]
    expect([a.status, b.status]).toEqual([200, 200])
    const [pageA, pageB] = [await a.text(), await b.text()]
    expect(pageA).toContain('If that address has access, a link is on its way')
    expect(withoutNonce(pageA)).toBe(withoutNonce(pageB))
    expect(await countMailTo(db, unknown)).toBe(0)
    const { mail, token } = await latestMailTo(db, user.email)
    expect(mail?.subject).toContain(org.name)
    expect(token).toBeTruthy()
  })

  it('sends one link per org to an address that is a user of several', async () => {
    const email = `multi-${randomBytes(4).toString('hex')}@example.test`
    await db`insert into app_users (org_id, email, name, role) values (${org.id}, ${email}, 'Multi', 'agent'), (${other.id}, ${email}, 'Multi', 'admin')`
    await request(email)
    const mail = await db`select org_id as "orgId", subject from dev_mailbox where ${email} = any(to_addresses)`
    expect(mail.map((m) => m.orgId).sort()).toEqual([org.id, other.id].sort())
  })

  it('signs in with the mailed link: GET only shows a button, POST creates the session once', async () => {
    await request(user.email)
    const { token } = await latestMailTo(db, user.email)
    const before = (await sessionsOf(db, user.id)).length

    const shown = await app().request(`/sign-in/confirm?token=${encodeURIComponent(token!)}`, { headers: { accept: 'text/html' } })
    expect(shown.status).toBe(200)
    expect(shown.headers.get('referrer-policy')).toBe('no-referrer')
    expect(shown.headers.get('cache-control')).toBe('no-store')
    expect(await shown.text()).toMatch(/<form method="post" action="\/sign-in\/confirm">/)
    const jti = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString()).jti
    expect((await linkRow(db, jti))?.consumedAt).toBeNull()
    expect(await sessionsOf(db, user.id)).toHaveLength(before)

    const first = await confirm(token!)
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/')
    const cookie = first.headers.get('set-cookie')!
    expect(cookie).toMatch(/^desk_session=[A-Za-z0-9_-]{43};/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Path=\//)
    expect(await sessionsOf(db, user.id)).toHaveLength(before + 1)
    const [stored] = await db`select token_hash from sessions where user_id = ${user.id} order by created_at desc limit 1`
    expect(stored!.token_hash).not.toContain(cookie.split(';')[0]!.split('=')[1]!) // only the hash is kept

    const queue = await app().request('/', { headers: { accept: 'text/html', cookie: cookie.split(';')[0]! } })
    expect(queue.status).toBe(200)
    expect(await queue.text()).toContain(org.name)

    const again = await confirm(token!)
    expect(again.status).toBe(400)
    expect(await again.text()).toMatch(/already been used/)
    expect(await sessionsOf(db, user.id)).toHaveLength(before + 1)
  })

  it('refuses an expired link', async () => {
    const { token } = await issue({ now: new Date(Date.now() - 3600_000), ttlSeconds: 900 })
    const res = await confirm(token)
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/has expired/)
  })

  it('refuses a tampered link and one signed with another secret, consuming nothing', async () => {
    const { token, jti } = await issue()
    const last = token.at(-2) === 'A' ? 'B' : 'A'
    const tampered = token.slice(0, -2) + last + token.at(-1)
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
    const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-another-secret-another'))
    for (const bad of [tampered, forged]) {
      const res = await confirm(bad)
      expect(res.status).toBe(400)
      expect(await res.text()).toMatch(/not valid/)
    }
    expect((await linkRow(db, jti))?.consumedAt).toBeNull()
    expect((await confirm(token)).status).toBe(303) // the genuine link still works
  })

  it('refuses a link whose org is not the user\'s, and a link for a user who moved org', async () => {
    const crossed = await issue({ orgId: other.id }) // signed for org B, names a user of org A
    const res = await confirm(crossed.token)
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/not valid for your account/)
    expect((await linkRow(db, crossed.jti))?.consumedAt).toBeNull()

    const mover = await seedUser(db, org.id, 'agent')
    const link = await issue({ userId: mover.id })
    await db`update app_users set org_id = ${other.id} where id = ${mover.id}`
    const moved = await confirm(link.token)
    expect(moved.status).toBe(400)
    expect(await sessionsOf(db, mover.id)).toHaveLength(0)
  })

  it('refuses a link made for another purpose', async () => {
    const approval = await issue({ purpose: 'approval' })
    const res = await confirm(approval.token)
    expect(res.status).toBe(400)
    expect((await linkRow(db, approval.jti))?.consumedAt).toBeNull()
  })

  it('refuses a disabled user\'s link', async () => {
    const gone = await seedUser(db, org.id, 'agent')
    const link = await issue({ userId: gone.id })
    await db`update app_users set disabled_at = now() where id = ${gone.id}`
    expect((await confirm(link.token)).status).toBe(400)
  })

  it('limits link requests per address and per client IP', async () => {
    const email = `limited-${randomBytes(4).toString('hex')}@example.test`
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await request(email)).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    const limited = await request(email)
    expect(await limited.text()).toMatch(/Too many sign-in links/)

    const ip = `10.250.${randomBytes(2).join('.')}`
    const fromIp = (n: number) =>
      createTestApp(db, { env: testEnv({ TRUST_PROXY: '1' }) }).request('/sign-in',
        formPost({ email: `ip-${n}-${randomBytes(3).toString('hex')}@example.test` }, { 'x-forwarded-for': `203.0.113.9, ${ip}` }))
    const results = []
    for (let i = 0; i < 21; i++) results.push((await fromIp(i)).status)
    expect(results.slice(0, 20).every((s) => s === 200)).toBe(true)
    expect(results[20]).toBe(429)
  })

  it('asks again for a malformed address', async () => {
    const res = await app().request('/sign-in', formPost({ email: 'not an address <b>' }))
    expect(res.status).toBe(422)
    const body = await res.text()
    expect(body).toContain('Enter an email address')
    expect(body).toContain('value="not an address &lt;b&gt;"')
  })
})
