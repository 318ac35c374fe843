import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedUser, testDb } from '../support/db.ts'
import { bearer, seedApiOrg, seedToken, type ApiOrg } from './helpers.ts'

const page = (cookie: string) => ({ headers: { accept: 'text/html', cookie } })
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

describe('API tokens: created by admins, shown once, stored hashed, revocable (/admin/api-tokens)', () => {
  let db: Db
  let a: ApiOrg
  let adminCookie: string
  beforeAll(async () => {
    db = testDb()
    a = await seedApiOrg(db)
    adminCookie = await sessionCookie(db, a.admin)
  })
  afterAll(() => db.end())
  const app = () => createTestApp(db)
  const audit = (action: string) =>
    db<{ actor_id: string; details: Record<string, unknown> }[]>`
      select actor_id, details from audit_events where org_id = ${a.org.id} and action = ${action} order by seq`

  it('is closed to agents and approvers', async () => {
    for (const role of ['agent', 'approver'] as const) {
      const cookie = await sessionCookie(db, { ...(await seedUser(db, a.org.id, role)), orgId: a.org.id })
      expect((await app().request('/admin/api-tokens', page(cookie))).status).toBe(403)
      const post = await app().request('/admin/api-tokens', formPost({ name: 'x', scope: 'write', requestsPerMinute: '10' }, { cookie }))
      expect(post.status).toBe(403)
    }
    expect(await db`select 1 from api_tokens where org_id = ${a.org.id}`).toHaveLength(0)
  })

  it('shows a new token once, keeps only its hash, and audits the creation', async () => {
    const res = await app().request(
      '/admin/api-tokens',
      formPost(
        { name: 'Zendesk <sync>', scope: 'write', requestsPerMinute: '30' },
        { cookie: adminCookie, 'idempotency-key': 'k'.repeat(20) },
      ),
    )
    expect(res.status).toBe(201)
    const html = await res.text()
    const token = /value="(desk_[A-Za-z0-9_-]{43})"/.exec(html)?.[1]
    expect(token).toBeDefined()
    expect(html).toContain('Zendesk &lt;sync&gt;')

    const [row] = await db`select * from api_tokens where org_id = ${a.org.id} and name = 'Zendesk <sync>'`
    expect(row).toMatchObject({ token_hash: sha256(token!), prefix: token!.slice(0, 11), last4: token!.slice(-4), scope: 'write' })
    expect(row!.requests_per_minute).toBe(30)
    expect(JSON.stringify(row)).not.toContain(token!.slice(11, -4))
    // The double-submit guard kept no copy of the page with the token on it.
    const kept = await db`select response_body from form_submissions where org_id = ${a.org.id} and key = ${'k'.repeat(20)}`
    expect(kept).toHaveLength(1)
    expect(kept[0]!.response_body).toBeNull()

    expect((await audit('api_token.create')).at(-1)).toMatchObject({
      actor_id: a.admin.id,
      details: { tokenId: row!.id, name: 'Zendesk <sync>', scope: 'write', prefix: token!.slice(0, 11) },
    })
    // Listed by prefix and last four, never in full.
    const listing = await (await app().request('/admin/api-tokens', page(adminCookie))).text()
    expect(listing).toContain(`${token!.slice(0, 11)}…${token!.slice(-4)}`)
    expect(listing).not.toContain(token!)
  })

  it('re-renders the form with its errors', async () => {
    const res = await app().request(
      '/admin/api-tokens',
      formPost({ name: '', scope: 'admin', requestsPerMinute: '0' }, { cookie: adminCookie }),
    )
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Name the token')
    expect(html).toContain('Choose read or write')
    expect(html).toContain('At least 1 request per minute')
  })

  it('refuses missing, malformed, unknown and cookie credentials with 401', async () => {
    const token = await seedToken(db, a.admin)
    expect((await app().request('/api/v1/cases', bearer(token))).status).toBe(200)
    const unknown = `desk_${'A'.repeat(43)}`
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Bearer garbage' },
      { authorization: `Basic ${btoa(`x:${token}`)}` },
      { authorization: `Bearer ${unknown}` },
      { authorization: `Bearer ${token.slice(0, -1)}B` },
      { authorization: `Bearer ${token}x` },
      { cookie: adminCookie },
    ]
    for (const headers of attempts) {
      const res = await app().request('/api/v1/cases', { headers })
      expect(res.status, JSON.stringify(headers)).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      expect((await res.json()).error).toMatchObject({ code: 'UNAUTHORIZED' })
    }
  })

  it('stops a revoked token at once, audited; a second revoke is a 404', async () => {
    const token = await seedToken(db, a.admin, { name: 'to revoke' })
    expect((await app().request('/api/v1/cases', bearer(token))).status).toBe(200)
    const [row] = await db<
      { id: string; last_used_at: Date | null }[]
    >`select id, last_used_at from api_tokens where token_hash = ${sha256(token)}`
    expect(row!.last_used_at).not.toBeNull()

    const revoke = await app().request(`/admin/api-tokens/${row!.id}/revoke`, formPost({}, { cookie: adminCookie }))
    expect(revoke.status).toBe(303)
    const res = await app().request('/api/v1/cases', bearer(token))
    expect(res.status).toBe(401)
    expect((await audit('api_token.revoke')).at(-1)).toMatchObject({
      actor_id: a.admin.id,
      details: { tokenId: row!.id, prefix: token.slice(0, 11) },
    })
    expect((await app().request(`/admin/api-tokens/${row!.id}/revoke`, formPost({}, { cookie: adminCookie }))).status).toBe(404)
  })

  it('lets no admin revoke another org’s token (404), nor see it listed', async () => {
    const other = await seedApiOrg(db)
    const token = await seedToken(db, other.admin, { name: 'other org token' })
    const [row] = await db<{ id: string }[]>`select id from api_tokens where token_hash = ${sha256(token)}`
    expect((await app().request(`/admin/api-tokens/${row!.id}/revoke`, formPost({}, { cookie: adminCookie }))).status).toBe(404)
    expect((await app().request('/api/v1/cases', bearer(token))).status).toBe(200)
    expect(await (await app().request('/admin/api-tokens', page(adminCookie))).text()).not.toContain('other org token')
  })

  it('dies with its creator: a disabled admin’s tokens are refused', async () => {
    const second = await seedUser(db, a.org.id, 'admin')
    const token = await seedToken(db, { ...a.admin, id: second.id, email: second.email })
    expect((await app().request('/api/v1/cases', bearer(token))).status).toBe(200)
    await app().request(`/admin/users/${second.id}/disable`, formPost({}, { cookie: adminCookie }))
    expect((await app().request('/api/v1/cases', bearer(token))).status).toBe(401)
  })

  it('holds each token to its requests per minute: 429 with Retry-After, counted in the database', async () => {
    const token = await seedToken(db, a.admin, { requestsPerMinute: 3 })
    const fresh = await seedToken(db, a.admin, { requestsPerMinute: 3 })
    // Seven requests span at most two one-minute windows: at most six pass, the rest are 429.
    const answers = []
    for (let i = 0; i < 7; i++) answers.push(await app().request('/api/v1/cases', bearer(token)))
    // Each answer within the limit says how much of the minute is left.
    const first = answers[0]!
    expect(first.headers.get('ratelimit-limit')).toBe('3')
    expect(first.headers.get('ratelimit-remaining')).toBe('2')
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1)
    const limited = answers.filter((r) => r.status === 429)
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(6)
    expect(limited.length).toBeGreaterThanOrEqual(1)
    for (const r of limited) {
      const retry = Number(r.headers.get('retry-after'))
      expect(retry).toBeGreaterThanOrEqual(1)
      expect(retry).toBeLessThanOrEqual(60)
      expect((await r.json()).error.code).toBe('RATE_LIMITED')
    }
    // Another app (another process) shares the count; another token has its own.
    expect((await createTestApp(db).request('/api/v1/cases', bearer(token))).status).toBe(429)
    expect((await app().request('/api/v1/cases', bearer(fresh))).status).toBe(200)
  })

  it('shows the app role only its own org’s tokens; the lookup function is its only way to the rest', async () => {
    const other = await seedApiOrg(db)
    await seedToken(db, other.admin, { name: 'hidden' })
    const seen = await withOrg(db, a.org.id, (tx) => tx<{ orgId: string }[]>`select org_id as "orgId" from api_tokens`)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((t) => t.orgId === a.org.id)).toBe(true)
    await expect(withOrg(db, a.org.id, (tx) => tx`select * from api_token_windows`)).rejects.toThrow(/permission denied/)
    await expect(withOrg(db, a.org.id, (tx) => tx`update api_tokens set revoked_at = null`)).rejects.toThrow(/permission denied/)
    // Creating one as the app role needs an active admin of the org the transaction is scoped to.
    const agent = await seedUser(db, a.org.id, 'agent')
    await expect(
      withOrg(db, a.org.id, (tx) => tx`select create_api_token(${agent.id}, 'x', 'write', ${'0'.repeat(64)}, 'desk_abcdef', 'abcd', 10)`),
    ).rejects.toThrow(/only an active admin/)
    await expect(
      withOrg(
        db,
        a.org.id,
        (tx) => tx`select create_api_token(${other.admin.id}, 'x', 'write', ${'0'.repeat(64)}, 'desk_abcdef', 'abcd', 10)`,
      ),
    ).rejects.toThrow(/only an active admin/)
  })
})
