import { createHash, randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInLimits } from '../../src/auth/sign-in.ts'
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
        issueLinkToken(tx, k, {
          orgId: fields.orgId ?? org.id,
          userId: fields.userId ?? user.id,
          purpose: fields.purpose ?? 'sign_in',
          ttlSeconds: fields.ttlSeconds ?? 900,
          now: fields.now,
        }),
      ),
    )
  const confirm = (token: string) => app().request('/sign-in/confirm', formPost({ token }))
  // Each request gets its own client IP so this file never trips the per-IP limit of another.
  const request = async (email: string) => {
    const { ctx, settled } = collectingExecutionCtx()
    const res = await createTestApp(db, { env: testEnv({ TRUST_PROXY: '1' }) }).request(
      '/sign-in',
      formPost({ email }, { 'x-forwarded-for': `10.${randomBytes(3).join('.')}` }),
      undefined,
      ctx,
    )
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
    const forged = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-another-secret-another'))
    for (const bad of [tampered, forged]) {
      const res = await confirm(bad)
      expect(res.status).toBe(400)
      expect(await res.text()).toMatch(/not valid/)
    }
    expect((await linkRow(db, jti))?.consumedAt).toBeNull()
    expect((await confirm(token)).status).toBe(303) // the genuine link still works
  })

  it("refuses a link whose org is not the user's, and a link for a user who moved org", async () => {
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

  it("refuses a disabled user's link", async () => {
    const gone = await seedUser(db, org.id, 'agent')
    const link = await issue({ userId: gone.id })
    await db`update app_users set disabled_at = now() where id = ${gone.id}`
    expect((await confirm(link.token)).status).toBe(400)
  })

  // The sign-in form is public: anyone can ask for anyone's link. Asking must never stop the
  // owner from signing in (security review, finding 11), and must not let anyone flood their inbox.
  const ownerIp = () => `10.200.${randomBytes(2).join('.')}`
  /** A sign-in request from a given IP, optionally carrying a browser's cookies. */
  const requestFrom = async (email: string, ip: string, cookie?: string) => {
    const { ctx, settled } = collectingExecutionCtx()
    const res = await createTestApp(db, { env: testEnv({ TRUST_PROXY: '1' }) }).request(
      '/sign-in',
      formPost({ email }, { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) }),
      undefined,
      ctx,
    )
    await settled()
    return res
  }
  /** Redeems a mailed link as a browser does; returns the cookies the browser then holds. */
  const signInWith = async (token: string) => {
    const res = await confirm(token)
    expect(res.status).toBe(303)
    return res.headers.getSetCookie()
  }
  const deviceCookieOf = (cookies: string[]) => cookies.find((c) => c.startsWith('desk_device='))

  it("the review's lock-out probe: after five requests from elsewhere the owner still gets in", async () => {
    const owner = await seedUser(db, org.id, 'approver')
    // Earlier, the owner signed in from their browser: it holds the device cookie since.
    await request(owner.email)
    const device = deviceCookieOf(await signInWith((await latestMailTo(db, owner.email)).token!))!
    expect(device).toMatch(/^desk_device=[A-Za-z0-9_-]{43};/)
    for (const part of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/sign-in']) expect(device).toContain(part)

    const attacker = `198.51.100.${1 + Math.floor(Math.random() * 200)}`
    for (let i = 0; i < 5; i++) expect((await requestFrom(owner.email, attacker)).status).toBe(200)

    // From a browser the desk has never seen: the same answer, and the inbox holds a link from
    // the last few minutes that signs in.
    const fresh = await requestFrom(owner.email, ownerIp())
    expect(fresh.status).toBe(200)
    expect(await fresh.text()).toContain('If that address has access, a link is on its way')
    const [newest] = await db<{ createdAt: Date; text: string }[]>`
      select created_at as "createdAt", text_body as text from dev_mailbox where ${owner.email} = any(to_addresses) order by created_at desc limit 1`
    expect(Date.now() - newest!.createdAt.getTime()).toBeLessThan(signInLimits.spacingSeconds * 1000)
    expect(await signInWith(decodeURIComponent(/\/sign-in\/confirm\?token=([^\s]+)/.exec(newest!.text)![1]!))).toBeTruthy()

    // From the browser they signed in with before: a fresh link, mailed now.
    const before = await countMailTo(db, owner.email)
    const own = await requestFrom(owner.email, ownerIp(), device.split(';')[0])
    expect(own.status).toBe(200)
    expect(await countMailTo(db, owner.email)).toBe(before + 1)
    expect(await signInWith((await latestMailTo(db, owner.email)).token!)).toBeTruthy()
  })

  it('a flood mails the first few links, then at most one every few minutes, and answers the same page throughout', async () => {
    const target = await seedUser(db, org.id, 'agent')
    const pages = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const res = await requestFrom(target.email, `203.0.113.${i + 1}`)
      expect(res.status).toBe(200)
      pages.add(withoutNonce(await res.text()))
    }
    expect(pages.size).toBe(1)
    expect(await countMailTo(db, target.email)).toBe(signInLimits.burst)

    // A little less than the spacing later: still nothing. Then past it: exactly one more.
    const hash = createHash('sha256').update(target.email).digest('hex')
    const rewind = (seconds: number) => db`
      update sign_in_mail_budget set last_mailed_at = last_mailed_at - make_interval(secs => ${seconds}) where bucket = ${`address:${hash}`}`
    await rewind(signInLimits.spacingSeconds - 20)
    await requestFrom(target.email, ownerIp())
    expect(await countMailTo(db, target.email)).toBe(signInLimits.burst)
    await rewind(30)
    for (let i = 0; i < 5; i++) await requestFrom(target.email, ownerIp())
    expect(await countMailTo(db, target.email)).toBe(signInLimits.burst + 1)
  })

  it('the device cookie lets only its own address through, within its own small limit, and a forged one is ignored', async () => {
    const a = await seedUser(db, org.id, 'agent')
    const b = await seedUser(db, org.id, 'agent')
    await request(a.email)
    const device = deviceCookieOf(await signInWith((await latestMailTo(db, a.email)).token!))!.split(';')[0]!
    // Use up both addresses' budgets.
    for (const email of [a.email, b.email]) for (let i = 0; i < signInLimits.burst + 2; i++) await requestFrom(email, ownerIp())
    const [mailedA, mailedB] = [await countMailTo(db, a.email), await countMailTo(db, b.email)]

    await requestFrom(b.email, ownerIp(), device) // signed in as a, not b: nothing more for b
    await requestFrom(a.email, ownerIp(), `desk_device=${'A'.repeat(43)}`) // forged
    await requestFrom(a.email, ownerIp(), 'desk_device=<script>') // malformed
    expect([await countMailTo(db, a.email), await countMailTo(db, b.email)]).toEqual([mailedA, mailedB])

    for (let i = 0; i < signInLimits.perDevice + 3; i++) expect((await requestFrom(a.email, ownerIp(), device)).status).toBe(200)
    expect(await countMailTo(db, a.email)).toBe(mailedA + signInLimits.perDevice)
    const [stored] = await db<
      { n: number }[]
    >`select count(*)::int as n from sign_in_devices where token_hash = ${createHash('sha256').update(device.split('=')[1]!).digest('hex')}`
    expect(stored!.n).toBe(1) // only the hash of the cookie is kept
  })

  it('signing in again replaces the device token: the browser keeps its addresses, an old copy stops counting', async () => {
    const a = await seedUser(db, org.id, 'agent')
    const b = await seedUser(db, org.id, 'agent')
    await request(a.email)
    const first = deviceCookieOf(await signInWith((await latestMailTo(db, a.email)).token!))!.split(';')[0]!
    await request(b.email)
    const again = await app().request('/sign-in/confirm', formPost({ token: (await latestMailTo(db, b.email)).token! }, { cookie: first }))
    expect(again.status).toBe(303)
    const second = deviceCookieOf(again.headers.getSetCookie())!.split(';')[0]!
    expect(second).not.toBe(first)
    for (const email of [a.email, b.email]) for (let i = 0; i < signInLimits.burst + 2; i++) await requestFrom(email, ownerIp())
    const mailed = [await countMailTo(db, a.email), await countMailTo(db, b.email)]
    await requestFrom(a.email, ownerIp(), first) // the old copy: held back like any stranger's request
    expect(await countMailTo(db, a.email)).toBe(mailed[0])
    await requestFrom(a.email, ownerIp(), second)
    await requestFrom(b.email, ownerIp(), second)
    expect([await countMailTo(db, a.email), await countMailTo(db, b.email)]).toEqual([mailed[0]! + 1, mailed[1]! + 1])
  })

  it('still answers 429 to one client IP asking too often', async () => {
    const ip = `10.250.${randomBytes(2).join('.')}`
    const results = []
    for (let i = 0; i < signInLimits.perIp + 1; i++) {
      results.push((await requestFrom(`ip-${i}-${randomBytes(3).toString('hex')}@example.test`, `203.0.113.9, ${ip}`)).status)
    }
    expect(results.slice(0, signInLimits.perIp).every((s) => s === 200)).toBe(true)
    expect(results[signInLimits.perIp]).toBe(429)
    const limited = await requestFrom(user.email, `203.0.113.9, ${ip}`)
    expect(limited.status).toBe(429)
    expect(await limited.text()).toMatch(/Too many sign-in links/)
  })

  it('asks again for a malformed address', async () => {
    const res = await app().request('/sign-in', formPost({ email: 'not an address <b>' }))
    expect(res.status).toBe(422)
    const body = await res.text()
    expect(body).toContain('Enter an email address')
    expect(body).toContain('value="not an address &lt;b&gt;"')
  })
})
