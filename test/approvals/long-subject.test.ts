import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createResendMailer } from '../../src/outbound/mailer.ts'
import { SUBJECT_HEADER_CHARS } from '../../src/outbound/headers.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { startResendServer } from '../support/resend-server.ts'

// A subject is the customer's, at any length: stored whole, drafted as "Re: " + all of it,
// approved and sent. Only the Subject header of the mail that leaves is shortened (Outlook keeps
// 255 characters of one); the case, the draft, the approval and the sent copy keep every word.
// Before sql/00020 a draft subject over 300 characters failed the draft job on every attempt.

/** The first 1,000 characters (code points) of the text repeated. */
const thousand = (text: string) =>
  Array.from(text.repeat(Math.ceil(1000 / Array.from(text).length)))
    .slice(0, 1000)
    .join('')
const latin = thousand(Array.from({ length: 200 }, (_, i) => `word${i}`).join(' '))
const cyrillic = thousand('Жалоба на обслуживание и задержку заказа ')
const cjk = thousand('我们的订单已经三周没有送达客服也不回复')
const emoji = thousand('😡 refund now 👍🏽 ')
/** Characters as a reader counts them (an emoji with its skin tone is one). */
const shownLength = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length

describe('a 1,000-character subject goes through the whole loop', () => {
  let db: Db
  let org: Org
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let agent: { id: string; email: string }
  let approver: { id: string; email: string }
  const env = testEnv()

  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
    org = await seedOrg(db)
    agent = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const mailer = () => createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })
  const app = () => createTestApp(db, { mailer: mailer() })
  const runJobs = () =>
    runJobsOnce({ db, env, handlers: jobHandlers({ mailer: mailer() }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })
  const cookieOf = (user: { id: string }) => sessionCookie(db, { id: user.id, orgId: org.id })

  async function loop(subject: string) {
    expect([...subject].length).toBe(1000)
    const c = await seedCase(db, org.id, { from: 'Pat Doe <pat@customer.test>', subject: 'Placeholder' })
    // The case holds the customer's subject whole, as the portal's form and intake give it.
    await db`update cases set subject = ${subject}, original_subject = null where id = ${c.id}`
    await runJobs()
    const [draft] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, c.id, 1))
    expect(draft, 'the draft job wrote a draft').toBeDefined()
    expect(draft!.subject).toBe(`Re: ${subject}`)
    const [job] = await withOrg(
      db,
      org.id,
      (tx) =>
        tx`select done_at is not null as done, last_error as "lastError", attempts from jobs where kind = 'draft' and payload->>'caseId' = ${c.id}`,
    )
    expect(job).toMatchObject({ done: true, lastError: null })

    // An agent asks; the approver approves in the portal, acknowledging the draft's warnings.
    const asked = collectingExecutionCtx()
    const request = await app().request(
      `/cases/${c.id}/approval/request`,
      formPost({}, { cookie: await cookieOf(agent) }),
      undefined,
      asked.ctx,
    )
    expect(request.status).toBe(303)
    await asked.settled()
    const invite = resend.emails.at(-1)!
    expect(shownLength(invite.body.subject as string)).toBeLessThanOrEqual(SUBJECT_HEADER_CHARS)

    const decided = new URLSearchParams({ draftId: draft!.id, decision: 'approved', note: '' })
    for (const flag of draft!.guardrailFlags.filter((f) => f.severity === 'warn')) decided.append('ack', flag.code)
    const decision = await app().request(`/cases/${c.id}/approval/decide`, {
      ...formPost({}, { cookie: await cookieOf(approver) }),
      body: decided.toString(),
    })
    expect(decision.headers.get('location')).toBe(`/cases/${c.id}?notice=approved`)

    await runJobs()
    const [outbox] = await withOrg(db, org.id, (tx) => tx`select id, status, subject from outbox where case_id = ${c.id}`)
    expect(outbox).toMatchObject({ status: 'sent', subject: `Re: ${subject}` })
    const sent = resend.emails.find((e) => e.idempotencyKey === `reply/${outbox!.id}`)!
    const header = sent.body.subject as string
    // Shortened at a character, never inside one: no lone surrogate, no split emoji.
    expect(header.startsWith('Re: ')).toBe(true)
    expect(header.endsWith('…')).toBe(true)
    expect(shownLength(header)).toBeLessThanOrEqual(SUBJECT_HEADER_CHARS)
    expect(header).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    expect(`Re: ${subject}`.startsWith(header.slice(0, -1).trimEnd())).toBe(true)
    // The thread keeps the whole subject of what was sent.
    const [message] = await withOrg(db, org.id, (tx) => tx`select subject from messages where case_id = ${c.id} and direction = 'outbound'`)
    expect(message!.subject).toBe(`Re: ${subject}`)
    const [kase] = await withOrg(db, org.id, (tx) => tx`select status, first_response_at from cases where id = ${c.id}`)
    expect(kase).toMatchObject({ status: 'responded' })
    return header
  }

  it('Latin words: cut at a word', async () => {
    const header = await loop(latin)
    expect(header.slice(0, -1)).toMatch(/word\d+$/)
  })

  it('Cyrillic, Chinese without spaces, and emoji with skin tones', async () => {
    await loop(cyrillic)
    await loop(cjk)
    const header = await loop(emoji)
    expect(header).not.toMatch(/\u{1F44D}…$/u) // the thumbs-up keeps its skin tone or goes whole
  })

  it('through intake: a long subject line gets a draft on the first attempt', async () => {
    const c = await seedCase(db, org.id, { from: 'Pat Doe <pat@customer.test>', subject: latin })
    await runJobs()
    const [draft] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, c.id, 1))
    const [kase] = await withOrg(db, org.id, (tx) => tx<{ subject: string }[]>`select subject from cases where id = ${c.id}`)
    expect(draft!.subject).toBe(`Re: ${kase!.subject}`)
    const [job] = await withOrg(
      db,
      org.id,
      (tx) =>
        tx`select done_at is not null as done, last_error as "lastError", attempts from jobs where kind = 'draft' and payload->>'caseId' = ${c.id}`,
    )
    expect(job).toMatchObject({ done: true, lastError: null, attempts: 1 })
  })
})
