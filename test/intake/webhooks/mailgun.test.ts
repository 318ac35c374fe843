import { createHmac, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.ts'
import type { Org } from '../../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { buildEml, seedOrg, testDb } from '../../support/db.ts'
import { countFor, messageOf, multipart, nowSeconds } from '../../support/inbound.ts'

const signingKey = `key-${randomBytes(16).toString('hex')}`

function signature(key = signingKey, timestamp = nowSeconds(), token = randomBytes(25).toString('hex')) {
  return { timestamp: String(timestamp), token, signature: createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex') }
}

describe('POST /inbound/mailgun', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  const to = () => `escalations@${org.slug}.test`
  const postForm = (fields: Record<string, string | Uint8Array>) => {
    const { body, contentType } = multipart(fields)
    return app.request('/inbound/mailgun/mime', { method: 'POST', body, headers: { 'content-type': contentType } })
  }

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    app = createTestApp(db, { env: testEnv({ MAILGUN_SIGNING_KEY: signingKey }) })
  })
  afterAll(() => db.end())

  it('takes the raw MIME from body-mime (multipart) and opens a case', async () => {
    const raw = buildEml({ to: to(), subject: 'Über-late refund', body: 'Grüße, 8-bit body' })
    const res = await postForm({ ...signature(), recipient: to(), sender: 'pat@customer.test', 'body-mime': raw })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    expect(await messageOf(db, org.id, body.case)).toMatchObject({
      subject: 'Über-late refund',
      text_body: expect.stringContaining('Grüße'),
    })
  })

  it('accepts the urlencoded form too', async () => {
    const form = new URLSearchParams({ ...signature(), recipient: to(), 'body-mime': new TextDecoder().decode(buildEml({ to: to() })) })
    const res = await app.request('/inbound/mailgun', {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect((await res.json()).status).toBe('created')
  })

  it('refuses tampered, unsigned, stale and wrongly keyed deliveries with 401', async () => {
    const raw = buildEml({ to: to() })
    const before = await countFor(db, org.id)
    const good = signature()
    const attempts = [
      postForm({ ...good, token: `${good.token}0`, 'body-mime': raw }),
      postForm({ 'body-mime': raw }),
      postForm({ ...good, signature: '', 'body-mime': raw }),
      postForm({ ...signature(signingKey, nowSeconds() - 6 * 60), 'body-mime': raw }),
      postForm({ ...signature('key-someone-else'), 'body-mime': raw }),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(401)
    expect(await countFor(db, org.id)).toEqual(before)
  })

  it('uses a token once: a replay answers duplicate, even with another message swapped in', async () => {
    const signed = signature()
    const first = await (await postForm({ ...signed, 'body-mime': buildEml({ to: to() }) })).json()
    const before = await countFor(db, org.id)
    const replay = await (await postForm({ ...signed, 'body-mime': buildEml({ to: to() }) })).json()
    const swapped = await (await postForm({ ...signed, 'body-mime': buildEml({ to: to(), subject: 'Forged' }) })).json()
    expect(replay).toEqual({ status: 'duplicate', case: first.case })
    expect(swapped).toEqual({ status: 'duplicate', case: first.case })
    expect(await countFor(db, org.id)).toEqual(before)
  })

  it('lets one of many concurrent deliveries with one token through; the rest wait or are duplicates', async () => {
    const signed = signature()
    const before = await countFor(db, org.id)
    const raw = buildEml({ to: to() })
    const responses = await Promise.all(Array.from({ length: 8 }, () => postForm({ ...signed, 'body-mime': raw })))
    const statuses = await Promise.all(responses.map(async (r) => (r.status === 200 ? (await r.json()).status : r.status)))
    expect(statuses.filter((s) => s === 'created')).toHaveLength(1)
    expect(statuses.every((s) => ['created', 'duplicate', 409].includes(s))).toBe(true)
    expect((await countFor(db, org.id)).cases - before.cases).toBe(1)
  })

  it('explains a missing body-mime (the parsed, not MIME, variant) with 400', async () => {
    const res = await postForm({ ...signature(), 'body-plain': 'hello' })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/body-mime/)
  })
})
