import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml, seedOrg, seedUser } from '../support/db.ts'
import { multipart, nowSeconds, signRaw } from '../support/inbound.ts'
import { freePort, startServer, type Server } from '../support/process.ts'

// Attack suite: oversized and deeply nested bodies, against the real server process
// (so "stays up" means the process, not a test harness). Forms over their limit are 413 without
// being read whole; JSON nesting bombs are a 400; MIME bombs (1,000 parts, 100 levels of attached
// messages, thousands of nested multiparts, 100,000 headers) are answered with an outcome,
// quarantined when over a limit; the server keeps serving throughout.

const secret = `raw-${randomBytes(16).toString('hex')}`
const postmarkToken = randomBytes(16).toString('hex')
const mailgunKey = `key-${randomBytes(16).toString('hex')}`
const sendgridToken = randomBytes(16).toString('hex')
const resendSecret = `whsec_${randomBytes(24).toString('base64')}`
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024
const MB = 1024 * 1024
// Each message's answer must come within this. Ordinary mail takes milliseconds; a parse that
// turned quadratic again (120,000 "<" froze the server for 27 s) would not.
const MESSAGE_BUDGET_MS = 3_000

const crlf = (lines: string[]) => lines.join('\r\n')

/**
 * Mail whose cost is after MIME parsing (HTML to text, forward detection, classification), each
 * once minutes of the server's only thread: HTML of "Hello " + 300,000 "<", alone and beside a
 * text part, 100,000 nested tags, a run of spaces inside a complaint reference, quoted blank lines
 * after a forward marker, brackets for the forward patterns.
 */
function costlyMail(to: string): [string, string][] {
  const head = (subject: string) => [
    `From: Pat <pat@customer.test>`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${randomUUID()}@customer.test>`,
    'MIME-Version: 1.0',
  ]
  const part = (type: string, body: string) => `Content-Type: text/${type}; charset=utf-8\r\n\r\n${body}`
  const html = (subject: string, body: string) => crlf([...head(subject), part('html', body), ''])
  const text = (subject: string, body: string) => crlf([...head(subject), part('plain', body), ''])
  const lt = `Hello ${'<'.repeat(300_000)}`
  return [
    ['HTML-only "Hello " + 300,000 "<"', html('lt', lt)],
    [
      '300,000 "<" in HTML beside a text part',
      crlf([
        ...head('lt beside text'),
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        part('plain', 'Hello.'),
        '--alt',
        part('html', lt),
        '--alt--',
        '',
      ]),
    ],
    ['100,000 nested tags', html('nested', '<div><b>'.repeat(50_000) + 'deep')],
    ['"complaint no" and 100,000 spaces', text('spaces', `complaint no${' '.repeat(100_000)}12345678`)],
    [
      '100,000 quoted blank lines after a forward marker',
      text('Fwd: quoted', `---------- Forwarded message ---------\r\nFrom: ${'\r\n>'.repeat(100_000)}`),
    ],
    ['200 KB of "<[" for the forward patterns', text('Fwd: brackets', '<['.repeat(100_000))],
  ]
}

describe('oversized and deeply nested bodies against the real server', () => {
  let name: string
  let db: Db
  let server: Server
  let org: Org
  let cookie: string
  let caseId: string
  const to = () => `escalations@${org.slug}.test`

  beforeAll(async () => {
    name = testDatabaseName('attack_bodies')
    const url = await withDatabase(name)
    const port = await freePort()
    server = await startServer({
      DATABASE_URL: url,
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      DESK_DEMO: '0',
      INBOUND_SECRET: secret,
      MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
      POSTMARK_INBOUND_TOKEN: postmarkToken,
      MAILGUN_SIGNING_KEY: mailgunKey,
      SENDGRID_INBOUND_TOKEN: sendgridToken,
      RESEND_WEBHOOK_SECRET: resendSecret,
      RESEND_API_KEY: 're_test_key',
      RESEND_BASE_URL: 'http://127.0.0.1:9',
    }) // migrates the new database on start
    db = connect(url, { max: 4 })
    org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    cookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    caseId = (await seedCase(db, org.id, { to: to() })).id
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    await db?.end()
    if (name) await dropDatabase(name)
  })

  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      headers: { origin: server.url, accept: 'application/json', ...headers },
      duplex: 'half',
    } as RequestInit)
  const raw = (bytes: Uint8Array) => {
    const path = `/inbound/raw?org=${org.slug}`
    return post(path, bytes as Uint8Array<ArrayBuffer>, { 'content-type': 'message/rfc822', ...signRaw(secret, bytes, { target: path }) })
  }
  const alive = async () => {
    expect(server.child.exitCode).toBeNull()
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  }
  /**
   * Posts an upload the server should refuse, on a connection of its own, `total` bytes sent in
   * chunks (no Content-Length unless `declared`). The server answers 413 at once, reads what is
   * still coming for at most 500 ms, then closes the socket (@hono/node-server): a client still
   * sending may see the close before the answer ('closed'), a refusal all the same.
   */
  function upload(path: string, headers: Record<string, string>, total: number, declared = false, fill = 0x61): Promise<number | 'closed'> {
    return new Promise((resolve) => {
      const req = request(
        `${server.url}${path}`,
        {
          method: 'POST',
          agent: false,
          headers: { origin: server.url, accept: 'application/json', ...headers, ...(declared ? { 'content-length': String(total) } : {}) },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', () => resolve('closed'))
      const chunk = Buffer.alloc(64 * 1024, fill)
      let sent = 0
      const pump = () => {
        while (sent < total && !req.destroyed) {
          const size = Math.min(chunk.length, total - sent)
          sent += size
          if (!req.write(chunk.subarray(0, size))) return void req.once('drain', pump)
        }
        if (!req.destroyed) req.end()
      }
      pump()
    })
  }
  const refused = [413, 'closed']

  it('refuses every portal form over 1 MB with 413, declared or streamed, and changes nothing', async () => {
    const notes = async () =>
      (await withOrg(db, org.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from messages where direction = 'note'`))[0]!.n
    const before = await notes()
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie }
    for (const path of [
      `/cases/${caseId}/notes`,
      '/cases',
      '/sign-in',
      '/admin/users',
      '/admin/settings',
      `/cases/${caseId}/drafts`,
      '/approve',
    ]) {
      expect({ path, declared: refused.includes(await upload(path, form, 1.5 * MB, true)) }).toEqual({ path, declared: true })
      expect({ path, streamed: refused.includes(await upload(path, form, 3 * MB)) }).toEqual({ path, streamed: true })
    }
    // The CSV upload has its own, larger limit. (That the limit stops reading early, so memory
    // stays bounded, is checked in process by test/intake/webhooks/raw.test.ts; over a socket
    // Node drains what the client still sends.)
    expect(refused).toContain(
      await upload('/import/preview', { 'content-type': 'multipart/form-data; boundary=x', cookie }, 40 * MB, false, 0x2c),
    )
    expect(await notes()).toBe(before)
    await alive()
  })

  it('survives forms under the limit built to be expensive: 100,000 fields, deep field names, 10,000 parts', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie }
    const many = Array.from({ length: 100_000 }, (_, i) => `f${i % 1000}=1`).join('&') + '&text=many'
    const deep = `a${'[b]'.repeat(100_000)}=1&text=deep`
    const dotted = `${Array.from({ length: 50_000 }, () => 'x').join('.')}=1&text=dots`
    const parts = multipart(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, 'v'])))
    for (const body of [many, deep, dotted, parts.body]) expect(body.length).toBeLessThan(MB)
    const responses = [
      await post(`/cases/${caseId}/notes`, many, form),
      await post(`/cases/${caseId}/notes`, deep, form),
      await post(`/cases/${caseId}/notes`, dotted, form),
      await post(`/cases/${caseId}/notes`, parts.body as Uint8Array<ArrayBuffer>, { 'content-type': parts.contentType, cookie }),
      await post('/inbound/mailgun/mime', parts.body as Uint8Array<ArrayBuffer>, { 'content-type': parts.contentType }),
      await post(`/inbound/sendgrid?token=${sendgridToken}`, parts.body as Uint8Array<ArrayBuffer>, { 'content-type': parts.contentType }),
    ]
    expect(responses.map((r) => r.status).filter((s) => s >= 500)).toEqual([])
    await alive()
  })

  it('answers JSON nesting bombs and oversized events with a 4xx', async () => {
    const pm = (body: string) => post(`/inbound/postmark?token=${postmarkToken}`, body, { 'content-type': 'application/json' })
    const arrays = '['.repeat(500_000) + ']'.repeat(500_000)
    const objects = '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000)
    const unclosed = '['.repeat(1_000_000)
    const headersBomb = JSON.stringify({
      MessageID: randomUUID(),
      Headers: Array.from({ length: 100_000 }, (_, i) => ({ Name: `X-${i}`, Value: 'v' })),
    })
    for (const [label, res] of [
      ['arrays', await pm(arrays)],
      ['objects', await pm(objects)],
      ['unclosed', await pm(unclosed)],
      ['nested inside a field', await pm(`{"MessageID":"x","Headers":${arrays}}`)],
    ] as const) {
      expect({ label, status: res.status }).toEqual({ label, status: 400 })
    }
    expect((await pm(headersBomb)).status).toBeLessThan(500)
    // Resend events are metadata: an unsigned one is refused before it is read, one over 1 MB with
    // plausible signature headers unread too; a signed nesting bomb is a 4xx.
    expect([401, 'closed']).toContain(await upload('/inbound/resend', { 'content-type': 'application/json' }, 3 * MB))
    const plausible = {
      'content-type': 'application/json',
      'webhook-id': `msg_${randomBytes(8).toString('hex')}`,
      'webhook-timestamp': String(nowSeconds()),
      'webhook-signature': `v1,${randomBytes(32).toString('base64')}`,
    }
    expect(refused).toContain(await upload('/inbound/resend', plausible, 3 * MB))
    const id = `msg_${randomBytes(8).toString('hex')}`
    const at = new Date()
    const signed = new Webhook(resendSecret).sign(id, at, arrays.slice(0, 400_000) + arrays.slice(-400_000))
    const bomb = await post('/inbound/resend', arrays.slice(0, 400_000) + arrays.slice(-400_000), {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signed,
    })
    expect(bomb.status).toBeGreaterThanOrEqual(400)
    expect(bomb.status).toBeLessThan(500)
    await alive()
  })

  it('answers /healthz within 1 s while costly mail is being ingested', { timeout: 60_000 }, async () => {
    let ingesting = true
    const probes: number[] = []
    const probing = (async () => {
      while (ingesting) {
        const t0 = performance.now()
        const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null)
        probes.push(res?.ok ? performance.now() - t0 : Infinity)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    try {
      for (const [label, text] of costlyMail(to())) {
        const res = await raw(new TextEncoder().encode(text))
        expect({ label, status: res.status }).toEqual({ label, status: 200 })
        expect({ label, status: (await res.json()).status }).toEqual({ label, status: 'created' })
      }
    } finally {
      ingesting = false
      await probing
    }
    // The probes ran all along (the ingests took a while), and every one was answered at once.
    expect(probes.length).toBeGreaterThanOrEqual(5)
    expect(Math.round(Math.max(...probes))).toBeLessThan(1000)
    await alive()
  })

  it('quarantines or files MIME bombs with a reason, answering 200, and keeps serving', async () => {
    const head = (subject: string) => [
      `From: Bomb <bomb@customer.test>`,
      `To: ${to()}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomUUID()}@customer.test>`,
      'MIME-Version: 1.0',
    ]
    // 1,000 parts.
    const parts = crlf([
      ...head('1000 parts'),
      'Content-Type: multipart/mixed; boundary="p"',
      '',
      ...Array.from({ length: 1000 }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}`),
      '--p--',
      '',
    ])
    // 100 levels of attached messages (message/rfc822 inside message/rfc822 …).
    let nested = crlf([...head('the innermost complaint'), 'Content-Type: text/plain', '', 'The original complaint.', ''])
    for (let i = 0; i < 100; i++) {
      nested = crlf([
        ...head(`Fwd level ${i}`),
        `Content-Type: multipart/mixed; boundary="n${i}"`,
        '',
        `--n${i}`,
        'Content-Type: text/plain',
        '',
        'See attached.',
        `--n${i}`,
        'Content-Type: message/rfc822',
        '',
        nested,
        `--n${i}--`,
        '',
      ])
    }
    // Multiparts nested in each other, one part each: 5,000 deep, and 400 deep (under the part limit).
    const nestedMultiparts = (depth: number) => {
      let open = ''
      let close = ''
      for (let i = 0; i < depth; i++) {
        open += `--m${i}\r\nContent-Type: multipart/mixed; boundary="m${i + 1}"\r\n\r\n`
        close = `\r\n--m${i}--` + close
      }
      return crlf([
        ...head(`${depth} nested multiparts`),
        'Content-Type: multipart/mixed; boundary="m0"',
        '',
        `${open}--m${depth}\r\nContent-Type: text/plain\r\n\r\nbottom\r\n--m${depth}--${close}`,
        '',
      ])
    }
    // 100,000 header lines, 200 inline forwards quoted in each other, a 1.5 MB header.
    const headers = crlf([
      ...head('100k headers'),
      ...Array.from({ length: 100_000 }, (_, i) => `X-H${i}: ${i}`),
      'Content-Type: text/plain',
      '',
      'body',
      '',
    ])
    const forwards = crlf([
      ...head('200 inline forwards'),
      'Content-Type: text/plain',
      '',
      ...Array.from({ length: 200 }, (_, i) =>
        `---------- Forwarded message ---------\r\nFrom: Person ${i} <p${i}@customer.test>\r\nDate: Mon, 19 Jan 2026 09:00:00 +0000\r\nSubject: Fwd ${i}\r\nTo: <x@example.com>\r\n\r\n> `.repeat(
          1,
        ),
      ),
      'the end',
      '',
    ])
    const longHeader = crlf([...head('long header'), `X-Long: ${'a'.repeat(1.5 * MB)}`, 'Content-Type: text/plain', '', 'body', ''])
    // Values longer than any real one, that no index can hold (random, so they do not compress).
    const noise = (n: number) => randomBytes(n).toString('hex').slice(0, n)
    const longIds = crlf([
      `From: Pat <pat@customer.test>`,
      `To: ${to()}`,
      'Subject: long ids',
      `Message-ID: <${noise(6000)}@x.test>`,
      `In-Reply-To: <${noise(6000)}@x.test>`,
      `References: ${Array.from({ length: 50 }, () => `<${noise(3000)}@x.test>`).join(' ')}`,
      '',
      'body',
      '',
    ])
    const longFrom = crlf([
      `From: "${noise(3000)}" <${noise(6000)}@customer.test>`,
      `To: ${to()}`,
      'Subject: long from',
      `Message-ID: <${randomUUID()}@x.test>`,
      '',
      'body',
      '',
    ])
    const longQuoted = crlf([
      ...head('Fwd: long quoted sender'),
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please look.',
      '',
      '---------- Forwarded message ---------',
      `From: Ünïcödé <${'é'.repeat(1900)}@customer.test>`,
      'Date: Mon, 19 Jan 2026 09:00:00 +0000',
      'Subject: the original',
      'To: <ceo@example.com>',
      '',
      'The original complaint.',
      '',
    ])

    const expectations: [string, string, RegExp | null][] = [
      ['1,000 parts', parts, /MIME parts|part limit/],
      ['100 levels of attached messages', nested, null],
      ['5,000 nested multiparts', nestedMultiparts(5000), /part limit/],
      ['400 nested multiparts', nestedMultiparts(400), null],
      ['100,000 header lines', headers, null],
      ['200 inline forwards', forwards, null],
      ['a 1.5 MB header', longHeader, null],
      ['6 KB Message-IDs and References', longIds, null],
      ['a 6 KB From address', longFrom, null],
      ['a forward quoting a 1,900-character address', longQuoted, null],
      ...costlyMail(to()).map(([label, text]): [string, string, RegExp | null] => [label, text, null]),
    ]
    for (const [label, text, reason] of expectations) {
      const started = Date.now()
      const res = await raw(new TextEncoder().encode(text))
      const body = await res.json()
      expect({ label, status: res.status }).toEqual({ label, status: 200 })
      expect(['created', 'quarantined']).toContain(body.status)
      if (body.status === 'quarantined') expect(body.reason).toMatch(/^[^\n]{5,300}$/)
      if (reason) expect({ label, reason: body.reason }).toEqual({ label, reason: expect.stringMatching(reason) })
      expect({ label, fast: Date.now() - started < MESSAGE_BUDGET_MS }).toEqual({ label, fast: true })
      await alive()
    }
    // The same bombs through the providers that wrap the message.
    const ts = nowSeconds()
    const token = randomBytes(25).toString('hex')
    const mg = multipart({
      timestamp: String(ts),
      token,
      signature: createHmac('sha256', mailgunKey).update(`${ts}${token}`).digest('hex'),
      recipient: to(),
      'body-mime': parts,
    })
    expect(
      (await (await post('/inbound/mailgun/mime', mg.body as Uint8Array<ArrayBuffer>, { 'content-type': mg.contentType })).json()).status,
    ).toBe('quarantined')
    const sg = multipart({ email: nested, envelope: JSON.stringify({ to: [to()] }) })
    expect(
      (await post(`/inbound/sendgrid?token=${sendgridToken}`, sg.body as Uint8Array<ArrayBuffer>, { 'content-type': sg.contentType }))
        .status,
    ).toBe(200)
    const attachments = Array.from({ length: 2000 }, (_, i) => ({ Name: `a${i}.txt`, Content: 'eA==', ContentType: 'text/plain' }))
    const pm = await post(
      `/inbound/postmark?token=${postmarkToken}`,
      JSON.stringify({
        MessageID: randomUUID(),
        From: 'bomb@customer.test',
        To: to(),
        ToFull: [{ Email: to() }],
        Subject: '2000 attachments',
        TextBody: 'x',
        Attachments: attachments,
      }),
      { 'content-type': 'application/json' },
    )
    expect((await pm.json()).status).toBe('quarantined')

    // Over the message limit: 413, unread.
    expect(refused).toContain(
      await upload(
        `/inbound/raw?org=${org.slug}`,
        { 'content-type': 'message/rfc822', ...signRaw(secret, new Uint8Array(), { target: `/inbound/raw?org=${org.slug}` }) },
        3 * MB,
      ),
    )
    // And ordinary mail still goes through.
    expect((await (await raw(buildEml({ to: to() }))).json()).status).toBe('created')
    await alive()
  })
})
