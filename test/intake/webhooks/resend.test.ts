import { randomBytes, randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.ts'
import type { Org } from '../../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { buildEml, seedOrg, testDb } from '../../support/db.ts'
import { countFor, messageOf } from '../../support/inbound.ts'
import { ResendReceivingStandIn } from '../../support/resend-receiving.ts'

const secret = `whsec_${randomBytes(24).toString('base64')}`

/** An email.received delivery as Resend (through Svix) signs it. */
function signedEvent(
  emailId: string,
  options: { webhookId?: string; at?: Date; key?: string; type?: string; prefix?: 'webhook' | 'svix' } = {},
) {
  const body = JSON.stringify({
    type: options.type ?? 'email.received',
    created_at: new Date().toISOString(),
    data: { email_id: emailId, to: [], subject: 'x' },
  })
  const id = options.webhookId ?? `msg_${randomBytes(8).toString('hex')}`
  const at = options.at ?? new Date()
  const signature = new Webhook(options.key ?? secret).sign(id, at, body)
  const p = options.prefix ?? 'webhook'
  return {
    body,
    id,
    headers: {
      'content-type': 'application/json',
      [`${p}-id`]: id,
      [`${p}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
      [`${p}-signature`]: signature,
    },
  }
}

describe('POST /inbound/resend', () => {
  let db: Db
  let org: Org
  let resend: ResendReceivingStandIn
  let app: ReturnType<typeof createTestApp>
  const post = (body: string, headers: Record<string, string>) => app.request('/inbound/resend', { method: 'POST', body, headers })
  const receive = (fields: Parameters<typeof buildEml>[0] = {}) => {
    const id = randomUUID()
    const to = `escalations@${org.slug}.test`
    resend.add({ id, to: [to], raw: buildEml({ to, ...fields }) })
    return id
  }

  beforeAll(async () => {
    db = testDb(8)
    org = await seedOrg(db)
    resend = await new ResendReceivingStandIn().start()
    app = createTestApp(db, { env: testEnv({ RESEND_WEBHOOK_SECRET: secret, RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.url }) })
  })
  afterAll(async () => {
    await resend.stop()
    await db.end()
  })

  it('fetches the received email through the SDK and its raw download, and opens a case', async () => {
    const emailId = receive({ subject: 'Via Resend inbound' })
    const event = signedEvent(emailId)
    const res = await post(event.body, event.headers)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    expect((await messageOf(db, org.id, body.case))?.subject).toBe('Via Resend inbound')
    expect(resend.requestsFor(emailId).map((r) => [r.path, r.authorization])).toEqual([
      [`/emails/receiving/${emailId}`, 'Bearer re_test_key'],
      [`/raw/${emailId}`, undefined], // the pre-signed download never carries the API key
    ])
  })

  it('accepts the svix-* header names as well', async () => {
    const event = signedEvent(receive(), { prefix: 'svix' })
    expect((await (await post(event.body, event.headers)).json()).status).toBe('created')
  })

  it('refuses tampered, unsigned, stale and wrongly keyed events with 401, fetching nothing', async () => {
    const emailId = receive()
    const event = signedEvent(emailId)
    const before = await countFor(db, org.id)
    const attempts = [
      post(event.body.replace('email.received', 'email.received '), event.headers),
      post(event.body, { 'content-type': 'application/json' }),
      post(event.body, { ...event.headers, 'webhook-signature': 'v1,' + Buffer.alloc(32).toString('base64') }),
      (() => {
        const e = signedEvent(emailId, { at: new Date(Date.now() - 6 * 60_000) })
        return post(e.body, e.headers)
      })(),
      (() => {
        const e = signedEvent(emailId, { key: `whsec_${randomBytes(24).toString('base64')}` })
        return post(e.body, e.headers)
      })(),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(401)
    expect(resend.requestsFor(emailId)).toHaveLength(0)
    expect(await countFor(db, org.id)).toEqual(before)
  })

  it('answers a replayed delivery, or a new delivery of the same email, with duplicate and no second fetch', async () => {
    const emailId = receive()
    const event = signedEvent(emailId)
    const first = await (await post(event.body, event.headers)).json()
    const fetches = resend.requestsFor(emailId).length
    const replay = await (await post(event.body, event.headers)).json()
    const redelivery = signedEvent(emailId)
    const second = await (await post(redelivery.body, redelivery.headers)).json()
    expect(replay).toEqual({ status: 'duplicate', case: first.case })
    expect(second).toEqual({ status: 'duplicate', case: first.case })
    expect(resend.requestsFor(emailId)).toHaveLength(fetches)
  })

  it('answers 5xx when Resend fails, so the retry of the same delivery still gets the mail', async () => {
    const emailId = receive()
    resend.failNext(emailId)
    const event = signedEvent(emailId)
    const failed = await post(event.body, event.headers)
    expect(failed.status).toBe(502)
    const retried = await (await post(event.body, event.headers)).json()
    expect(retried.status).toBe('created')
  })

  it('rebuilds the message from the parsed fields when Resend has no raw copy', async () => {
    const id = randomUUID()
    resend.add({
      id,
      raw: null,
      to: [`escalations@${org.slug}.test`],
      subject: 'No raw here',
      text: 'Body text',
      headers: { 'message-id': `<${id}@customer.test>` },
    })
    const event = signedEvent(id)
    const body = await (await post(event.body, event.headers)).json()
    expect(body.status).toBe('created')
    expect(await messageOf(db, org.id, body.case)).toMatchObject({
      subject: 'No raw here',
      message_id: `${id}@customer.test`,
      text_body: expect.stringContaining('Body text'),
    })
  })

  it('ignores other event types, and is closed (503) without its secret and API key', async () => {
    const other = signedEvent(randomUUID(), { type: 'email.delivered' })
    expect(await (await post(other.body, other.headers)).json()).toEqual({ status: 'ignored' })
    const closed = createTestApp(db, { env: testEnv({ RESEND_WEBHOOK_SECRET: secret }) })
    const event = signedEvent(receive())
    expect((await closed.request('/inbound/resend', { method: 'POST', body: event.body, headers: event.headers })).status).toBe(503)
  })
})
