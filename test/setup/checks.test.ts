import { serve, type ServerType } from '@hono/node-server'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { createApp } from '../../src/app.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Env } from '../../src/env.ts'
import { computeDigest } from '../../src/digest/digest.ts'
import { loadMetrics } from '../../src/metrics/metrics.ts'
import { parsePeriod } from '../../src/metrics/period.ts'
import { checkOrg, checkServer, type Check } from '../../src/setup/checks.ts'
import { shippedMigrations } from '../../src/setup/migration-files.ts'
import { testAddress } from '../../src/setup/test-message.ts'
import { startOpenAiStub } from '../drafts/openai-stub.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'
import { startResendServer } from '../support/resend-server.ts'

const INBOUND_SECRET = 'setup-checks-inbound-secret-0123'

/** The verdicts the page shows, by check id, read from its markup. */
function verdicts(html: string): Record<string, boolean> {
  return Object.fromEntries([...html.matchAll(/data-check="([a-z_]+)" data-ok="(true|false)"/g)].map((m) => [m[1]!, m[2] === 'true']))
}

describe('/admin/setup: the go-live checklist', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let openai: Awaited<ReturnType<typeof startOpenAiStub>>
  // One real HTTP server whose app can be swapped: PUBLIC_URL must answer /healthz over the network.
  let current: ReturnType<typeof createApp>
  let server: ServerType
  let publicUrl: string

  beforeAll(async () => {
    db = testDb()
    resend = await startResendServer()
    openai = await startOpenAiStub()
    current = createTestApp(db)
    server = serve({ fetch: (request) => current.fetch(request), port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    publicUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await resend.close()
    await openai.close()
    await db.end()
  })

  /** An org as `desk org create` leaves it: an inbound address on its own domain, one admin. */
  async function freshOrg() {
    const slug = `s-${randomBytes(4).toString('hex')}`
    const org = await seedOrg(db, { slug, inboundAddresses: [`escalations@${slug}.test`] })
    const admin = await seedUser(db, org.id, 'admin')
    const cookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    return { org, admin, cookie }
  }

  const configured = (overrides: Record<string, string> = {}) =>
    testEnv({
      PUBLIC_URL: publicUrl,
      RESEND_API_KEY: 're_live_test_key',
      RESEND_BASE_URL: resend.baseUrl,
      MAIL_FROM: 'Acme Desk <desk@acme.test>',
      INBOUND_SECRET,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseUrl,
      ...overrides,
    })

  async function page(env: Env, cookie: string) {
    current = createTestApp(db, { env })
    const res = await current.request('/admin/setup', { headers: { cookie, accept: 'text/html' } })
    return { status: res.status, html: await res.text() }
  }

  async function checksFor(env: Env, orgId: string, migrationFiles: string[] | null = null): Promise<Record<string, Check>> {
    current = createTestApp(db, { env })
    const ctx = { db, env, migrationFiles: migrationFiles ?? (await shippedMigrations()) }
    const result = await checkOrg(ctx, await checkServer(ctx), orgId)
    return Object.fromEntries(result!.checks.map((c) => [c.id, c]))
  }

  /** A test complaint to the org's +setup- address through the signed webhook, over HTTP. */
  async function sendTestMessage(to: string, extra: Parameters<typeof buildEml>[0] = {}) {
    const raw = buildEml({ to, subject: 'Set-up test: my order never arrived', ...extra })
    const res = await fetch(`${publicUrl}/inbound/raw`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', ...signRaw(INBOUND_SECRET, raw) },
      body: raw as Uint8Array<ArrayBuffer>,
    })
    expect(res.status).toBe(200)
    return (await res.json()) as { status: string; case: string | null }
  }

  it('on a bare configuration, every check but the database fails, and each says what to do', async () => {
    const { cookie } = await freshOrg()
    resend.setDomains([])
    const { status, html } = await page(testEnv(), cookie)
    expect(status).toBe(200)
    expect(verdicts(html)).toEqual({
      database: true,
      public_url: false,
      sending: false,
      inbound: false,
      test_message: false,
      digest: false,
      approvers: false,
      drafting: false,
    })
    expect(html.match(/What to do: /g)).toHaveLength(7)
    expect(html).toContain('PUBLIC_URL is not set')
    expect(html).toContain('No RESEND_API_KEY')
    expect(html).toContain('Nobody has the approver role')
    expect(html).toContain('OPENAI_API_KEY is not set')
    expect(html).toMatch(/all \d+ migrations applied/)
  })

  it('with the services configured, everything passes once a test message has arrived, which the page shows arriving', async () => {
    const { org, cookie } = await freshOrg()
    await seedUser(db, org.id, 'approver')
    resend.setDomains([{ name: 'acme.test' }])
    const env = configured()

    const before = await page(env, cookie)
    expect(verdicts(before.html)).toEqual({
      database: true,
      public_url: true,
      sending: true,
      inbound: true,
      test_message: false,
      digest: true,
      approvers: true,
      drafting: true,
    })
    expect(before.html).toContain('acme.test: verified')
    expect(before.html).toContain('the model gpt-4o-mini answers')
    // The live calls went to the stand-ins, through the real SDKs.
    expect(openai.requests.some((r) => r.path === '/v1/models/gpt-4o-mini')).toBe(true)

    const address = testAddress({ inboundAddresses: [`escalations@${org.slug}.test`], setupTestTag: await tagOf(org.id) })!
    expect(before.html).toContain(address)
    expect(before.html).toContain('id="setup-test-command"')
    const since = /hx-get="\/admin\/setup\/test\?since=(\d+)"/.exec(before.html)![1]!

    // Polled before anything arrives: still waiting, and no green row.
    const waiting = await current.request(`/admin/setup/test?since=${since}`, { headers: { cookie, 'hx-request': 'true' } })
    expect(await waiting.text()).toContain('Waiting for a test message')

    const outcome = await sendTestMessage(address)
    expect(outcome.status).toBe('created')
    const poll = await (await current.request(`/admin/setup/test?since=${since}`, { headers: { cookie, 'hx-request': 'true' } })).text()
    expect(poll).toContain(`Arrived: ${outcome.case}`)
    expect(poll).toContain('through raw')
    // The checklist's row turns green in the same swap.
    expect(poll).toMatch(
      /<hx-partial hx-target="#check-test_message" hx-swap="outerHTML"[^>]*><li class="check ok" id="check-test_message"/,
    )

    const after = await page(env, cookie)
    expect(Object.values(verdicts(after.html)).every(Boolean)).toBe(true)
    expect(after.html).toContain('Everything going live needs is in place.')

    // The case is a test: metrics leave it out.
    const [kase] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ setupTest: boolean }[]>`select setup_test as "setupTest" from cases where 'ESC-' || number = ${outcome.case}`,
    )
    expect(kase!.setupTest).toBe(true)
  })

  it('a test case is discarded in one audited step: closed, its draft stopped, left out of metrics', async () => {
    const { org, admin, cookie } = await freshOrg()
    current = createTestApp(db, { env: configured() })
    const address = testAddress({ inboundAddresses: [`escalations@${org.slug}.test`], setupTestTag: await tagOf(org.id) })!
    const { case: label } = await sendTestMessage(address)
    const [kase] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${label}`)
    // An open test case is nobody's work: not in the digest's unowned list, not in metrics.
    const digest = await withOrg(db, org.id, (tx) => computeDigest(tx, org.id, new Date()))
    expect(digest.unowned).toEqual([])
    const metrics = await withOrg(db, org.id, (tx) => loadMetrics(tx, org.id, parsePeriod({}, 'UTC')))
    expect(metrics.overall.cases).toBe(0)

    const res = await current.request(`/admin/setup/test-cases/${kase!.id}/discard`, {
      method: 'POST',
      headers: { cookie, origin: sameOrigin, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'since=0',
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(`Discarded ${label}`)
    const [after] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ status: string; jobs: number }[]>`
      select c.status, (select count(*)::int from jobs j where j.payload->>'caseId' = c.id::text and j.done_at is null and j.failed_at is null) as jobs
      from cases c where c.id = ${kase!.id}`,
    )
    expect(after).toEqual({ status: 'closed', jobs: 0 })
    const discard = (await auditActions(db, org.id, kase!.id)).find((e) => e.action === 'case.discard_test')
    expect(discard).toMatchObject({ actorId: admin.id, details: { from: 'new', jobs: 1 } })
    // Twice is refused, not a second event.
    const again = await current.request(`/admin/setup/test-cases/${kase!.id}/discard`, {
      method: 'POST',
      headers: { cookie, origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(again.status).toBe(409)
  })

  it('the test address marks only the case its message opens, never a real case it is copied on', async () => {
    const { org } = await freshOrg()
    current = createTestApp(db, { env: configured() })
    const address = testAddress({ inboundAddresses: [`escalations@${org.slug}.test`], setupTestTag: await tagOf(org.id) })!
    const first = buildEml({ to: `escalations@${org.slug}.test`, messageId: `real-${randomBytes(4).toString('hex')}@customer.test` })
    const created = await fetch(`${publicUrl}/inbound/raw`, {
      method: 'POST',
      headers: signRaw(INBOUND_SECRET, first),
      body: first as Uint8Array<ArrayBuffer>,
    })
    const { case: label } = (await created.json()) as { case: string }
    const messageId = /Message-ID: <([^>]+)>/.exec(new TextDecoder().decode(first))![1]
    const reply = await sendTestMessage(`escalations@${org.slug}.test, ${address}`, {
      subject: 'Re: Complaint',
      headers: [`In-Reply-To: <${messageId}>`],
    })
    expect(reply).toMatchObject({ status: 'threaded', case: label })
    const rows = await withOrg(db, org.id, (tx) => tx<{ setupTest: boolean }[]>`select setup_test as "setupTest" from cases`)
    expect(rows).toEqual([{ setupTest: false }])
  })

  it('names what is wrong with each outside service', async () => {
    const { org } = await freshOrg()
    await seedUser(db, org.id, 'approver')

    resend.setDomains([{ name: 'acme.test', status: 'pending' }])
    let checks = await checksFor(configured(), org.id)
    expect(checks.sending!).toMatchObject({ ok: false, lines: ['acme.test: pending at Resend (its DNS records are not all found yet)'] })

    resend.setDomains([{ name: 'other.test' }])
    checks = await checksFor(configured(), org.id)
    expect(checks.sending!.lines).toEqual(['acme.test: not a domain of this Resend account'])

    checks = await checksFor(configured({ RESEND_API_KEY: 're_sending_only_key' }), org.id)
    expect(checks.sending!.ok).toBe(false)
    expect(checks.sending!.summary).toContain('restricted_api_key')
    expect(checks.sending!.fix).toContain('full-access key')

    checks = await checksFor(configured({ OPENAI_MODEL: 'gpt-nonexistent' }), org.id)
    expect(checks.drafting!).toMatchObject({ ok: false, summary: expect.stringContaining('no model "gpt-nonexistent"') })

    checks = await checksFor(configured({ PUBLIC_URL: 'http://127.0.0.1:9' }), org.id)
    expect(checks.public_url!).toMatchObject({ ok: false, summary: expect.stringContaining('could not reach http://127.0.0.1:9/healthz') })

    // A database that lacks a migration this code ships.
    checks = await checksFor(configured(), org.id, [...(await shippedMigrations())!, '09999_not_applied.sql'])
    expect(checks.database!).toMatchObject({
      ok: false,
      summary: expect.stringContaining('09999_not_applied.sql'),
      fix: expect.stringContaining('desk migrate'),
    })
  })

  it('inbound: a provider that delivered but has lost its secret fails; a digest that is off fails', async () => {
    const { org, cookie } = await freshOrg()
    await withOrg(
      db,
      org.id,
      (tx) => tx`
      insert into inbound_raw (org_id, provider, sha256, size, raw, status) values (${org.id}, 'mailgun', 'x', 1, '\\x41', 'processed')`,
    )
    const checks = await checksFor(configured(), org.id)
    expect(checks.inbound!.ok).toBe(false)
    expect(checks.inbound!.fix).toContain('MAILGUN_SIGNING_KEY')
    expect(checks.inbound!.lines.join('\n')).toMatch(/Mailgun: MAILGUN_SIGNING_KEY not set, so it refuses mail now; last delivery just now/)
    expect(checks.inbound!.lines.join('\n')).toMatch(/Signed POST \/inbound\/raw: secret set; last delivery never/)

    await withOrg(db, org.id, (tx) => tx`update orgs set settings = settings || '{"digest_enabled": false}'`)
    expect((await checksFor(configured(), org.id)).digest!).toMatchObject({ ok: false, fix: 'Turn it on at /admin/digest.' })
    void cookie
  })

  it("is for admins: an agent gets 403, another org's test case is not found", async () => {
    const { org } = await freshOrg()
    const agent = await seedUser(db, org.id, 'agent')
    const agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    current = createTestApp(db, { env: configured() })
    expect((await current.request('/admin/setup', { headers: { cookie: agentCookie, accept: 'text/html' } })).status).toBe(403)

    const other = await freshOrg()
    const address = testAddress({ inboundAddresses: [`escalations@${other.org.slug}.test`], setupTestTag: await tagOf(other.org.id) })!
    const { case: label } = await sendTestMessage(address)
    const [kase] = await withOrg(db, other.org.id, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${label}`)
    const { cookie } = await freshOrg()
    const res = await current.request(`/admin/setup/test-cases/${kase!.id}/discard`, {
      method: 'POST',
      headers: { cookie, origin: sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(res.status).toBe(404)
    const [still] = await withOrg(db, other.org.id, (tx) => tx<{ status: string }[]>`select status from cases where id = ${kase!.id}`)
    expect(still!.status).toBe('new')
  })

  async function tagOf(orgId: string): Promise<string> {
    const [row] = await db<{ tag: string }[]>`select setup_test_tag as tag from orgs where id = ${orgId}`
    return row!.tag
  }
})
