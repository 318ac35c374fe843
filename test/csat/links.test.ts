import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { changeStatus } from '../../src/cases/lifecycle.ts'
import { CUSTOMER_LINKS_PLACEHOLDER } from '../../src/csat/csat.ts'
import { issueCustomerLink } from '../../src/csat/links.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { createResendMailer, type Mailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { startResendServer } from '../support/resend-server.ts'

const html = { headers: { accept: 'text/html' } }

describe('CSAT and confirmation links in the resolution message', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let approver: { id: string; email: string }
  let key: Uint8Array
  let resend: Awaited<ReturnType<typeof startResendServer>>
  const env = testEnv()
  const app = () => createTestApp(db)
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  /** What the send job handed the provider, attempt by attempt (the Resend stand-in keeps only accepted mail). */
  const handedOver: { key: string | undefined; text: string }[] = []
  const mailer = (): Mailer => {
    const resendMailer = createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })
    return {
      kind: 'resend',
      send: (mail) => {
        handedOver.push({ key: mail.idempotencyKey, text: mail.text })
        return resendMailer.send(mail)
      },
    }
  }
  const runSends = () =>
    runJobsOnce({ db, env, handlers: jobHandlers({ mailer: mailer() }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })

  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    key = await linkSigningKey(db, undefined)
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  /** A case resolved the way people do it: the resolution notice is drafted by the job runner. */
  async function resolvedDraft() {
    const customer = `pat-${randomBytes(3).toString('hex')}@customer.test`
    const c = await seedCase(db, org.id, { from: `Pat Customer <${customer}>` })
    await inOrg((tx) => changeStatus(tx, org.id, c.id, { kind: 'user', id: owner.id }, { to: 'in_progress' }))
    await inOrg((tx) => changeStatus(tx, org.id, c.id, { kind: 'user', id: owner.id }, { to: 'resolved' }))
    await runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: org.id })
    const [draft] = await inOrg((tx) => listDraftVersions(tx, c.id, 1))
    return { ...c, customer, draft: draft! }
  }
  /** Approves the resolution draft as it stands; returns the queued outbox row's id. */
  async function approve(c: Awaited<ReturnType<typeof resolvedDraft>>) {
    const warnings = [...new Set(c.draft.guardrailFlags.filter((f) => f.severity === 'warn').map((f) => f.code))]
    const result = await inOrg((tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: c.id,
        draftId: c.draft.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        acknowledged: warnings,
        via: 'portal',
        messageIdDomain: 'desk.test',
      }),
    )
    if (!result.ok || result.decision !== 'approved' || !result.outboxId) throw new Error(`approval failed: ${JSON.stringify(result)}`)
    return result.outboxId
  }
  const linksIn = (text: string) => ({
    rate: /\/csat\?t=([\w.-]+)/.exec(text)?.[1],
    confirm: /\/confirm-resolution\?t=([\w.-]+)/.exec(text)?.[1],
  })
  const sentMail = (outboxId: string) => resend.emails.find((e) => e.idempotencyKey === `reply/${outboxId}`)
  const mintedLinks = (caseId: string) =>
    inOrg(async (tx) => (await tx<{ n: number }[]>`select count(*)::int as n from customer_links where case_id = ${caseId}`)[0]!.n)

  /** Resolved, approved and sent: the customer's links are the ones in the mail they received. */
  async function resolved() {
    const c = await resolvedDraft()
    const outboxId = await approve(c)
    await runSends()
    const mail = sentMail(outboxId)
    const { rate, confirm } = linksIn(String(mail?.body.text ?? ''))
    if (!rate || !confirm) throw new Error('the sent resolution message carries no links')
    return { ...c, outboxId, mail: mail!, rate, confirm }
  }

  const state = (caseId: string) =>
    inOrg(
      async (tx) =>
        (
          await tx`
    select (select count(*)::int from csat_responses where case_id = ${caseId}) as ratings,
           (select count(*)::int from customer_links where case_id = ${caseId} and consumed_at is not null) as consumed,
           (select count(*)::int from audit_events where case_id = ${caseId}) as events,
           (select status from cases where id = ${caseId}) as status`
        )[0]!,
    )

  it('the resolution draft carries a readable placeholder, not links: nothing is minted before the reply is sent', async () => {
    const c = await resolvedDraft()
    expect(c.draft.purpose).toBe('resolution')
    expect(c.draft.body).toContain(CUSTOMER_LINKS_PLACEHOLDER)
    expect(c.draft.body).not.toMatch(/\/csat\?|\/confirm-resolution\?|eyJ/)
    // Before the sign-off, not after the signature.
    expect(c.draft.body.indexOf(CUSTOMER_LINKS_PLACEHOLDER)).toBeLessThan(c.draft.body.lastIndexOf('Kind regards'))
    expect(await mintedLinks(c.id)).toBe(0)

    const outboxId = await approve(c)
    expect(await mintedLinks(c.id)).toBe(0) // approved, not yet sent
    await runSends()
    const text = String(sentMail(outboxId)!.body.text)
    const { rate, confirm } = linksIn(text)
    // One short link per action (68-character tokens), not five rating links of a JWT each.
    expect(text.match(/\/csat\?/g)).toHaveLength(1)
    expect(text).toContain(`${env.PUBLIC_URL}/csat?t=${rate}`)
    expect(text).toContain(`${env.PUBLIC_URL}/confirm-resolution?t=${confirm}`)
    expect(rate).toMatch(/^[\w-]{68}$/)
    expect(confirm).toMatch(/^[\w-]{68}$/)
    expect(text).not.toContain(CUSTOMER_LINKS_PLACEHOLDER)
    expect(text.indexOf('/csat?')).toBeLessThan(text.lastIndexOf('Kind regards'))
    // What the desk keeps is what was approved: the placeholder, never the live links.
    const [stored] = await inOrg(
      (tx) => tx<{ body: string; outbox: string }[]>`
      select m.text_body as body, o.body as outbox from messages m join outbox o on o.message_id = m.message_id where o.id = ${outboxId}`,
    )
    expect(stored).toEqual({ body: c.draft.body, outbox: c.draft.body })
    const minted = await inOrg(
      (tx) =>
        tx<
          { purpose: string; outbox_id: string }[]
        >`select purpose, outbox_id from customer_links where case_id = ${c.id} order by purpose`,
    )
    expect(minted).toEqual([
      { purpose: 'confirm_resolution', outbox_id: outboxId },
      { purpose: 'csat', outbox_id: outboxId },
    ])
    // And the links work.
    expect((await app().request(`/csat?r=5&t=${rate}`, html)).status).toBe(200)
    expect((await app().request(`/confirm-resolution?t=${confirm}`, html)).status).toBe(200)
  })

  it('a retried send carries the same links: they are minted once per reply', async () => {
    const c = await resolvedDraft()
    const outboxId = await approve(c)
    resend.failNext(1, 503)
    await runSends()
    expect(await mintedLinks(c.id)).toBe(2)
    await inOrg((tx) => tx`update jobs set run_at = now() where payload->>'outboxId' = ${outboxId}`)
    await runSends()
    const attempts = handedOver.filter((h) => h.key === `reply/${outboxId}`)
    expect(attempts).toHaveLength(2)
    expect(attempts[1]!.text).toBe(attempts[0]!.text)
    expect(linksIn(attempts[0]!.text).rate).toBeTruthy()
    expect(String(sentMail(outboxId)!.body.text)).toBe(attempts[0]!.text)
    expect(await mintedLinks(c.id)).toBe(2)
  })

  it('a resolution reply held back before it is sent (the customer wrote again) never mints links', async () => {
    const c = await resolvedDraft()
    const outboxId = await approve(c)
    const [mid] = await inOrg(
      (tx) => tx<{ id: string }[]>`select message_id as id from messages where case_id = ${c.id} and direction = 'inbound'`,
    )
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({
        from: `Pat Customer <${c.customer}>`,
        subject: 'Re: resolved?',
        headers: [`In-Reply-To: <${mid!.id}>`],
        body: 'It is not fixed at all.',
      }),
      provider: 'test',
    })
    await runSends()
    expect(sentMail(outboxId)).toBeUndefined()
    expect(await mintedLinks(c.id)).toBe(0)
  })

  it('opening a rating link shows the choice and a comment box, and changes nothing (mail scanners)', async () => {
    const c = await resolved()
    const before = await state(c.id)
    for (let i = 0; i < 3; i++) {
      const res = await app().request(`/csat?r=4&t=${c.rate}`, html)
      expect(res.status).toBe(200)
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      const page = await res.text()
      expect(page).toMatch(/<input type="radio" name="rating" value="4" checked=""/)
      expect(page).toContain('<textarea id="comment" name="comment"')
      expect(page).toContain(`ESC-`)
    }
    expect(await state(c.id)).toEqual(before)
    expect(before).toMatchObject({ ratings: 0, consumed: 0 })
  })

  it('the POST records the rating once, audited as the customer; a replay is refused', async () => {
    const c = await resolved()
    const res = await app().request('/csat', formPost({ t: c.rate, rating: '4', comment: 'Quick and kind. <b>Thanks</b>' }))
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/Thank you/)
    const [row] = await inOrg((tx) => tx`select rating, comment from csat_responses where case_id = ${c.id}`)
    expect(row).toEqual({ rating: 4, comment: 'Quick and kind. <b>Thanks</b>' })
    const events = await inOrg(
      (tx) => tx`select actor_kind, actor_id, action, details from audit_events where case_id = ${c.id} and action = 'csat.submit'`,
    )
    expect(events).toEqual([{ actor_kind: 'customer', actor_id: c.customer, action: 'csat.submit', details: { rating: 4, comment: true } }])

    const replay = await app().request('/csat', formPost({ t: c.rate, rating: '1', comment: 'changed my mind' }))
    expect(replay.status).toBe(410)
    expect(await replay.text()).toMatch(/already used/)
    expect((await app().request(`/csat?r=2&t=${c.rate}`, html)).status).toBe(410)
    expect((await state(c.id)).ratings).toBe(1)

    // The rating shows on the case (escaped) and counts for the owner.
    const cookie = await sessionCookie(db, { id: owner.id, orgId: org.id })
    const page = await (await app().request(`/cases/${c.id}`, { headers: { cookie } })).text()
    expect(page).toContain('4/5')
    expect(page).toContain('Quick and kind. &lt;b&gt;Thanks&lt;/b&gt;')
  })

  it('refuses tampered, wrong-purpose, expired, other-org and malformed links, recording nothing', async () => {
    const c = await resolved()
    const flipped = c.rate.slice(0, -3) + (c.rate.at(-3) === 'A' ? 'B' : 'A') + c.rate.slice(-2)
    for (const token of [flipped, c.confirm, 'not-a-token', '']) {
      const res = await app().request(`/csat?r=5&t=${token}`, html)
      expect(res.status).toBe(400)
      expect(await res.text()).toMatch(/not valid/)
      expect((await app().request('/csat', formPost({ t: token, rating: '5' }))).status).toBe(400)
    }
    // A team link (sign-in) is not a customer link, and a customer link is not an approval link.
    const signIn = await inOrg((tx) => issueLinkToken(tx, key, { orgId: org.id, userId: owner.id, purpose: 'sign_in', ttlSeconds: 600 }))
    expect((await app().request(`/csat?t=${signIn.token}`, html)).status).toBe(400)
    expect(await (await app().request(`/approve?token=${c.rate}`, html)).text()).toMatch(/not valid/)

    const expired = await inOrg((tx) =>
      issueCustomerLink(tx, key, { orgId: org.id, caseId: c.id, purpose: 'csat', ttlSeconds: 60, now: new Date(Date.now() - 3600_000) }),
    )
    const expiredGet = await app().request(`/csat?r=5&t=${expired.token}`, html)
    expect(expiredGet.status).toBe(410)
    expect(await expiredGet.text()).toMatch(/expired/)
    expect((await app().request('/csat', formPost({ t: expired.token, rating: '5' }))).status).toBe(410)

    // Signed by us for another org, naming this org's case: that org cannot see the case.
    const other = await seedOrg(db)
    const foreign = await withOrg(db, other.id, (tx) => issueCustomerLink(tx, key, { orgId: other.id, caseId: c.id, purpose: 'csat' }))
    expect((await app().request('/csat', formPost({ t: foreign.token, rating: '1' }))).status).toBe(400)

    // A rating out of range is refused and the link stays usable.
    const bad = await app().request('/csat', formPost({ t: c.rate, rating: '9' }))
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/from 1 to 5/)
    expect(await state(c.id)).toMatchObject({ ratings: 0, consumed: 0 })
    expect((await app().request('/csat', formPost({ t: c.rate, rating: '5' }))).status).toBe(200)
  })

  it('two racing POSTs of one link record one rating', async () => {
    const c = await resolved()
    const answers = await Promise.all([1, 2, 3].map((n) => app().request('/csat', formPost({ t: c.rate, rating: String(n) }))))
    expect(answers.map((r) => r.status).sort()).toEqual([200, 410, 410])
    expect((await state(c.id)).ratings).toBe(1)
  })

  it('"confirm it is resolved": GET asks, POST closes the case as the customer, once', async () => {
    const c = await resolved()
    const get = await app().request(`/confirm-resolution?t=${c.confirm}`, html)
    expect(get.status).toBe(200)
    expect(await get.text()).toContain('Yes, it is resolved')
    expect((await state(c.id)).status).toBe('resolved')

    const post = await app().request('/confirm-resolution', formPost({ t: c.confirm }))
    expect(post.status).toBe(200)
    const [row] = await inOrg((tx) => tx`select status, customer_confirmed_at is not null as confirmed from cases where id = ${c.id}`)
    expect(row).toEqual({ status: 'closed', confirmed: true })
    const confirm = (await auditActions(db, org.id, c.id)).find((e) => e.action === 'case.confirm')
    expect(confirm).toMatchObject({ actorId: c.customer })
    expect((await app().request('/confirm-resolution', formPost({ t: c.confirm }))).status).toBe(410)
  })

  it('a case reopened before the customer confirms stays open, and the link is not spent', async () => {
    const c = await resolved()
    await inOrg((tx) => changeStatus(tx, org.id, c.id, { kind: 'user', id: owner.id }, { to: 'in_progress' }))
    const post = await app().request('/confirm-resolution', formPost({ t: c.confirm }))
    expect(post.status).toBe(409)
    expect(await post.text()).toMatch(/open again/)
    expect(await state(c.id)).toMatchObject({ status: 'in_progress', consumed: 0 })
  })
})
