import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { freePort, runDesk, startServer, type Server } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

// Going live without SQL: from an empty database to a working second organization, through the
// `desk` command and the pages of the running server only. Resend is the only stand-in.

const customerMessageId = 'golive-original-4410@mail.customer.test'
const forward = (to: string) =>
  [
    'From: Dana Ruiz <dana@globex.test>',
    `To: ${to}`,
    'Subject: Fwd: Billed three times, nobody answers',
    'Date: Mon, 19 Jan 2026 08:00:00 +0000',
    'Message-ID: <dana-fwd-4410@globex.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Can someone take care of this today? I promised her an answer.',
    '--b1',
    'Content-Type: message/rfc822',
    '',
    'From: Pat Quinn <pat@customer.test>',
    'To: Dana Ruiz <dana@globex.test>',
    'Subject: Billed three times, nobody answers',
    'Date: Sun, 18 Jan 2026 21:14:00 +0000',
    `Message-ID: <${customerMessageId}>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'You charged my card three times for one order and support has not answered in a week.',
    'Please refund the two extra charges.',
    '--b1--',
    '',
  ].join('\r\n')

describe('going live: an empty database to a working second organization, without SQL', () => {
  const name = testDatabaseName('go_live')
  let url: string
  let db: Db // only to look, never to set anything up
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let server: Server
  let dir: string
  let base: string
  beforeAll(async () => {
    url = await withDatabase(name)
    db = connect(url, { max: 2 })
    resend = await startResendServer()
    dir = await mkdtemp(join(tmpdir(), 'desk-go-live-'))
  })
  afterAll(async () => {
    await server?.stop()
    await resend?.close()
    await db?.end()
    await dropDatabase(name)
    await rm(dir, { recursive: true, force: true })
  })

  // The CLI gets no PUBLIC_URL: its links must point at the running server all the same.
  const cliEnv = () => ({ DATABASE_URL: url, DESK_DEMO: '0', RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.baseUrl })
  const desk = async (...args: string[]) => {
    const result = await runDesk(args, cliEnv())
    if (result.code !== 0) throw new Error(`desk ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
    return result.stdout
  }
  const mailsTo = (address: string) => resend.emails.filter((e) => JSON.stringify(e.body.to).includes(address))
  const linkIn = (mail: { body: Record<string, unknown> }, path: string) => {
    const match = new RegExp(`${base.replace(/[.:/]/g, '\\$&')}${path}\\?token=[\\w.-]+`).exec(String(mail.body.text))
    if (!match) throw new Error(`no ${path} link in: ${String(mail.body.text)}`)
    return match[0]
  }
  const browser = (cookie = '') => ({
    get: (path: string) => fetch(`${base}${path}`, { headers: { accept: 'text/html', cookie }, redirect: 'manual' }),
    post: (path: string, fields: Record<string, string | string[]>) => {
      const body = new URLSearchParams()
      for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v)
      return fetch(`${base}${path}`, {
        method: 'POST',
        body,
        redirect: 'manual',
        headers: { origin: base, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      })
    },
  })
  async function signIn(link: string): Promise<string> {
    const token = new URL(link).searchParams.get('token')!
    const res = await browser().post('/sign-in/confirm', { token })
    expect(res.status).toBe(303)
    return /desk_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0]
  }
  async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const value = await fn()
      if (value) return value
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  it(
    'creates the org, sets its address and executives, invites an approver, and answers a CEO forward From the executive, threaded',
    { timeout: 180_000 },
    async () => {
      expect(await desk('migrate')).toMatch(/^applied 00001_foundation\.sql/)
      const port = await freePort()
      server = await startServer({
        ...cliEnv(),
        PORT: String(port),
        SCHEDULER_INTERVAL_SECONDS: '0',
        MAIL_FROM: 'Escalation Desk <desk@desk.test>',
      })
      base = server.url
      expect(base).toBe(`http://localhost:${port}`)

      // Two organizations from the command line; the second is the one we take live.
      await desk(
        'org',
        'create',
        '--slug',
        'initech',
        '--name',
        'Initech',
        '--inbound',
        'escalations@initech.test',
        '--admin',
        'bill@initech.test',
      )
      const created = await desk(
        'org',
        'create',
        '--slug',
        'globex',
        '--name',
        'Globex',
        '--inbound',
        'desk@globex.test',
        '--admin',
        'ops@globex.test',
        '--timezone',
        'America/Chicago',
      )
      const adminLink = /Sign in as ops@globex\.test \(single use, 15 minutes\): (\S+)/.exec(created)![1]!
      expect(adminLink.startsWith(`${base}/sign-in/confirm?token=`)).toBe(true)
      expect((await desk('login-link', 'bill@initech.test')).startsWith(`${base}/sign-in/confirm?token=`)).toBe(true)
      expect(
        await desk(
          'org',
          'set',
          'globex',
          '--inbound',
          'escalations@globex.test',
          '--executives',
          'dana@globex.test',
          '--domains',
          'globex.test',
        ),
      ).toBe('globex: changed inboundAddresses, domains, executives\n')

      // The admin signs in with the printed link and finishes the set-up on the organization page.
      const admin = browser(await signIn(adminLink))
      const orgPage = await (await admin.get('/admin/organization')).text()
      expect(orgPage).toContain('Getting mail for escalations@globex.test into the desk')
      expect(
        (
          await admin.post('/admin/organization/executives', {
            'email.0': 'dana@globex.test',
            'name.0': 'Dana Ruiz',
            'title.0': 'CEO',
            'send_as.0': 'on',
          })
        ).status,
      ).toBe(303)
      expect(
        (
          await admin.post('/admin/organization/sender', {
            reply_from: 'Globex Care <care@globex.test>',
            sender_name: 'Globex Care',
            signature: '',
          })
        ).status,
      ).toBe(303)

      // An approver, invited by email from the users page (reached from the organization page).
      expect(orgPage).toContain('href="/admin/users"')
      expect((await admin.post('/admin/users', { email: 'hank@globex.test', name: 'Hank Scorpio', role: 'approver' })).status).toBe(303)
      const invitation = await eventually('the invitation', async () => mailsTo('hank@globex.test')[0])
      expect(invitation.body).toMatchObject({
        subject: 'You are invited to Globex on Escalation Desk',
        from: 'Escalation Desk <desk@desk.test>',
      })
      const approver = browser(await signIn(linkIn(invitation, '/sign-in/confirm')))

      // Dana forwards a complaint to the new address: routed to Globex (no --org), a CEO-inbox case.
      const file = join(dir, 'forward.eml')
      await writeFile(file, forward('escalations@globex.test'))
      const outcome = JSON.parse(await desk('ingest', file, '--json')) as { status: string; case: string }
      expect(outcome).toEqual({ status: 'created', case: 'ESC-1001' })
      const bundle = async () =>
        JSON.parse(await desk('case', 'ESC-1001', '--org', 'globex', '--json')) as {
          case: { id: string; source: string; customer_email: string; forwarded_by: string[]; reply_token: string }
          drafts: {
            id: string
            to_emails: string[]
            subject: string
            body: string
            guardrail_flags: { code: string; severity: string }[]
          }[]
          outbox: { status: string; from_address: string; message_id: string }[]
        }
      const kase = (await bundle()).case
      expect(kase).toMatchObject({ source: 'ceo_inbox', customer_email: 'pat@customer.test', forwarded_by: ['dana@globex.test'] })
      expect(await db`select count(*)::int as n from cases c join orgs o on o.id = c.org_id where o.slug = 'initech'`).toEqual([{ n: 0 }])

      // The server's job loop drafts it in Dana's voice; the admin asks for approval.
      const draft = await eventually('the draft', async () => (await bundle()).drafts[0])
      expect(draft.body).toMatch(/Dana Ruiz\nCEO, Globex$/)
      expect((await admin.post(`/cases/${kase.id}/approval/request`, {})).status).toBe(303)
      const ask = await eventually('the approval request', async () =>
        mailsTo('hank@globex.test').find((m) => String(m.body.subject).startsWith('Approval needed')),
      )
      expect(ask.body.subject).toBe('Approval needed (Globex): ESC-1001 — Billed three times, nobody answers')

      // Hank opens his link: the page shows the From the customer will see; he approves.
      const approveLink = linkIn(ask, '/approve')
      const review = await (await approver.get(approveLink.slice(base.length))).text()
      expect(review).toContain('Dana Ruiz &lt;dana@globex.test&gt;')
      expect(review).toContain(`escalations+${kase.reply_token}@globex.test`)
      const decided = await approver.post('/approve', {
        token: new URL(approveLink).searchParams.get('token')!,
        decision: 'approved',
        to: draft.to_emails.join(', '),
        subject: draft.subject,
        body: draft.body,
        note: '',
        ack: draft.guardrail_flags.filter((f) => f.severity === 'warn').map((f) => f.code),
      })
      expect(decided.status).toBe(200)
      expect(await decided.text()).toContain('is approved and on its way')

      // Sent through Resend From Dana, Reply-To the case's address, in the customer's own thread.
      const reply = await eventually('the reply', async () => mailsTo('pat@customer.test')[0])
      const sent = await eventually('the sent outbox row', async () => (await bundle()).outbox.find((o) => o.status === 'sent'))
      expect(reply.body).toMatchObject({
        from: 'Dana Ruiz <dana@globex.test>',
        to: ['pat@customer.test'],
        reply_to: `escalations+${kase.reply_token}@globex.test`,
        subject: 'Re: Billed three times, nobody answers',
        headers: expect.objectContaining({
          'Message-ID': `<${sent.message_id}>`,
          'In-Reply-To': `<${customerMessageId}>`,
          References: expect.stringContaining(`<${customerMessageId}>`),
        }),
      })
      expect(sent.from_address).toBe('Dana Ruiz <dana@globex.test>')

      // The customer answers the reply: it threads back to the same case of the same org.
      const answer = join(dir, 'answer.eml')
      await writeFile(
        answer,
        [
          'From: Pat Quinn <pat@customer.test>',
          `To: escalations+${kase.reply_token}@globex.test`,
          'Subject: Re: Billed three times, nobody answers',
          `In-Reply-To: <${sent.message_id}>`,
          'Message-ID: <pat-answer-4410@customer.test>',
          'Content-Type: text/plain',
          '',
          'Thank you, Dana.',
          '',
        ].join('\r\n'),
      )
      expect(JSON.parse(await desk('ingest', answer, '--json'))).toEqual({ status: 'threaded', case: 'ESC-1001' })
    },
  )
})
