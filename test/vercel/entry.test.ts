import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { migrate } from '../../src/migrate.ts'
import { insertOrg, insertUser, type Org } from '../../src/orgs/queries.ts'
// @ts-expect-error plain JavaScript, run by node before anything is built
import { buildVercelOutput } from '../../src/vercel-build.mjs'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml } from '../support/db.ts'
import { arrangeCase, heldMail, minutes } from '../support/digest.ts'
import { signRaw } from '../support/inbound.ts'

// The Vercel function exactly as deployed: `npm run build:vercel`'s bundle (the Build Output API
// layout `vercel build` uploads), imported and called the way Vercel's Node runtime calls a
// Web-standard handler: fetch(request, { waitUntil }). Draining and the tick take any org's
// jobs, so the file has a database of its own.

type Handler = { fetch(request: Request, context?: { waitUntil?: (p: Promise<unknown>) => void }): Promise<Response> }

describe('Vercel function (src/vercel.ts, bundled by src/vercel-build.mjs)', () => {
  const name = testDatabaseName('vercel')
  const inboundSecret = 'vercel-inbound-secret-0123456789'
  const cronSecret = 'vercel-cron-secret-0123456789'
  const publicUrl = 'https://desk-test.vercel.app'
  let outputDir: string
  let handler: Handler
  let db: Db
  let org: Org

  /** One invocation: the handler's answer, after the work it left in waitUntil has settled. */
  async function invoke(path: string, init: RequestInit = {}) {
    const pending: Promise<unknown>[] = []
    const response = await handler.fetch(new Request(`${publicUrl}${path}`, init), { waitUntil: (p) => void pending.push(p) })
    const body = await response.text()
    await Promise.allSettled(pending)
    return { status: response.status, body, json: () => JSON.parse(body) as Record<string, unknown> }
  }
  const pendingJobs = async () =>
    (await db<{ n: number }[]>`select count(*)::int as n from jobs where done_at is null and failed_at is null`)[0]!.n

  beforeAll(async () => {
    outputDir = await mkdtemp(join(tmpdir(), 'desk-vercel-'))
    const { functionDir } = await buildVercelOutput(outputDir)
    handler = ((await import(/* @vite-ignore */ pathToFileURL(join(functionDir, 'index.mjs')).href)) as { default: Handler }).default
    const url = await withDatabase(name)
    db = connect(url, { max: 2 })
    await migrate(db)
    org = await insertOrg(db, { slug: 'vercel-org', name: 'Vercel Org', timezone: 'UTC', inboundAddresses: ['escalations@vercel.test'] })
    // What the project's environment variables hold on Vercel (the system one included).
    vi.stubEnv('DATABASE_URL', url)
    vi.stubEnv('VERCEL_PROJECT_PRODUCTION_URL', 'desk-test.vercel.app')
    vi.stubEnv('INBOUND_SECRET', inboundSecret)
    vi.stubEnv('CRON_SECRET', cronSecret)
  }, 120_000)
  afterAll(async () => {
    vi.unstubAllEnvs()
    await db.end()
    await dropDatabase(name)
    await rm(outputDir, { recursive: true, force: true })
  })

  it('serves /healthz, the pages and the static files, on the production domain only', async () => {
    expect((await invoke('/healthz')).json()).toEqual({ status: 'ok', database: 'ok' })
    expect((await invoke('/static/htmx.min.js')).body).toMatch(/htmx/)
    expect((await invoke('/sign-in')).status).toBe(200)
    const elsewhere = await handler.fetch(new Request('https://attacker.example/sign-in'))
    expect(elsewhere.status).toBe(421)
  })

  it('accepts a signed POST /inbound/raw, parses it on the worker thread, and drafts the case before the invocation ends', async () => {
    const raw = buildEml({ subject: 'Arrived on Vercel', to: 'escalations@vercel.test' })
    const res = await invoke('/inbound/raw', { method: 'POST', body: raw as BodyInit, headers: signRaw(inboundSecret, raw) })
    expect(res.json()).toMatchObject({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    const drafts = await withOrg(
      db,
      org.id,
      (tx) => tx`select d.author from drafts d join cases c on c.id = d.case_id where c.subject = 'Arrived on Vercel'`,
    )
    expect(drafts).toEqual([{ author: 'template' }])
    expect(await pendingJobs()).toBe(0)

    const unsigned = await invoke('/inbound/raw', { method: 'POST', body: raw as BodyInit })
    expect(unsigned.status).toBe(401)
  })

  it('GET /api/cron/tick runs the scheduler tick only with Authorization: Bearer <CRON_SECRET>', async () => {
    await db`update orgs set digest_hour = 0, created_at = now() - interval '2 days' where id = ${org.id}`
    await insertUser(db, org.id, { email: 'boss@vercel.test', name: 'Boss', role: 'approver' })
    await arrangeCase(db, org.id, {
      subject: 'Overdue',
      nextDeadlineAt: new Date(Date.now() - minutes(30)),
      nextAtRiskAt: new Date(Date.now() - minutes(90)),
    })
    const digests = async () => (await heldMail(db, org.id)).filter((m) => m.key?.startsWith('digest/'))

    for (const authorization of [
      undefined,
      'Bearer wrong-secret-0123456789',
      cronSecret,
      `Bearer ${cronSecret}x`,
      `bearer ${cronSecret}`,
    ]) {
      const res = await invoke('/api/cron/tick', { headers: authorization ? { authorization } : {} })
      expect(res.status).toBe(401)
    }
    expect(await digests()).toEqual([])

    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      const res = await invoke('/api/cron/tick', { headers: { authorization: `Bearer ${cronSecret}` } })
      expect(res.status).toBe(200)
      expect(res.json()).toMatchObject({ status: 'ok', jobs: { done: expect.any(Number), failed: 0 } })
    } finally {
      log.mockRestore()
    }
    expect(await digests()).toEqual([expect.objectContaining({ to: ['boss@vercel.test'], subject: expect.stringMatching(/1 breached/) })])
    expect(await pendingJobs()).toBe(0)
  })

  it('without CRON_SECRET the tick route is off (503), whatever is sent', async () => {
    vi.stubEnv('CRON_SECRET', '')
    try {
      const res = await invoke('/api/cron/tick', { headers: { authorization: 'Bearer ' } })
      expect(res.status).toBe(503)
    } finally {
      vi.stubEnv('CRON_SECRET', cronSecret)
    }
  })
})
