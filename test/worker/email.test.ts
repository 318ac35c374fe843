import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDatabaseUrl, testDb } from '../support/db.ts'

// Wrangler bundles these as text (wrangler.toml [[rules]]); under Node they would run as browser
// scripts, so only these three asset imports are replaced. The database is the real test server.
vi.mock('htmx.org/dist/htmx.min.js', () => ({ default: '/* htmx */' }))
vi.mock('htmx.org/dist/ext/hx-csp.min.js', () => ({ default: '/* hx-csp */' }))
vi.mock('../../views/static/desk.js', () => ({ default: '/* desk */' }))

const { default: worker } = await import('../../src/worker.ts')

function emailMessage(raw: Uint8Array, to: string) {
  const rejected: string[] = []
  return {
    rejected,
    message: {
      from: 'pat@customer.test',
      to,
      rawSize: raw.byteLength,
      raw: new Response(Buffer.from(raw)).body!,
      setReject: (reason: string) => void rejected.push(reason),
    },
  }
}

describe('Cloudflare Email Worker email() handler', () => {
  let db: Db
  let org: Org
  const pending: Promise<unknown>[] = []
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) }
  const env = () => ({ HYPERDRIVE: { connectionString: testDatabaseUrl() }, MAX_MESSAGE_BYTES: '20000' })

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
  })
  afterAll(async () => {
    await Promise.allSettled(pending)
    await db.end()
  })

  it('routes by the envelope recipient into the same intake', async () => {
    const raw = buildEml({ subject: 'Via Email Routing', to: 'someone-else@example.test' })
    const { message, rejected } = emailMessage(raw, org.inboundAddresses[0]!)
    await worker.email(message, env(), ctx)
    expect(rejected).toEqual([])
    const rows = await withOrg(db, org.id, (tx) => tx`select c.subject, r.provider from cases c join inbound_raw r on r.case_id = c.id`)
    expect(rows).toEqual([{ subject: 'Via Email Routing', provider: 'cloudflare' }])
  })

  it('bounces a message over the size limit without storing anything', async () => {
    const raw = buildEml({ body: 'x'.repeat(30_000) })
    const { message, rejected } = emailMessage(raw, org.inboundAddresses[0]!)
    await worker.email(message, env(), ctx)
    expect(rejected[0]).toMatch(/over the 20000 byte limit/)
  })
})
