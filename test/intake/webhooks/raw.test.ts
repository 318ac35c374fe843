import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../../src/db.ts'
import { signedPrefix } from '../../../src/intake/webhooks/raw.ts'
import type { Org } from '../../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { buildEml, seedOrg, testDb } from '../../support/db.ts'
import { countFor, lazyBody, messageOf, nowSeconds, rawRowsFor, signRaw } from '../../support/inbound.ts'

const secret = 'raw-webhook-secret-for-tests'

/** The worked example of the README ("Signing POST /inbound/raw"), read from the README itself. */
function readmeExample() {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const block = /```text\n(secret:[\s\S]*?)```/.exec(readme)?.[1] ?? ''
  const field = (name: string) => new RegExp(`^${name}: +(.*)$`, 'm').exec(block)?.[1] ?? ''
  const unescape = (text: string) => text.replaceAll('\\r', '\r').replaceAll('\\n', '\n')
  return {
    secret: field('secret'),
    timestamp: field('timestamp'),
    target: field('target'),
    body: unescape(field('body')),
    signed: unescape(field('signed')),
    header: field('header'),
  }
}

describe('POST /inbound/raw', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  const to = () => `escalations@${org.slug}.test`
  const post = (body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string>, query = '') =>
    // duplex: a streamed body (the 30 MB test) needs it; harmless for byte bodies.
    app.request(`/inbound/raw${query}`, {
      method: 'POST',
      body: body as BodyInit,
      headers: { 'content-type': 'message/rfc822', ...headers },
      duplex: 'half',
    } as RequestInit)
  const postSigned = (raw: Uint8Array, query = '') => post(raw, signRaw(secret, raw, { target: `/inbound/raw${query}` }), query)

  beforeAll(async () => {
    db = testDb(8)
    org = await seedOrg(db)
    app = createTestApp(db, { env: testEnv({ INBOUND_SECRET: secret }) })
  })
  afterAll(() => db.end())

  it('turns signed raw mail into a case of the org it was sent to, and answers the contract', async () => {
    const raw = buildEml({ to: to(), subject: 'Signed and delivered' })
    const res = await postSigned(raw)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    expect((await messageOf(db, org.id, body.case))?.subject).toBe('Signed and delivered')
  })

  it('routes plus-addressed recipients and honours ?org=SLUG', async () => {
    const plus = await (await postSigned(buildEml({ to: `Escalations+abc123@${org.slug}.test` }))).json()
    expect(plus.status).toBe('created')
    const named = await (await postSigned(buildEml({ to: 'someone@elsewhere.test' }), `?org=${org.slug}`)).json()
    expect(named.status).toBe('created')
  })

  it("signs exactly as the README's worked example says", async () => {
    const example = readmeExample()
    expect(example.secret.length).toBeGreaterThanOrEqual(16)
    const hex = createHmac('sha256', example.secret).update(example.signed).digest('hex')
    expect(example.header).toBe(`X-Desk-Signature: v2=${hex}`)
    expect(hex).toBe('fb1f8e048918a22915042f3d2f985a256fb6969c1878d9cc44922d9942c41373')
    // What the server signs for that request, and what the tests' helper sends, are the same bytes.
    expect(signedPrefix('v2', example.timestamp, example.target) + example.body).toBe(example.signed)
    const headers = signRaw(example.secret, new TextEncoder().encode(example.body), {
      target: example.target,
      timestamp: Number(example.timestamp),
    })
    expect(`X-Desk-Signature: ${headers['x-desk-signature']}`).toBe(example.header)
  })

  it("accepts the same message signed the README's way for this server", async () => {
    const raw = buildEml({ to: 'someone@elsewhere.test', subject: 'Signed for the org in the query' })
    const target = `/inbound/raw?org=${org.slug}`
    const ts = String(nowSeconds())
    const hex = createHmac('sha256', secret).update(`v2.${ts}.${target}\n`).update(raw).digest('hex')
    const res = await post(raw, { 'x-desk-timestamp': ts, 'x-desk-signature': `v2=${hex}` }, `?org=${org.slug}`)
    expect(await res.json()).toEqual({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
  })

  it('answers a redelivery with duplicate and the same case', async () => {
    const raw = buildEml({ to: to() })
    const first = await (await postSigned(raw)).json()
    const again = await (await postSigned(raw)).json()
    expect(again).toEqual({ status: 'duplicate', case: first.case })
  })

  it('refuses unsigned, tampered, stale and wrongly keyed deliveries with 401, storing nothing', async () => {
    const raw = buildEml({ to: to() })
    const before = await countFor(db, org.id)
    const tampered = new Uint8Array([...raw, 0x20])
    const stale = nowSeconds() - 6 * 60
    const attempts = [
      post(raw, {}),
      post(raw, { 'x-desk-timestamp': String(nowSeconds()) }),
      post(tampered, signRaw(secret, raw)),
      post(raw, signRaw(secret, raw, { timestamp: stale })),
      post(raw, signRaw(secret, raw, { timestamp: nowSeconds() + 6 * 60 })),
      post(raw, signRaw('another-secret-entirely', raw)),
      post(raw, { ...signRaw(secret, raw), 'x-desk-timestamp': String(nowSeconds() - 1) }),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(401)
    expect(await countFor(db, org.id)).toEqual(before)
    expect(await rawRowsFor(db, raw)).toHaveLength(0)
  })

  it('refuses a 30 MB body with 413 without reading all of it, and keeps serving', async () => {
    const big = lazyBody(30 * 1024 * 1024)
    const res = await post(big.stream, signRaw(secret, new Uint8Array()))
    expect(res.status).toBe(413)
    expect(big.produced()).toBeLessThan(26 * 1024 * 1024)
    const declared = await post(new Uint8Array(16), { ...signRaw(secret, new Uint8Array(16)), 'content-length': String(30 * 1024 * 1024) })
    expect(declared.status).toBe(413)
    expect((await postSigned(buildEml({ to: to() }))).status).toBe(200)
  })

  it('makes exactly one case from 20 concurrent deliveries of one message', async () => {
    const raw = buildEml({ to: to(), messageId: `storm-${Date.now()}@customer.test` })
    const before = await countFor(db, org.id)
    const bodies = await Promise.all(Array.from({ length: 20 }, async () => (await postSigned(raw)).json()))
    expect(bodies.filter((b) => b.status === 'created')).toHaveLength(1)
    expect(bodies.filter((b) => b.status === 'duplicate')).toHaveLength(19)
    expect(new Set(bodies.map((b) => b.case)).size).toBe(1)
    const after = await countFor(db, org.id)
    expect(after.cases - before.cases).toBe(1)
    expect(after.messages - before.messages).toBe(1)
  })

  it('answers 400 with one line for a signed empty body', async () => {
    const res = await postSigned(new Uint8Array())
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/^The body is empty[^\n]*$/)
  })

  it('keeps non-MIME bytes and mail for nobody, quarantined with the reason', async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, ...Array(200).fill(7)])
    const res = await postSigned(binary, `?org=${org.slug}`)
    expect(await res.json()).toEqual({ status: 'quarantined', case: null, reason: expect.stringMatching(/binary/) })
    expect(await rawRowsFor(db, binary)).toMatchObject([{ org_id: org.id, status: 'quarantined', raw: Buffer.from(binary) }])

    const stray = buildEml({ to: 'nobody@unknown-org.test' })
    const strayRes = await (await postSigned(stray)).json()
    expect(strayRes).toEqual({ status: 'quarantined', case: null, reason: expect.stringMatching(/nobody@unknown-org\.test/) })
    expect(await rawRowsFor(db, stray)).toMatchObject([{ org_id: null, status: 'quarantined', provider: 'raw' }])

    const unknownSlug = buildEml({ to: to() })
    expect(await (await postSigned(unknownSlug, '?org=no-such-org')).json()).toMatchObject({
      status: 'quarantined',
      reason: expect.stringMatching(/no-such-org/),
    })
  })

  it('is closed with a clear 503 when INBOUND_SECRET is not set', async () => {
    const closed = createTestApp(db)
    const raw = buildEml({ to: to() })
    const res = await closed.request('/inbound/raw', { method: 'POST', body: raw as BodyInit, headers: signRaw(secret, raw) })
    expect(res.status).toBe(503)
    expect((await res.json()).error.message).toMatch(/INBOUND_SECRET/)
  })

  it('answers 503 when the database is unavailable, so the sender retries', async () => {
    const dead = connect('postgres://postgres@127.0.0.1:1/none', { max: 1, connect_timeout: 2 })
    const down = createTestApp(dead, { env: testEnv({ INBOUND_SECRET: secret }) })
    const raw = buildEml({ to: to() })
    const res = await down.request('/inbound/raw', { method: 'POST', body: raw as BodyInit, headers: signRaw(secret, raw) })
    expect(res.status).toBe(503)
    await dead.end()
  })
})
