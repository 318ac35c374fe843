import { randomBytes } from 'node:crypto'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { requestApproval } from '../../src/approvals/requests.ts'
import { issueCustomerLink, CUSTOMER_LINK_DAYS, type CustomerLinkPurpose } from '../../src/csat/links.ts'
import { changeStatus } from '../../src/cases/lifecycle.ts'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { runDesk } from '../support/process.ts'
import { decide } from '../../src/approvals/decide.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'

// Attack suite: sign-in and approval links tampered, forged, replayed (also at once),
// expired, and used by the wrong user, org or purpose. A refused link consumes nothing and
// changes nothing; a good link works exactly once. The customer's links (rate us, confirm the
// resolution) are attacked the same way. The basic refusals are in test/auth/sign-in.test.ts,
// test/approvals/links.test.ts and test/csat/links.test.ts.

const html = { headers: { accept: 'text/html' } }
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const parts = (token: string) => token.split('.') as [string, string, string]
const payloadOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString()) as Record<string, unknown>

/** Forgeries of one genuine token, none of which knows the signing key. */
async function forgeriesOf(token: string): Promise<[string, string][]> {
  const [header, body, signature] = parts(token)
  const claims = payloadOf(token)
  const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1)
  return [
    ['signature flipped', `${header}.${body}.${flip(signature, 5)}`],
    ['signature removed', `${header}.${body}.`],
    ['signature of another token', `${header}.${b64({ ...claims, jti: `${claims.jti}x` })}.${signature}`],
    ['alg none', new UnsecuredJWT(claims).encode()],
    ['alg none, signature kept', `${b64({ alg: 'none', typ: 'JWT' })}.${body}.${signature}`],
    ['alg HS512 header on the HS256 signature', `${b64({ alg: 'HS512', typ: 'JWT' })}.${body}.${signature}`],
    ['expiry pushed out', `${header}.${b64({ ...claims, exp: Number(claims.exp) + 86_400 })}.${signature}`],
    ['purpose changed', `${header}.${b64({ ...claims, purpose: claims.purpose === 'sign_in' ? 'approve' : 'sign_in' })}.${signature}`],
    [
      'signed with another key',
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(randomBytes(32).toString('hex'))),
    ],
    ['signed with an empty key', await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32))],
    ['truncated', token.slice(0, -10)],
    ['extra segment', `${token}.${signature}`],
    ['garbage', `${'x'.repeat(40)}`],
  ]
}

describe('sign-in, approval and customer links under attack', () => {
  let db: Db
  let org: Org
  let other: Org
  let key: Uint8Array
  const env = testEnv()
  const app = () => createTestApp(db)

  beforeAll(async () => {
    db = testDb(12)
    org = await seedOrg(db)
    other = await seedOrg(db)
    key = await linkSigningKey(db, undefined)
  })
  afterAll(() => db.end())
  afterEach(() => vi.useRealTimers())

  const consumed = async (jti: string) =>
    (await db<{ at: Date | null }[]>`select consumed_at as at from link_tokens where jti = ${jti}`)[0]?.at ?? null
  const sessions = async (userId: string) =>
    (await db<{ n: number }[]>`select count(*)::int as n from sessions where user_id = ${userId}`)[0]!.n

  describe('sign-in links', () => {
    const issue = (userId: string, o: { orgId?: string; purpose?: string; now?: Date; ttlSeconds?: number } = {}) =>
      withOrg(db, o.orgId ?? org.id, (tx) =>
        issueLinkToken(tx, key, {
          orgId: o.orgId ?? org.id,
          userId,
          purpose: o.purpose ?? 'sign_in',
          ttlSeconds: o.ttlSeconds ?? 900,
          now: o.now,
        }),
      )
    const confirm = (token: string) => app().request('/sign-in/confirm', formPost({ token }))

    it('refuses every forgery, consuming nothing, and the genuine link still works once', async () => {
      const user = await seedUser(db, org.id, 'admin')
      const link = await issue(user.id)
      for (const [name, forged] of await forgeriesOf(link.token)) {
        const res = await confirm(forged)
        expect({ name, status: res.status, location: res.headers.get('location'), cookie: res.headers.get('set-cookie') }).toEqual({
          name,
          status: 400,
          location: null,
          cookie: null,
        })
      }
      expect(await consumed(link.jti)).toBeNull()
      expect(await sessions(user.id)).toBe(0)
      expect((await confirm(link.token)).status).toBe(303)
      expect(await sessions(user.id)).toBe(1)
    })

    it("another user's identity cannot be put into a genuine link", async () => {
      const victim = await seedUser(db, org.id, 'admin')
      const attacker = await seedUser(db, org.id, 'agent')
      const link = await issue(attacker.id)
      const [header, , signature] = parts(link.token)
      const swapped = `${header}.${b64({ ...payloadOf(link.token), sub: victim.id })}.${signature}`
      expect((await confirm(swapped)).status).toBe(400)
      expect(await sessions(victim.id)).toBe(0)
    })

    it('ten presses of one link at once start exactly one session', async () => {
      const user = await seedUser(db, org.id, 'agent')
      const link = await issue(user.id)
      const responses = await Promise.all(Array.from({ length: 10 }, () => confirm(link.token)))
      expect(responses.map((r) => r.status).sort()).toEqual([303, ...Array(9).fill(400)])
      expect(await sessions(user.id)).toBe(1)
      const again = await confirm(link.token)
      expect(again.status).toBe(400)
      expect(await again.text()).toMatch(/already been used|already used/)
    })

    it('opening a link any number of times (mail scanners) uses nothing; the press still works', async () => {
      const user = await seedUser(db, org.id, 'agent')
      const link = await issue(user.id)
      for (let i = 0; i < 5; i++) {
        expect((await app().request(`/sign-in/confirm?token=${encodeURIComponent(link.token)}`, html)).status).toBe(200)
        expect((await app().request(`/sign-in/confirm?token=${encodeURIComponent(link.token)}`, { method: 'HEAD' })).status).toBeLessThan(
          500,
        )
      }
      expect(await consumed(link.jti)).toBeNull()
      expect((await confirm(link.token)).status).toBe(303)
    })

    it("refuses a link past its expiry, a link for another org's user, and an approval link", async () => {
      const user = await seedUser(db, org.id, 'agent')
      const expired = await issue(user.id, { now: new Date(Date.now() - 16 * 60_000) })
      const crossOrg = await issue(user.id, { orgId: other.id })
      const approval = await issue(user.id, { purpose: 'approve' })
      for (const link of [expired, crossOrg, approval]) {
        expect((await confirm(link.token)).status).toBe(400)
        expect(await consumed(link.jti)).toBeNull()
      }
      // A link that expires while its page is open cannot be used from that page.
      const live = await issue(user.id)
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 16 * 60_000)
      const late = await confirm(live.token)
      vi.useRealTimers()
      expect(late.status).toBe(400)
      expect(await late.text()).toMatch(/expired/)
      expect(await sessions(user.id)).toBe(0)
    })
  })

  describe('approval links', () => {
    let approver: { id: string; email: string }
    let second: { id: string; email: string }
    beforeAll(async () => {
      approver = await seedUser(db, org.id, 'approver')
      second = await seedUser(db, org.id, 'approver')
    })

    /** A case with a draft and an approval request; the links of both approvers. */
    async function pending() {
      const owner = await seedUser(db, org.id, 'agent')
      const c = await seedCase(db, org.id)
      const draft = await seedDraft(db, org.id, c.id)
      const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, c.id, owner))
      const tokenOf = (id: string) => new URL(invites.find((i) => i.approverId === id)!.url).searchParams.get('token')!
      return { caseId: c.id, draft, token: tokenOf(approver.id), secondToken: tokenOf(second.id) }
    }
    const state = (caseId: string) =>
      withOrg(
        db,
        org.id,
        async (tx) =>
          (
            await tx<{ approvals: number; outbox: number; consumed: number }[]>`
      select (select count(*)::int from approvals where case_id = ${caseId}) as approvals,
             (select count(*)::int from outbox where case_id = ${caseId}) as outbox,
             (select count(*)::int from link_tokens t join approval_requests r on r.jti = t.jti
              where r.case_id = ${caseId} and t.consumed_at is not null) as consumed`
          )[0]!,
      )
    const fields = {
      decision: 'approved',
      to: 'pat@customer.test',
      subject: 'Re: your complaint',
      body: 'Thank you for writing. I own this now and will update you by 5pm today.',
    }
    const approve = (token: string, extra: Record<string, string> = {}) =>
      app().request('/approve', formPost({ token, ...fields, ...extra }))

    it('refuses every forgery on the review page and on approve, and nothing is approved or used', async () => {
      const p = await pending()
      for (const [name, forged] of await forgeriesOf(p.token)) {
        const page = await app().request(`/approve?token=${encodeURIComponent(forged)}`, html)
        const post = await approve(forged)
        expect({ name, page: page.status, post: post.status }).toEqual({ name, page: 400, post: 409 })
        expect(await post.text()).not.toMatch(/Approved/)
      }
      expect(await state(p.caseId)).toEqual({ approvals: 0, outbox: 0, consumed: 0 })
      expect((await approve(p.token)).status).toBe(200)
      expect(await state(p.caseId)).toEqual({ approvals: 1, outbox: 1, consumed: 1 })
    })

    it('one link pressed five times at once, and both approvers at once, approve once and queue one send', async () => {
      const p = await pending()
      const responses = await Promise.all([...Array.from({ length: 5 }, () => approve(p.token)), approve(p.secondToken)])
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1)
      expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true)
      expect(await state(p.caseId)).toMatchObject({ approvals: 1, outbox: 1 })
      const replay = await approve(p.token)
      expect(replay.status).toBe(409)
      expect(await state(p.caseId)).toMatchObject({ approvals: 1, outbox: 1 })
    })

    it('acts only on the case and version the link is bound to, whatever the form says', async () => {
      const p = await pending()
      const elsewhere = await pending()
      const res = await approve(p.token, {
        caseId: elsewhere.caseId,
        draftId: elsewhere.draft.id,
        orgId: other.id,
        approverId: second.id,
        token2: elsewhere.token,
      })
      expect(res.status).toBe(200)
      expect(await state(p.caseId)).toMatchObject({ approvals: 1, outbox: 1 })
      expect(await state(elsewhere.caseId)).toEqual({ approvals: 0, outbox: 0, consumed: 0 })
      const [approval] = await withOrg(db, org.id, (tx) => tx`select approver_id, via from approvals where case_id = ${p.caseId}`)
      expect(approval).toMatchObject({ approver_id: approver.id, via: 'link' })
    })

    it('an expired link shows it has expired and approves nothing; the link is not used up', async () => {
      const p = await pending()
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + (env.APPROVAL_LINK_HOURS + 1) * 3600_000)
      const page = await app().request(`/approve?token=${p.token}`, html)
      const post = await approve(p.token)
      vi.useRealTimers()
      expect(page.status).toBe(410)
      expect(await page.text()).toMatch(/expired/)
      expect(post.status).toBe(409)
      expect(await state(p.caseId)).toEqual({ approvals: 0, outbox: 0, consumed: 0 })
    })

    it('is refused to the wrong user: disabled after it was sent, signed in as someone else, a sign-in link, another org', async () => {
      const p = await pending()
      await db`update app_users set disabled_at = now() where id = ${second.id}`
      try {
        const disabled = await approve(p.secondToken)
        expect(disabled.status).toBe(409)
        expect(await state(p.caseId)).toMatchObject({ approvals: 0, outbox: 0 })
      } finally {
        await db`update app_users set disabled_at = null where id = ${second.id}`
      }
      // A session of another org's approver changes nothing: the link, not the cookie, decides who approves.
      const stranger = await seedUser(db, other.id, 'approver')
      const cookie = await sessionCookie(db, { id: stranger.id, orgId: other.id })
      const res = await app().request('/approve', formPost({ token: p.token, ...fields }, { cookie }))
      expect(res.status).toBe(200)
      const [approval] = await withOrg(db, org.id, (tx) => tx`select approver_id from approvals where case_id = ${p.caseId}`)
      expect(approval).toMatchObject({ approver_id: approver.id })
      // A sign-in link of the approver is not an approval link, and an approval link does not sign in.
      const q = await pending()
      const signIn = await withOrg(db, org.id, (tx) =>
        issueLinkToken(tx, key, { orgId: org.id, userId: approver.id, purpose: 'sign_in', ttlSeconds: 600 }),
      )
      expect((await approve(signIn.token)).status).toBe(409)
      expect((await app().request('/sign-in/confirm', formPost({ token: q.token }))).status).toBe(400)
      expect(await state(q.caseId)).toEqual({ approvals: 0, outbox: 0, consumed: 0 })
      expect(await consumed(signIn.jti)).toBeNull()
    })

    it("a superseded request's link (a newer request was sent) no longer approves", async () => {
      const p = await pending()
      const owner = await seedUser(db, org.id, 'agent')
      await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, p.caseId, owner))
      const res = await approve(p.token)
      expect(res.status).toBe(409)
      expect(await state(p.caseId)).toMatchObject({ approvals: 0, outbox: 0 })
    })
  })
  describe('customer links (CSAT rating, confirming the resolution)', () => {
    let owner: { id: string }
    beforeAll(async () => {
      owner = await seedUser(db, org.id, 'agent')
    })

    async function resolvedCase(inOrg: Org = org) {
      const c = await seedCase(db, inOrg.id)
      const actor = { kind: 'user' as const, id: inOrg.id === org.id ? owner.id : (await seedUser(db, inOrg.id, 'agent')).id }
      await withOrg(db, inOrg.id, async (tx) => {
        await changeStatus(tx, inOrg.id, c.id, actor, { to: 'in_progress' })
        await changeStatus(tx, inOrg.id, c.id, actor, { to: 'resolved' })
      })
      return c.id
    }
    const link = (caseId: string, purpose: CustomerLinkPurpose, o: { inOrg?: Org; now?: Date } = {}) =>
      withOrg(db, (o.inOrg ?? org).id, (tx) => issueCustomerLink(tx, key, { orgId: (o.inOrg ?? org).id, caseId, purpose, now: o.now }))
    const rate = (token: string, rating = '5') => app().request('/csat', formPost({ t: token, rating, comment: 'rated' }))
    const confirm = (token: string) => app().request('/confirm-resolution', formPost({ t: token }))
    const outcome = (caseId: string, inOrg: Org = org) =>
      withOrg(
        db,
        inOrg.id,
        async (tx) =>
          (
            await tx<{ ratings: number; status: string }[]>`
      select (select count(*)::int from csat_responses where case_id = ${caseId}) as ratings, status from cases where id = ${caseId}`
          )[0]!,
      )

    it('refuses every forgery of a rating or confirmation link, and the genuine ones still work once', async () => {
      const caseId = await resolvedCase()
      const rating = await link(caseId, 'csat')
      const closing = await link(caseId, 'confirm_resolution')
      for (const [name, forged] of [...(await forgeriesOf(rating.token)), ...(await forgeriesOf(closing.token))]) {
        const page = await app().request(`/csat?t=${encodeURIComponent(forged)}`, html)
        const posts = [await rate(forged), await confirm(forged)]
        expect({ name, page: page.status, posts: posts.map((r) => r.status) }).toEqual({ name, page: 400, posts: [400, 400] })
      }
      expect(await outcome(caseId)).toEqual({ ratings: 0, status: 'resolved' })
      expect((await rate(rating.token)).status).toBe(200)
      expect((await confirm(closing.token)).status).toBe(200)
      expect(await outcome(caseId)).toEqual({ ratings: 1, status: 'closed' })
    })

    it('a rating link pressed five times at once, and later, records one rating', async () => {
      const caseId = await resolvedCase()
      const rating = await link(caseId, 'csat')
      const statuses = (await Promise.all(Array.from({ length: 5 }, (_, i) => rate(rating.token, String(i + 1))))).map((r) => r.status)
      expect(statuses.sort()).toEqual([200, 410, 410, 410, 410])
      expect((await rate(rating.token, '1')).status).toBe(410)
      expect(await outcome(caseId)).toMatchObject({ ratings: 1 })
    })

    it('each link does only its own thing, on its own case: no swapping purpose, case or kind of link', async () => {
      const caseId = await resolvedCase()
      const rating = await link(caseId, 'csat')
      const closing = await link(caseId, 'confirm_resolution')
      expect((await confirm(rating.token)).status).toBe(400) // a rating link does not close the case
      expect((await rate(closing.token)).status).toBe(400) // a confirmation link does not rate
      // Team links are not customer links, and customer links are not team links.
      const signIn = await withOrg(db, org.id, (tx) =>
        issueLinkToken(tx, key, { orgId: org.id, userId: owner.id, purpose: 'sign_in', ttlSeconds: 600 }),
      )
      expect((await rate(signIn.token)).status).toBe(400)
      expect((await app().request('/sign-in/confirm', formPost({ token: rating.token }))).status).toBe(400)
      expect((await app().request('/approve', formPost({ token: closing.token, decision: 'approved' }))).status).toBe(409)
      // Another org's customer link acts on that org's case only, whatever the form says.
      const theirCase = await resolvedCase(other)
      const theirs = await link(theirCase, 'csat', { inOrg: other })
      const res = await app().request('/csat', formPost({ t: theirs.token, rating: '1', comment: 'x', caseId, orgId: org.id }))
      expect(res.status).toBe(200)
      expect(await outcome(caseId)).toEqual({ ratings: 0, status: 'resolved' })
      expect(await outcome(theirCase, other)).toMatchObject({ ratings: 1 })
    })

    it(
      'staff never see a usable customer link: not on the case page, the drafts, the approval page or in `desk case --json`',
      { timeout: 60_000 },
      async () => {
        const approver = await seedUser(db, org.id, 'approver')
        const agentCookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
        const caseId = await resolvedCase()
        // The resolution notice is drafted (after any other draft jobs this org's tests left queued).
        while ((await runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: org.id, limit: 20 })).claimed > 0);
        const [draft] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, caseId, 1))
        expect(draft!.purpose).toBe('resolution')
        const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, caseId, owner))
        const approvalUrl = invites.find((i) => i.approverId === approver.id)!.url
        const [{ number }] = await withOrg(db, org.id, (tx) => tx<[{ number: number }]>`select number from cases where id = ${caseId}`)

        const seen: string[] = []
        const look = async () => {
          seen.push(await (await app().request(`/cases/${caseId}`, { headers: { cookie: agentCookie } })).text())
          seen.push(
            await (await app().request(`/cases/${caseId}/drafts`, { headers: { cookie: agentCookie, 'hx-request': 'true' } })).text(),
          )
          const cli = await runDesk(['case', `ESC-${number}`, '--org', org.slug, '--json'], {
            DATABASE_URL: testDatabaseUrl(),
            DESK_DEMO: '0',
          })
          expect(cli.code).toBe(0)
          seen.push(cli.stdout)
        }
        await look()
        seen.push(await (await app().request(new URL(approvalUrl).pathname + new URL(approvalUrl).search, html)).text())
        // Approved and sent: the staff views again, now that the customer holds live links.
        const warnings = draft!.guardrailFlags.filter((f) => f.severity === 'warn').map((f) => f.code)
        const decided = await withOrg(db, org.id, (tx) =>
          decide(tx, {
            orgId: org.id,
            caseId,
            draftId: draft!.id,
            approver: { id: approver.id, role: 'approver' },
            decision: 'approved',
            acknowledged: warnings,
            via: 'portal',
            messageIdDomain: 'desk.test',
          }),
        )
        expect(decided.ok).toBe(true)
        while (
          (
            await runJobsOnce(
              { db, env, handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} },
              { orgId: org.id, limit: 20 },
            )
          ).claimed > 0
        );
        await look()

        // Signed links as JWTs (approval, sign-in) and as the customer mail's short tokens (68 characters).
        const jwtShaped = /[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}|(?<![\w-])[\w-]{68}(?![\w-])/g
        const tryAll = async (tokens: string[]) =>
          Promise.all(
            tokens.map(async (t) => [
              (await app().request(`/csat?r=5&t=${encodeURIComponent(t)}`, html)).status,
              (await app().request(`/confirm-resolution?t=${encodeURIComponent(t)}`, html)).status,
            ]),
          )
        const candidates = [...new Set(seen.flatMap((page) => page.match(jwtShaped) ?? []))]
        expect(candidates.length).toBeGreaterThan(0) // the approval link's token, at least: the search finds tokens
        expect((await tryAll(candidates)).flat().every((status) => status === 400)).toBe(true)
        expect(await outcome(caseId)).toEqual({ ratings: 0, status: 'resolved' })

        // Positive control: the mail the customer received carries links the same search finds, and they work.
        const [mail] = await db<
          { text: string }[]
        >`select text_body as text from dev_mailbox where org_id = ${org.id} and idempotency_key like 'reply/%' and text_body like ${'%ESC-' + number + '%'}`
        const sentTokens = [...new Set(mail!.text.match(jwtShaped) ?? [])]
        expect(sentTokens).toHaveLength(2)
        expect((await tryAll(sentTokens)).map(([csat, confirm]) => csat === 200 || confirm === 200)).toEqual([true, true])
      },
    )

    it('an expired link says so and does nothing; a link issued long ago has expired', async () => {
      const caseId = await resolvedCase()
      const rating = await link(caseId, 'csat')
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + (CUSTOMER_LINK_DAYS + 1) * 86_400_000)
      const page = await app().request(`/csat?t=${rating.token}`, html)
      const post = await rate(rating.token)
      vi.useRealTimers()
      expect([page.status, post.status]).toEqual([410, 410])
      const old = await link(caseId, 'confirm_resolution', { now: new Date(Date.now() - (CUSTOMER_LINK_DAYS + 1) * 86_400_000) })
      expect((await confirm(old.token)).status).toBe(410)
      expect(await outcome(caseId)).toEqual({ ratings: 0, status: 'resolved' })
    })
  })
})
