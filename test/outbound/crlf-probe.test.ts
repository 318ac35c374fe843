import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createMailer, type Mailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, formPost, sessionCookie } from '../support/auth.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'
import { startResendServer } from '../support/resend-server.ts'

// The security review's CRLF probe, end to end: a customer mail whose encoded words decode to
// CRLF in the Subject, the Message-ID and References goes in through the signed webhook, is
// drafted, its approval invites go out, an approver approves through the mailed link, and the
// reply is sent. Whatever reached the provider (and the dev mailbox) has no line break in any
// header value.

const secret = 'crlf-probe-inbound-secret'
const lineBreak = /[\r\n]/

type Sent = {
  subject: string
  from: string
  to: string[]
  replyTo: string | null
  headers: Record<string, string>
  text: string
  key: string | null
}

function hostileMail(to: string) {
  const tag = randomBytes(4).toString('hex')
  return buildEml({
    from: 'Pat Doe <pat@customer.test>',
    to,
    subject: '=?utf-8?Q?Refund_please=0D=0ABcc:_spy@attacker.test?=',
    messageId: null,
    headers: [
      `Message-ID: =?utf-8?Q?<m1-${tag}=0D=0ABcc:_spy@attacker.test>?=`,
      `References: =?utf-8?Q?<r0-${tag}@x=0D=0AX-Injected:_yes>?=`,
    ],
    body: 'I was promised a refund three weeks ago and nothing has arrived. Please sort this out.',
  })
}

describe('CRLF from customer mail never reaches an outbound header', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  beforeAll(async () => {
    db = testDb(6)
    resend = await startResendServer()
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const transports: [string, () => Record<string, string>, (org: Org) => Promise<Sent[]>][] = [
    [
      'Resend',
      () => ({ RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.baseUrl }),
      async () =>
        resend.emails.map(({ body, idempotencyKey }) => ({
          subject: String(body.subject),
          from: String(body.from),
          to: body.to as string[],
          replyTo: (body.reply_to as string | undefined) ?? null,
          headers: (body.headers ?? {}) as Record<string, string>,
          text: String(body.text),
          key: idempotencyKey,
        })),
    ],
    [
      'the dev mailbox',
      () => ({}),
      (org) => db<Sent[]>`
      select subject, from_address as "from", to_addresses as "to", reply_to as "replyTo", headers, text_body as text, idempotency_key as key
      from dev_mailbox where org_id = ${org.id} order by created_at`,
    ],
  ]

  it.each(transports)(
    'through %s: the approval invites and the approved reply carry no CR or LF in any header',
    { timeout: 60_000 },
    async (_, settings, sentFor) => {
      const org = await seedOrg(db)
      const agent = await seedUser(db, org.id, 'agent')
      await seedUser(db, org.id, 'approver')
      await seedUser(db, org.id, 'approver')
      const env = testEnv({ INBOUND_SECRET: secret, ...settings() })
      const mailer: Mailer = createMailer(db, env)
      const app = createTestApp(db, { env, mailer })
      const runJobs = () =>
        runJobsOnce({ db, env, handlers: jobHandlers({ mailer }), backoffMs: () => 0, log: () => {} }, { orgId: org.id })

      // In through the signed webhook, routed by the recipient address.
      const raw = hostileMail(org.inboundAddresses[0]!)
      const delivered = await app.request('/inbound/raw', {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', ...signRaw(secret, raw) },
        body: raw as BodyInit,
      })
      expect(delivered.status).toBe(200)
      const outcome = (await delivered.json()) as { status: string; case: string }
      expect(outcome.status).toBe('created')
      await runJobs() // the draft
      const [kase] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)

      // The owner asks for approval: both approvers are mailed a link.
      const { ctx, settled } = collectingExecutionCtx()
      const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
      const asked = await app.request(`/cases/${kase!.id}/approval/request`, formPost({}, { cookie }), undefined, ctx)
      expect(asked.status).toBe(303)
      const results = await settled()
      expect(results.map((r) => r.status)).toEqual(['fulfilled'])
      const invites = (await sentFor(org)).filter((m) => m.text.includes('/approve?token='))
      expect(invites).toHaveLength(2)

      // An approver approves the version they were shown, through the mailed link.
      const token = decodeURIComponent(/\/approve\?token=([^\s]+)/.exec(invites[0]!.text)![1]!)
      const [draft] = await withOrg(
        db,
        org.id,
        (tx) => tx<{ toEmails: string[]; subject: string; body: string; flags: { code: string; severity: string }[] }[]>`
      select to_emails as "toEmails", subject, body, guardrail_flags as flags from drafts where case_id = ${kase!.id} order by version desc limit 1`,
      )
      const form = new URLSearchParams({
        token,
        decision: 'approved',
        to: draft!.toEmails.join(', '),
        subject: draft!.subject,
        body: draft!.body,
      })
      for (const flag of draft!.flags.filter((f) => f.severity === 'warn')) form.append('ack', flag.code)
      const approved = await app.request('/approve', {
        method: 'POST',
        headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: form.toString(),
      })
      expect(approved.status).toBe(200)
      await runJobs() // the send

      const [outbox] = await withOrg(
        db,
        org.id,
        (tx) => tx<{ id: string; status: string; lastError: string | null }[]>`
      select id, status, last_error as "lastError" from outbox where case_id = ${kase!.id}`,
      )
      expect(outbox).toMatchObject({ status: 'sent', lastError: null })
      const sent = await sentFor(org)
      const reply = sent.find((m) => m.key === `reply/${outbox!.id}`)
      expect(reply).toBeTruthy()
      expect(reply!.to).toEqual(['pat@customer.test'])
      expect(reply!.subject).toContain('Refund please')

      for (const mail of [...invites, reply!]) {
        const values = [mail.subject, mail.from, ...mail.to, mail.replyTo ?? '', ...Object.entries(mail.headers).flat()]
        for (const value of values) expect(value, JSON.stringify(value)).not.toMatch(lineBreak)
        expect(Object.keys(mail.headers).map((h) => h.toLowerCase())).not.toContain('bcc')
        expect(mail.to.join(' ')).not.toContain('attacker.test')
      }
    },
  )
})
