import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.ts'
import type { Org } from '../../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { buildEml, seedOrg, testDb } from '../../support/db.ts'
import { countFor, messageOf } from '../../support/inbound.ts'

const token = randomBytes(16).toString('hex')
const user = 'postmark'
const password = randomBytes(16).toString('hex')
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

/** Postmark's inbound JSON, trimmed to what we read; MessageID is Postmark's, not the RFC one. */
function inboundJson(to: string, fields: Record<string, unknown> = {}) {
  const rfcId = `${randomBytes(6).toString('hex')}@customer.test`
  return {
    rfcId,
    json: {
      MessageID: randomUUID(),
      From: 'dana@customer.test',
      FromFull: { Email: 'dana@customer.test', Name: 'Dana Reyës', MailboxHash: '' },
      To: to,
      ToFull: [{ Email: to, Name: '', MailboxHash: '' }],
      CcFull: [],
      BccFull: [],
      OriginalRecipient: to,
      Subject: 'Refund still missing — third request',
      Date: 'Sun, 22 Nov 2026 09:00:00 +0000',
      TextBody: 'I have asked three times.',
      HtmlBody: '<p>I have asked <b>three</b> times.</p>',
      Headers: [
        { Name: 'Message-ID', Value: `<${rfcId}>` },
        { Name: 'X-Injected', Value: 'a\r\nBcc: evil@attacker.test' },
      ],
      Attachments: [
        { Name: 'receipt.txt', Content: Buffer.from('order 1234').toString('base64'), ContentType: 'text/plain', ContentLength: 10 },
      ],
      ...fields,
    },
  }
}

describe('POST /inbound/postmark', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  const to = () => `escalations@${org.slug}.test`
  const post = (json: unknown, options: { query?: string; auth?: string } = {}) =>
    app.request(`/inbound/postmark${options.query ?? ''}`, {
      method: 'POST',
      body: JSON.stringify(json),
      headers: { 'content-type': 'application/json', ...(options.auth ? { authorization: options.auth } : {}) },
    })

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    app = createTestApp(db, {
      env: testEnv({ POSTMARK_INBOUND_TOKEN: token, POSTMARK_INBOUND_USER: user, POSTMARK_INBOUND_PASSWORD: password }),
    })
  })
  afterAll(() => db.end())

  it('rebuilds the message from the JSON, keeping the RFC Message-ID from Headers', async () => {
    const { json, rfcId } = inboundJson(to())
    const res = await post(json, { query: `?token=${token}` })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    const message = await messageOf(db, org.id, body.case)
    expect(message).toMatchObject({
      message_id: rfcId,
      subject: 'Refund still missing — third request',
      from_email: 'dana@customer.test',
      text_body: expect.stringContaining('I have asked three times.'),
    })
    // A header value from the JSON can never start a header of its own.
    expect(message!.raw.toString('latin1')).not.toMatch(/\r\nBcc:/i)
    expect(message!.raw.toString('latin1')).toContain('X-Injected: a Bcc: evil@attacker.test')
  })

  it('accepts basic auth, and uses RawEmail when Postmark includes it', async () => {
    const raw = new TextDecoder().decode(buildEml({ to: to(), subject: 'From the raw copy' }))
    const { json } = inboundJson(to(), { RawEmail: raw, Subject: 'From the JSON fields' })
    const body = await (await post(json, { auth: basic(user, password) })).json()
    expect(body.status).toBe('created')
    expect((await messageOf(db, org.id, body.case))?.subject).toBe('From the raw copy')
  })

  it('refuses missing or wrong credentials with 401, storing nothing', async () => {
    const { json } = inboundJson(to())
    const before = await countFor(db, org.id)
    const attempts = [
      post(json),
      post(json, { query: '?token=' }),
      post(json, { query: `?token=${token}x` }),
      post(json, { auth: basic(user, `${password}x`) }),
      post(json, { auth: basic('someone', password) }),
      post(json, { auth: 'Basic !!!not-base64' }),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(401)
    expect(await countFor(db, org.id)).toEqual(before)
  })

  it('answers a retried delivery (same Postmark MessageID) with duplicate, not a second case', async () => {
    const { json } = inboundJson(to())
    const first = await (await post(json, { query: `?token=${token}` })).json()
    const replay = await (await post(json, { query: `?token=${token}` })).json()
    expect(replay).toEqual({ status: 'duplicate', case: first.case })
  })

  it('answers 400 for a body that is not Postmark JSON, 503 when not configured', async () => {
    expect((await post({ hello: 'world' }, { query: `?token=${token}` })).status).toBe(400)
    const closed = createTestApp(db)
    expect((await closed.request(`/inbound/postmark?token=${token}`, { method: 'POST', body: '{}' })).status).toBe(503)
  })
})
