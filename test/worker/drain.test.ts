import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { migrate } from '../../src/migrate.ts'
import { insertOrg, type Org } from '../../src/orgs/queries.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'

// As in email.test.ts: wrangler bundles these as text; under Node only they are replaced.
vi.mock('htmx.org/dist/htmx.min.js', () => ({ default: '/* htmx */' }))
vi.mock('htmx.org/dist/ext/hx-csp.min.js', () => ({ default: '/* hx-csp */' }))
vi.mock('../../views/static/desk.js', () => ({ default: '/* desk */' }))

const { default: worker } = await import('../../src/worker.ts')

// No job loop runs on Workers: the invocation that queued a draft drains it after its response
// (waitUntil). Draining takes any org's due jobs, so this file has a database of its own.
describe('Cloudflare Worker: the invocation that queued work runs it after responding', () => {
  const name = testDatabaseName('worker_drain')
  const secret = 'worker-drain-secret-0123456789'
  let url: string
  let db: Db
  let org: Org
  const env = () => ({ HYPERDRIVE: { connectionString: url }, PUBLIC_URL: 'https://desk.example.test', INBOUND_SECRET: secret })

  /** A Workers execution context whose waitUntil work the test can wait for, as the runtime does. */
  function invocation() {
    const pending: Promise<unknown>[] = []
    return { ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) }, settled: () => Promise.allSettled(pending) }
  }

  const draftsOf = (subject: string) =>
    withOrg(db, org.id, async (tx) => {
      const [row] = await tx<
        { n: number }[]
      >`select count(*)::int as n from drafts d join cases c on c.id = d.case_id where c.subject = ${subject}`
      return row!.n
    })
  const pendingJobs = async () =>
    (await db<{ n: number }[]>`select count(*)::int as n from jobs where done_at is null and failed_at is null`)[0]!.n

  beforeAll(async () => {
    url = await withDatabase(name)
    db = connect(url, { max: 2 })
    await migrate(db)
    org = await insertOrg(db, { slug: 'drain-org', name: 'Drain Org', inboundAddresses: ['escalations@drain.test'] })
  })
  afterAll(async () => {
    await db.end()
    await dropDatabase(name)
  })

  it('a signed POST /inbound/raw answers at once, and its draft is written before the invocation ends', async () => {
    const raw = buildEml({ subject: 'Raw webhook on Workers', to: 'escalations@drain.test' })
    const { ctx, settled } = invocation()
    const res = await worker.fetch(
      new Request('https://desk.example.test/inbound/raw', { method: 'POST', body: raw as BodyInit, headers: signRaw(secret, raw) }),
      env(),
      ctx,
    )
    expect(await res.json()).toMatchObject({ status: 'created' })
    await settled()
    expect(await draftsOf('Raw webhook on Workers')).toBe(1)
    expect(await pendingJobs()).toBe(0)
  })

  it('mail from Email Routing gets its draft in the same invocation', async () => {
    const raw = buildEml({ subject: 'Routed mail on Workers', to: 'escalations@drain.test' })
    const { ctx, settled } = invocation()
    const message = {
      from: 'pat@customer.test',
      to: 'escalations@drain.test',
      raw: new Response(Buffer.from(raw)).body!,
      rawSize: raw.byteLength,
      setReject: () => {},
    }
    await worker.email(message, env(), ctx)
    await settled()
    expect(await draftsOf('Routed mail on Workers')).toBe(1)
    expect(await pendingJobs()).toBe(0)
  })

  it('a GET drains nothing: reads never queue work, and pay for no claim', async () => {
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ subject: 'Queued elsewhere', to: 'escalations@drain.test' }),
      provider: 'test',
    })
    expect(await pendingJobs()).toBe(1)
    const { ctx, settled } = invocation()
    const res = await worker.fetch(new Request('https://desk.example.test/healthz'), env(), ctx)
    expect(res.status).toBe(200)
    await settled()
    expect(await pendingJobs()).toBe(1)
  })
})
