import { serve, type ServerType } from '@hono/node-server'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { testAddress } from '../../src/setup/test-message.ts'
import { startOpenAiStub } from '../drafts/openai-stub.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { buildEml, seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'
import { runDesk } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

const INBOUND_SECRET = 'doctor-test-inbound-secret-01234'

describe('desk doctor', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  let openai: Awaited<ReturnType<typeof startOpenAiStub>>
  let server: ServerType
  let publicUrl: string
  let live: Record<string, string>

  beforeAll(async () => {
    db = testDb()
    resend = await startResendServer()
    resend.setDomains([{ name: 'acme.test' }])
    openai = await startOpenAiStub()
    // The desk PUBLIC_URL names, answering /healthz over the network as a deployed one would.
    let app = createTestApp(db)
    server = serve({ fetch: (request) => app.fetch(request), port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    publicUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    live = {
      DATABASE_URL: testDatabaseUrl(),
      DESK_DEMO: '0',
      PUBLIC_URL: publicUrl,
      RESEND_API_KEY: 're_live_key',
      RESEND_BASE_URL: resend.baseUrl,
      MAIL_FROM: 'Acme Desk <desk@acme.test>',
      INBOUND_SECRET,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseUrl,
    }
    app = createTestApp(db, { env: testEnv(live) })
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await resend.close()
    await openai.close()
    await db.end()
  })

  async function freshOrg() {
    const slug = `d-${randomBytes(4).toString('hex')}`
    const org = await seedOrg(db, { slug, inboundAddresses: [`escalations@${slug}.test`] })
    await seedUser(db, org.id, 'admin')
    return org
  }

  const lines = (stdout: string) => stdout.trim().split('\n')

  it('on a bare configuration prints one failing line per check, each with its fix, and exits 1', async () => {
    const org = await freshOrg()
    const result = await runDesk(['doctor', '--org', org.slug], { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
    expect(result.code).toBe(1)
    const out = lines(result.stdout)
    expect(out).toHaveLength(8)
    expect(out[0]).toMatch(/^PASS {2}Database: Reachable; all \d+ migrations applied/)
    for (const line of out.slice(1)) expect(line).toMatch(/^FAIL {2}.+ Fix: .+/)
    expect(out.map((l) => /^(?:PASS|FAIL) {2}(?:[a-z0-9-]+: )?([^:]+):/.exec(l)?.[1])).toEqual([
      'Database',
      'Public URL',
      'Sending mail',
      'Receiving mail',
      'Test message',
      'Daily digest',
      'Approvers',
      'AI drafting',
    ])
  })

  it('exits 0 only once everything passes, the test message included', async () => {
    const org = await freshOrg()
    await seedUser(db, org.id, 'approver')
    const before = await runDesk(['doctor', '--org', org.slug], live)
    expect(before.code).toBe(1)
    expect(lines(before.stdout).filter((l) => l.startsWith('FAIL'))).toEqual([
      expect.stringMatching(
        /^FAIL {2}d-[a-z0-9]+: Test message: No test message has arrived yet.* Fix: Send a message to escalations\+setup-[a-z0-9]+@/,
      ),
    ])

    const [{ tag }] = await db<{ tag: string }[]>`select setup_test_tag as tag from orgs where id = ${org.id}`
    const raw = buildEml({ to: testAddress({ inboundAddresses: [`escalations@${org.slug}.test`], setupTestTag: tag })! })
    const sent = await fetch(`${publicUrl}/inbound/raw`, {
      method: 'POST',
      headers: signRaw(INBOUND_SECRET, raw),
      body: raw as Uint8Array<ArrayBuffer>,
    })
    expect(((await sent.json()) as { status: string }).status).toBe('created')

    const after = await runDesk(['doctor', '--org', org.slug, '--json'], live)
    expect(after.code).toBe(0)
    const checks = JSON.parse(after.stdout) as { id: string; ok: boolean; org: string | null }[]
    expect(checks.map((c) => c.id)).toEqual([
      'database',
      'public_url',
      'sending',
      'inbound',
      'test_message',
      'digest',
      'approvers',
      'drafting',
    ])
    expect(checks.every((c) => c.ok)).toBe(true)
  })

  it('a database it cannot reach is one failing line and exit 1; an unknown org is exit 2', async () => {
    const down = await runDesk(['doctor'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/nothing', DESK_DEMO: '0' })
    expect(down.code).toBe(1)
    expect(lines(down.stdout)).toEqual([
      expect.stringMatching(/^FAIL {2}Database: The database cannot be reached: .* Fix: Check DATABASE_URL/),
    ])
    expect(down.stderr).not.toMatch(/at .*\.ts:\d+/) // no stack trace

    const unknown = await runDesk(['doctor', '--org', 'no-such-org'], { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toBe('desk doctor: no organization with slug "no-such-org" (check --org)')
  })
})
