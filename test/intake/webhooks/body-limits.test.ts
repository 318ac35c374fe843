import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.ts'
import type { Org } from '../../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { buildEml, seedOrg, testDb } from '../../support/db.ts'
import { lazyBody, nowSeconds, signRaw, signRawV1 } from '../../support/inbound.ts'

// Unauthenticated webhook bodies are bounded before they are trusted: what can be checked
// without the body (credentials, signature form, timestamp, Content-Length) is checked before
// reading, and the bytes of all inbound bodies in flight share one budget.

const secret = 'body-limits-inbound-secret-0123456789'
const MB = 1024 * 1024

/** A body of `total` bytes that stops before its end until `finish()`: an upload still in flight. */
function stalledBody(total: number) {
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  let produced = 0
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (produced >= total) {
        await finished
        return controller.close()
      }
      const size = Math.min(64 * 1024, total - produced)
      produced += size
      controller.enqueue(new Uint8Array(size).fill(0x61))
    },
  })
  return { stream, produced: () => produced, finish }
}

describe('inbound bodies before they are trusted', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  const request = (path: string, body: BodyInit, headers: Record<string, string>) =>
    app.request(path, { method: 'POST', body, headers, duplex: 'half' } as RequestInit)

  beforeAll(async () => {
    db = testDb(8)
    org = await seedOrg(db)
    app = createTestApp(db, {
      env: testEnv({
        INBOUND_SECRET: secret,
        MAILGUN_SIGNING_KEY: 'key-body-limits-0123456789',
        RESEND_WEBHOOK_SECRET: 'whsec_Ym9keS1saW1pdHMtc2VjcmV0LTAxMjM0NTY3',
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: 'http://127.0.0.1:9',
        POSTMARK_INBOUND_TOKEN: 'postmark-token-0123456789abcdef',
      }),
    })
  })
  afterAll(() => db.end())

  it('refuses what it can without reading the body: 30 MB of it stays unread', async () => {
    const unread: [string, string, Record<string, string>, number][] = [
      ['raw, no signature', '/inbound/raw', {}, 401],
      ['raw, malformed signature', '/inbound/raw', { 'x-desk-timestamp': String(nowSeconds()), 'x-desk-signature': 'v2=abc' }, 401],
      ['raw, stale timestamp', '/inbound/raw', signRaw(secret, new Uint8Array(), { timestamp: nowSeconds() - 600 }), 401],
      ['raw, sha256= with a query', `/inbound/raw?org=${org.slug}`, signRawV1(secret, new Uint8Array()), 401],
      ['raw, declared 30 MB', '/inbound/raw', { ...signRaw(secret, new Uint8Array()), 'content-length': String(30 * MB) }, 413],
      ['resend, unsigned', '/inbound/resend', { 'content-type': 'application/json' }, 401],
      [
        'resend, stale',
        '/inbound/resend',
        {
          'content-type': 'application/json',
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(nowSeconds() - 600),
          'webhook-signature': 'v1,abc',
        },
        401,
      ],
      ['mailgun, not a form', '/inbound/mailgun/mime', { 'content-type': 'message/rfc822' }, 400],
      [
        'mailgun, boundary over 70 characters',
        '/inbound/mailgun/mime',
        { 'content-type': `multipart/form-data; boundary=${'b'.repeat(71)}` },
        400,
      ],
      ['postmark, wrong token', '/inbound/postmark?token=wrong-token-0123456789', { 'content-type': 'application/json' }, 401],
    ]
    for (const [label, path, headers, status] of unread) {
      const body = lazyBody(30 * MB)
      const res = await request(path, body.stream, headers)
      // The stream hands over its first chunk when it is created; nothing more was asked for.
      expect({ label, status: res.status, read: body.produced() <= 128 * 1024 }).toEqual({ label, status, read: true })
    }
  })

  it(
    'holds at most its budget of bytes in flight: uploads past it wait, then get 503 with Retry-After, and the rest goes through',
    { timeout: 30_000 },
    async () => {
      // MAX_MESSAGE_BYTES 1 MB makes the budget one message at the limit plus 1 MB: 2 MB.
      const small = createTestApp(db, { env: testEnv({ INBOUND_SECRET: secret, MAX_MESSAGE_BYTES: String(MB) }) })
      const uploads = Array.from({ length: 8 }, () => stalledBody(MB))
      const send = (u: ReturnType<typeof stalledBody>) =>
        small.request('/inbound/raw', {
          method: 'POST',
          body: u.stream,
          headers: signRaw(secret, new Uint8Array()),
          duplex: 'half',
        } as RequestInit)
      // Two fill the budget, one after the other, and stall at their last byte …
      const answers: (Response | Promise<Response>)[] = []
      for (const u of uploads.slice(0, 2)) {
        answers.push(send(u))
        while (u.produced() < MB) await new Promise((resolve) => setTimeout(resolve, 10))
      }
      // … so the other six wait for room, in vain.
      answers.push(...uploads.slice(2).map(send))
      const refused = await Promise.all(answers.slice(2))
      const held = uploads.reduce((n, u) => n + u.produced(), 0)
      expect(held).toBeLessThanOrEqual(2 * MB + 8 * 128 * 1024)
      expect(refused.map((r) => [r.status, r.headers.get('retry-after')])).toEqual(Array.from({ length: 6 }, () => [503, '5']))
      for (const u of uploads) u.finish()
      // The two that were read to the end are judged (the bytes are not what was signed).
      expect((await Promise.all(answers.slice(0, 2))).map((r) => r.status)).toEqual([401, 401])
      // Their bytes are back in the budget: a real message goes through.
      const raw = buildEml({ to: `escalations@${org.slug}.test` })
      const res = await small.request('/inbound/raw', { method: 'POST', body: raw as BodyInit, headers: signRaw(secret, raw) })
      expect((await res.json()).status).toBe('created')
    },
  )
})
