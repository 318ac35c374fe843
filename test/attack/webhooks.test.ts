import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'
import { countFor, multipart, nowSeconds, signRaw, signRawV1 } from '../support/inbound.ts'
import { ResendReceivingStandIn } from '../support/resend-receiving.ts'

// Attack suite: every provider webhook, forged and replayed. A forgery is refused
// (401) before anything is stored or fetched; a replay never makes a second case or message,
// however often and however concurrently it comes, and a replay with the content swapped is
// answered from the first delivery. Hostile field values with valid credentials never make a 500.
// The happy paths and the basic refusals are in test/intake/webhooks/*.test.ts.

const rawSecret = `raw-${randomBytes(16).toString('hex')}`
const resendSecret = `whsec_${randomBytes(24).toString('base64')}`
const postmarkToken = randomBytes(16).toString('hex')
const postmarkPassword = randomBytes(16).toString('hex')
const mailgunKey = `key-${randomBytes(16).toString('hex')}`
const sendgridToken = randomBytes(16).toString('hex')

const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex')

describe('provider webhooks forged and replayed', () => {
  let db: Db
  let org: Org
  let other: Org
  let resend: ResendReceivingStandIn
  let app: ReturnType<typeof createTestApp>
  const to = () => `escalations@${org.slug}.test`
  const mail = (fields: Parameters<typeof buildEml>[0] = {}) => buildEml({ to: to(), ...fields })
  const storedRaw = async (bytes: Uint8Array) =>
    (await db`select count(*)::int as n from inbound_raw where sha256 = ${sha(bytes)}`)[0]!.n as number
  const outcomes = async (responses: Response[]) =>
    Promise.all(responses.map(async (r) => (r.status === 200 ? (await r.json()).status : r.status)))

  beforeAll(async () => {
    db = testDb(10)
    org = await seedOrg(db)
    other = await seedOrg(db)
    resend = await new ResendReceivingStandIn().start()
    app = createTestApp(db, {
      env: testEnv({
        INBOUND_SECRET: rawSecret,
        RESEND_WEBHOOK_SECRET: resendSecret,
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: resend.url,
        POSTMARK_INBOUND_TOKEN: postmarkToken,
        POSTMARK_INBOUND_USER: 'postmark',
        POSTMARK_INBOUND_PASSWORD: postmarkPassword,
        MAILGUN_SIGNING_KEY: mailgunKey,
        SENDGRID_INBOUND_TOKEN: sendgridToken,
      }),
    })
  })
  afterAll(async () => {
    await resend.stop()
    await db.end()
  })

  describe('raw (X-Desk-Signature)', () => {
    const post = (body: Uint8Array, headers: Record<string, string>, query = '') =>
      app.request(`/inbound/raw${query}`, {
        method: 'POST',
        body: body as BodyInit,
        headers: { 'content-type': 'message/rfc822', ...headers },
      })
    const sign = (secret: string, ts: string, body: Uint8Array) =>
      `sha256=${createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex')}`

    it('refuses every forgery with 401 and stores nothing', async () => {
      const raw = mail()
      const ts = String(nowSeconds())
      const good = sign(rawSecret, ts, raw)
      const longer = new Uint8Array([...raw, ...new TextEncoder().encode('\r\nBcc: evil@attacker.test\r\n')])
      const forgeries: [string, Uint8Array, Record<string, string>][] = [
        ['no headers', raw, {}],
        ['timestamp only', raw, { 'x-desk-timestamp': ts }],
        ['signature only', raw, { 'x-desk-signature': good }],
        ['empty signature', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': '' }],
        ['bare hex without sha256=', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': good.slice(7) }],
        ['sha1= prefix', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': `sha1=${good.slice(7)}` }],
        ['truncated signature', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': good.slice(0, -2) }],
        ['all-zero signature', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': `sha256=${'0'.repeat(64)}` }],
        ['two signatures', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': `${good}, ${good}` }],
        ['body with a header appended', longer, { 'x-desk-timestamp': ts, 'x-desk-signature': good }],
        ['body truncated', raw.subarray(0, raw.length - 5), { 'x-desk-timestamp': ts, 'x-desk-signature': good }],
        ['another key', raw, { 'x-desk-timestamp': ts, 'x-desk-signature': sign('another-secret-0123456789', ts, raw) }],
        [
          'signature of the body alone',
          raw,
          { 'x-desk-timestamp': ts, 'x-desk-signature': `sha256=${createHmac('sha256', rawSecret).update(raw).digest('hex')}` },
        ],
        ['timestamp swapped after signing', raw, { 'x-desk-timestamp': String(Number(ts) - 1), 'x-desk-signature': good }],
        [
          'stale, signed',
          raw,
          { 'x-desk-timestamp': String(nowSeconds() - 301), 'x-desk-signature': sign(rawSecret, String(nowSeconds() - 301), raw) },
        ],
        [
          'future, signed',
          raw,
          { 'x-desk-timestamp': String(nowSeconds() + 310), 'x-desk-signature': sign(rawSecret, String(nowSeconds() + 310), raw) },
        ],
        ...['1e12', ` ${ts}`, `${ts}.0`, '-1', '0x1', '', '99999999999999999999'].map((t): [string, Uint8Array, Record<string, string>] => [
          `timestamp "${t}", signed`,
          raw,
          { 'x-desk-timestamp': t, 'x-desk-signature': sign(rawSecret, t, raw) },
        ]),
      ]
      const before = await countFor(db, org.id)
      for (const [name, body, headers] of forgeries) {
        const res = await post(body, headers)
        expect({ name, status: res.status }).toEqual({ name, status: 401 })
      }
      expect(await countFor(db, org.id)).toEqual(before)
      expect(await storedRaw(raw)).toBe(0)
      expect(await storedRaw(longer)).toBe(0)
    })

    it('a captured request replayed 20 times at once, and later, makes one case and one message, and stores one raw copy', async () => {
      const raw = mail({ messageId: `replay-${randomUUID()}@customer.test` })
      const headers = signRaw(rawSecret, raw)
      const before = await countFor(db, org.id)
      const statuses = await outcomes(await Promise.all(Array.from({ length: 20 }, () => post(raw, headers))))
      expect(statuses.filter((s) => s === 'created')).toHaveLength(1)
      expect(statuses.filter((s) => s !== 'created').every((s) => s === 'duplicate')).toBe(true)
      expect(await outcomes([await post(raw, headers)])).toEqual(['duplicate'])
      const after = await countFor(db, org.id)
      expect({ cases: after.cases - before.cases, messages: after.messages - before.messages }).toEqual({ cases: 1, messages: 1 })
      expect(await storedRaw(raw)).toBe(1)
    })

    it('a captured request replayed with ?org= of another org, or any other target, is refused and stores nothing', async () => {
      const raw = mail({ messageId: `target-${randomUUID()}@customer.test` })
      const target = `/inbound/raw?org=${org.slug}`
      const headers = signRaw(rawSecret, raw, { target })
      expect(await outcomes([await post(raw, headers, `?org=${org.slug}`)])).toEqual(['created'])
      const before = { org: await countFor(db, org.id), other: await countFor(db, other.id) }
      const replays = [
        `?org=${other.slug}`,
        '',
        `?org=${org.slug}&org=${other.slug}`,
        `?org=${org.slug}&x=1`,
        `?org=${org.slug.toUpperCase()}`,
        '?org=nonexistent',
      ]
      for (const query of replays) {
        expect({ query, status: (await post(raw, headers, query)).status }).toEqual({ query, status: 401 })
      }
      // The first signature version, which never covered the query, cannot be used with one.
      const v1 = signRawV1(rawSecret, raw)
      expect((await post(raw, v1, `?org=${other.slug}`)).status).toBe(401)
      expect({ org: await countFor(db, org.id), other: await countFor(db, other.id) }).toEqual(before)
      expect(await storedRaw(raw)).toBe(1)
    })

    it('accepts the first signature version (sha256=) only without a query', async () => {
      const raw = mail()
      expect(await outcomes([await post(raw, signRawV1(rawSecret, raw), `?org=${org.slug}`)])).toEqual([401])
      expect(await outcomes([await post(raw, signRawV1(rawSecret, raw))])).toEqual(['created'])
    })

    it('a redelivery signed afresh (a sender retrying) is a duplicate and stores no second raw copy, by bytes or by Message-ID', async () => {
      const raw = mail({ messageId: `again-${randomUUID()}@customer.test` })
      expect(await outcomes([await post(raw, signRaw(rawSecret, raw, { timestamp: nowSeconds() - 60 }))])).toEqual(['created'])
      expect(await outcomes([await post(raw, signRaw(rawSecret, raw))])).toEqual(['duplicate'])
      // The same Message-ID in other bytes (a relay added a header) is the same message.
      const relayed = new Uint8Array([
        ...new TextEncoder().encode('Received: from relay.example by mx.example; Mon, 1 Dec 2026 08:00:00 +0000\r\n'),
        ...raw,
      ])
      expect(await outcomes([await post(relayed, signRaw(rawSecret, relayed))])).toEqual(['duplicate'])
      expect(await storedRaw(raw)).toBe(1)
      expect(await storedRaw(relayed)).toBe(0)
      // Without a Message-ID, the bytes decide.
      const anonymous = mail({ messageId: null })
      expect(await outcomes([await post(anonymous, signRaw(rawSecret, anonymous, { timestamp: nowSeconds() - 60 }))])).toEqual(['created'])
      expect(await outcomes([await post(anonymous, signRaw(rawSecret, anonymous))])).toEqual(['duplicate'])
      expect(await storedRaw(anonymous)).toBe(1)
    })
  })

  describe('resend (Svix signature)', () => {
    const post = (body: string, headers: Record<string, string>) => app.request('/inbound/resend', { method: 'POST', body, headers })
    function event(emailId: string, o: { id?: string; at?: Date; key?: string } = {}) {
      const body = JSON.stringify({ type: 'email.received', created_at: new Date().toISOString(), data: { email_id: emailId } })
      const id = o.id ?? `msg_${randomBytes(8).toString('hex')}`
      const at = o.at ?? new Date()
      return {
        body,
        id,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(o.key ?? resendSecret).sign(id, at, body),
        },
      }
    }
    const receive = () => {
      const id = randomUUID()
      resend.add({ id, to: [to()], raw: mail() })
      return id
    }

    it('refuses every forgery with 401 and fetches nothing', async () => {
      const emailId = receive()
      const good = event(emailId)
      const otherEmail = receive()
      const forOther = event(otherEmail)
      const forgeries: [string, string, Record<string, string>][] = [
        ['unsigned', good.body, { 'content-type': 'application/json' }],
        ['another key', good.body, event(emailId, { key: `whsec_${randomBytes(24).toString('base64')}` }).headers],
        ['stale', good.body, event(emailId, { at: new Date(Date.now() - 6 * 60_000) }).headers],
        ['future', good.body, event(emailId, { at: new Date(Date.now() + 6 * 60_000) }).headers],
        ['webhook-id swapped', good.body, { ...good.headers, 'webhook-id': `msg_${randomBytes(8).toString('hex')}` }],
        ['timestamp swapped', good.body, { ...good.headers, 'webhook-timestamp': String(nowSeconds() - 1) }],
        ["another event's signature", good.body, { ...good.headers, 'webhook-signature': forOther.headers['webhook-signature'] }],
        ['email_id swapped in the body', good.body.replace(emailId, otherEmail), good.headers],
        ['whitespace added to the body', `${good.body} `, good.headers],
        [
          'v1a signature scheme',
          good.body,
          { ...good.headers, 'webhook-signature': good.headers['webhook-signature'].replace('v1,', 'v1a,') },
        ],
        ['empty signature list', good.body, { ...good.headers, 'webhook-signature': '' }],
      ]
      const before = await countFor(db, org.id)
      for (const [name, body, headers] of forgeries) {
        const res = await post(body, headers)
        expect({ name, status: res.status }).toEqual({ name, status: 401 })
      }
      expect(resend.requestsFor(emailId)).toHaveLength(0)
      expect(resend.requestsFor(otherEmail)).toHaveLength(0)
      expect(await countFor(db, org.id)).toEqual(before)
    })

    it('a delivery replayed at once and later, or redelivered under a new id, fetches and files the email once', async () => {
      const emailId = receive()
      const first = event(emailId)
      const before = await countFor(db, org.id)
      const statuses = await outcomes(await Promise.all(Array.from({ length: 10 }, () => post(first.body, first.headers))))
      expect(statuses.filter((s) => s === 'created')).toHaveLength(1)
      // Concurrent copies wait (409, retried by Svix) or are answered duplicate.
      expect(statuses.every((s) => ['created', 'duplicate', 409].includes(s))).toBe(true)
      const again = event(emailId)
      expect(await outcomes([await post(first.body, first.headers), await post(again.body, again.headers)])).toEqual([
        'duplicate',
        'duplicate',
      ])
      expect(resend.requestsFor(emailId).filter((r) => r.path.startsWith('/emails/'))).toHaveLength(1)
      expect((await countFor(db, org.id)).cases - before.cases).toBe(1)
    })
  })

  describe('postmark (token or basic auth in the URL)', () => {
    const json = (messageId = randomUUID(), subject = 'Postmark complaint') => {
      const rfc = `${randomBytes(6).toString('hex')}@customer.test`
      return JSON.stringify({
        MessageID: messageId,
        From: 'dana@customer.test',
        To: to(),
        ToFull: [{ Email: to(), Name: '' }],
        OriginalRecipient: to(),
        Subject: subject,
        TextBody: 'Text',
        Headers: [{ Name: 'Message-ID', Value: `<${rfc}>` }],
      })
    }
    const post = (body: string, o: { query?: string; headers?: Record<string, string> } = {}) =>
      app.request(`/inbound/postmark${o.query ?? ''}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...o.headers },
      })
    const basic = (value: string) => ({ authorization: `Basic ${Buffer.from(value).toString('base64')}` })

    it('refuses missing, wrong and malformed credentials with 401', async () => {
      const body = json()
      const forgeries: [string, Parameters<typeof post>[1]][] = [
        ['none', {}],
        ['wrong token', { query: `?token=${randomBytes(16).toString('hex')}` }],
        ['empty token', { query: '?token=' }],
        ['token with a suffix', { query: `?token=${postmarkToken}x` }],
        ['token upper-cased', { query: `?token=${postmarkToken.toUpperCase()}` }],
        ['token in a header', { headers: { 'x-postmark-token': postmarkToken } }],
        ['token as a bearer', { headers: { authorization: `Bearer ${postmarkToken}` } }],
        ['wrong password', { headers: basic(`postmark:${postmarkPassword}x`) }],
        ['user only', { headers: basic('postmark') }],
        ['password only', { headers: basic(`:${postmarkPassword}`) }],
        ['not base64', { headers: { authorization: 'Basic %%%%' } }],
        [
          'right token but wrong basic auth',
          { query: `?token=${randomBytes(4).toString('hex')}`, headers: basic(`postmark:${postmarkPassword}`) },
        ],
      ]
      const before = await countFor(db, org.id)
      for (const [name, options] of forgeries) {
        const res = await post(body, options)
        expect({ name, status: res.status }).toEqual({ name, status: 401 })
      }
      expect(await countFor(db, org.id)).toEqual(before)
    })

    it('a replay of the same Postmark MessageID, even with other content, is answered from the first delivery', async () => {
      const id = randomUUID()
      const auth = { query: `?token=${postmarkToken}` }
      const first = await (await post(json(id), auth)).json()
      expect(first.status).toBe('created')
      const before = await countFor(db, org.id)
      const statuses = await outcomes(
        await Promise.all([
          ...Array.from({ length: 5 }, () => post(json(id), auth)),
          post(json(id, 'Swapped in by a replayer'), auth),
          post(json(id), { query: `?token=${postmarkToken}&org=${other.slug}` }),
        ]),
      )
      expect(statuses.every((s) => s === 'duplicate')).toBe(true)
      expect(await countFor(db, org.id)).toEqual(before)
      expect((await countFor(db, other.id)).cases).toBe(0)
    })
  })

  describe('mailgun (HMAC of timestamp and single-use token)', () => {
    const signed = (key = mailgunKey, timestamp = nowSeconds(), token = randomBytes(25).toString('hex')) => ({
      timestamp: String(timestamp),
      token,
      signature: createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex'),
    })
    const post = (fields: Record<string, string | Uint8Array>) => {
      const { body, contentType } = multipart(fields)
      return app.request('/inbound/mailgun/mime', { method: 'POST', body, headers: { 'content-type': contentType } })
    }

    it('refuses every forgery with 401 and stores nothing', async () => {
      const raw = mail()
      const good = signed()
      const forgeries: [string, Record<string, string | Uint8Array>][] = [
        ['unsigned', { 'body-mime': raw }],
        ['token changed', { ...good, token: `${good.token}0` }],
        ['timestamp changed', { ...good, timestamp: String(Number(good.timestamp) + 1) }],
        ['signature upper-cased and cut', { ...good, signature: good.signature.toUpperCase().slice(0, 63) }],
        ['another key', { ...signed('key-someone-else') }],
        ['stale, signed', { ...signed(mailgunKey, nowSeconds() - 6 * 60) }],
        ['future, signed', { ...signed(mailgunKey, nowSeconds() + 6 * 60) }],
        [
          'signature of token and timestamp reversed',
          { ...good, signature: createHmac('sha256', mailgunKey).update(`${good.token}${good.timestamp}`).digest('hex') },
        ],
      ]
      const before = await countFor(db, org.id)
      for (const [name, fields] of forgeries) {
        const res = await post({ recipient: to(), 'body-mime': raw, ...fields })
        expect({ name, status: res.status }).toEqual({ name, status: 401 })
      }
      expect(await countFor(db, org.id)).toEqual(before)
      expect(await storedRaw(raw)).toBe(0)
    })

    it('a token replayed with another message, another recipient or another org is answered from its first use', async () => {
      const token = signed()
      const first = await (await post({ ...token, recipient: to(), 'body-mime': mail() })).json()
      expect(first.status).toBe('created')
      const before = await countFor(db, org.id)
      const swapped = mail({ subject: 'Forged by a replayer' })
      const statuses = await outcomes(
        await Promise.all([
          post({ ...token, recipient: to(), 'body-mime': swapped }),
          post({ ...token, recipient: `escalations@${other.slug}.test`, 'body-mime': buildEml({ to: `escalations@${other.slug}.test` }) }),
          ...Array.from({ length: 5 }, () => post({ ...token, recipient: to(), 'body-mime': swapped })),
        ]),
      )
      expect(statuses.every((s) => s === 'duplicate')).toBe(true)
      expect(await countFor(db, org.id)).toEqual(before)
      expect((await countFor(db, other.id)).cases).toBe(0)
      expect(await storedRaw(swapped)).toBe(0)
    })
  })

  describe('sendgrid (token in the URL)', () => {
    const post = (fields: Record<string, string | Uint8Array>, query: string, headers: Record<string, string> = {}) => {
      const { body, contentType } = multipart(fields)
      return app.request(`/inbound/sendgrid${query}`, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } })
    }

    it('refuses a missing, wrong or misplaced token with 401 and stores nothing', async () => {
      const raw = mail()
      const fields = { email: raw, envelope: JSON.stringify({ to: [to()], from: 'pat@customer.test' }) }
      const forgeries: [string, string, Record<string, string>][] = [
        ['none', '', {}],
        ['wrong', `?token=${randomBytes(16).toString('hex')}`, {}],
        ['prefix of the right one', `?token=${sendgridToken.slice(0, -1)}`, {}],
        ['in a header', '', { 'x-token': sendgridToken, authorization: `Bearer ${sendgridToken}` }],
        ['in the form', '', {}],
        ['twice, first wrong', `?token=x&token=${sendgridToken}`, {}],
      ]
      const before = await countFor(db, org.id)
      for (const [name, query, headers] of forgeries) {
        const res = await post(name === 'in the form' ? { ...fields, token: sendgridToken } : fields, query, headers)
        expect({ name, status: res.status }).toEqual({ name, status: 401 })
      }
      expect(await countFor(db, org.id)).toEqual(before)
      expect(await storedRaw(raw)).toBe(0)
    })

    it('a retried or replayed post makes one case and one message', async () => {
      const raw = mail({ messageId: `sg-${randomUUID()}@customer.test` })
      const fields = { email: raw, envelope: JSON.stringify({ to: [to()], from: 'pat@customer.test' }) }
      const before = await countFor(db, org.id)
      const statuses = await outcomes(await Promise.all(Array.from({ length: 8 }, () => post(fields, `?token=${sendgridToken}`))))
      expect(statuses.filter((s) => s === 'created')).toHaveLength(1)
      expect(statuses.filter((s) => s !== 'created').every((s) => s === 'duplicate')).toBe(true)
      const after = await countFor(db, org.id)
      expect({ cases: after.cases - before.cases, messages: after.messages - before.messages }).toEqual({ cases: 1, messages: 1 })
    })
  })

  it('hostile field values with valid credentials are answered with an outcome or a 4xx, never a 500', async () => {
    const nul = 'a\u0000b@evil.test'
    const hostile = ["' or 1=1 --", nul, 'x'.repeat(10_000), '\ud800', '{"$gt":""}', '<script>alert(1)</script>@x.test']
    const statuses: [string, number][] = []
    for (const value of hostile) {
      const raw = mail()
      const sg = multipart({ email: raw, envelope: JSON.stringify({ to: [value, to()], from: value }) })
      statuses.push([
        `sendgrid ${JSON.stringify(value).slice(0, 20)}`,
        (
          await app.request(`/inbound/sendgrid?token=${sendgridToken}`, {
            method: 'POST',
            body: sg.body,
            headers: { 'content-type': sg.contentType },
          })
        ).status,
      ])
      const ts = nowSeconds()
      const token = randomBytes(25).toString('hex')
      const mg = multipart({
        timestamp: String(ts),
        token,
        signature: createHmac('sha256', mailgunKey).update(`${ts}${token}`).digest('hex'),
        recipient: `${value}, ${to()}`,
        sender: value,
        'body-mime': mail(),
      })
      statuses.push([
        `mailgun ${JSON.stringify(value).slice(0, 20)}`,
        (await app.request('/inbound/mailgun/mime', { method: 'POST', body: mg.body, headers: { 'content-type': mg.contentType } })).status,
      ])
      const pm = JSON.stringify({
        MessageID: randomUUID(),
        From: value,
        FromFull: { Email: value, Name: value },
        To: value,
        ToFull: [
          { Email: value, Name: value },
          { Email: to(), Name: '' },
        ],
        Subject: value,
        TextBody: value,
        HtmlBody: value,
        Headers: [{ Name: value, Value: value }],
        Attachments: [{ Name: value, Content: 'eA==', ContentType: value }],
      })
      statuses.push([
        `postmark ${JSON.stringify(value).slice(0, 20)}`,
        (
          await app.request(`/inbound/postmark?token=${postmarkToken}`, {
            method: 'POST',
            body: pm,
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      ])
      const slug = value === '\ud800' ? '%ED%A0%80%FF%00' : encodeURIComponent(value) // invalid UTF-8 in the URL itself
      statuses.push([
        `raw ?org=${JSON.stringify(value).slice(0, 20)}`,
        (
          await app.request(`/inbound/raw?org=${slug}`, {
            method: 'POST',
            body: raw as BodyInit,
            headers: signRaw(rawSecret, raw, { target: `/inbound/raw?org=${slug}` }),
          })
        ).status,
      ])
    }
    expect(statuses.filter(([, status]) => status >= 500)).toEqual([])
  })
})
