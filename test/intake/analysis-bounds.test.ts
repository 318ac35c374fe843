import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { createAnalysisPool } from '../../src/intake/analysis-pool.ts'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { orgContext } from '../../src/intake/org-context.ts'
import { defaultLimits } from '../../src/intake/parse.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { seedOrg, testDb } from '../support/db.ts'
import { rawRowsFor, signRaw } from '../support/inbound.ts'

// Customer mail is hostile: a message's analysis is bounded in time and memory and runs off the
// event loop. These tests go through the worker pool the server uses (createTestApp passes one).

const secret = 'analysis-bounds-secret-0123456789'
const encode = (text: string) => new TextEncoder().encode(text)

/** A message with an HTML body, alone or beside a short plain-text part (multipart/alternative). */
function htmlMail(html: string, withText: boolean): Uint8Array {
  const head = [
    'From: Pat <pat@customer.test>',
    'To: escalations@example.com',
    'Subject: Complaint about my order',
    `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
    'MIME-Version: 1.0',
  ]
  const part = (type: string, body: string) => `Content-Type: text/${type}; charset=utf-8\r\n\r\n${body}`
  const body = withText
    ? [
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        part('plain', 'Hello, my order never arrived.'),
        '--alt',
        part('html', html),
        '--alt--',
        '',
      ]
    : [part('html', html), '']
  return encode([...head, ...body].join('\r\n'))
}

/** Ordinary HTML mail of about `chars` characters: paragraphs, a table, links. */
function ordinaryHtml(chars: number): string {
  const block =
    '<p>Hello, my order <b>#4411</b> never arrived and <a href="https://shop.example/track">tracking</a> says nothing.</p>' +
    '<table><tr><td>Item</td><td>Price</td></tr><tr><td>Lamp</td><td>$40</td></tr></table><div>Regards,<br>Pat</div>\n'
  return `<html><body>${block.repeat(Math.ceil(chars / block.length)).slice(0, chars)}</body></html>`
}

/**
 * Text that made our own patterns (or the forward parser we feed) backtrack: each took seconds to
 * hours of one thread at these sizes. With bounded repetition, whitespace and runs shrunk before
 * the forward patterns, and the quoted-name trim done without a pattern, each is milliseconds.
 */
const backtrackingTexts: [string, string, string][] = [
  ['"complaint no" + 100,000 spaces (three \\s* in a row: cubic)', 'Complaint', `complaint no${' '.repeat(100_000)}x`],
  ['"case number" + 100,000 tabs', 'Complaint', `case number${'\t'.repeat(100_000)}x`],
  ['"matter no" + 100,000 spaces', 'Complaint', `matter no${' '.repeat(100_000)}x`],
  ['100,000 "1," (a count tried at every digit)', 'Complaint', '1,'.repeat(100_000)],
  ['a run of 100,000 digits before "seats"', 'Complaint', `${'1'.repeat(100_000)}x seats`],
  [
    '50,000 quoted blank lines after a forward marker',
    'Complaint',
    `---------- Forwarded message ---------\nFrom: ${'\n>'.repeat(50_000)}`,
  ],
  ['a line of 100,000 spaces in a forward', 'Fwd: complaint', ' '.repeat(100_000)],
  ['50,000 "\\n \\t" lines in a forward', 'Fwd: complaint', ' \n\t'.repeat(50_000)],
  [
    'a quoted header whose sender is 50,000 quotes',
    'Fwd: complaint',
    `From: ${'"'.repeat(50_000)}x\nDate: Mon, 19 Jan 2026 09:00:00 +0000\nSubject: s\n\nbody`,
  ],
  ['200 KB of "<[" for the forward patterns', 'Fwd: complaint', '<['.repeat(100_000)],
]

describe('analysis of text built to make patterns backtrack', () => {
  const mail = (subject: string, text: string) =>
    encode(['From: Pat <pat@customer.test>', `Subject: ${subject}`, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n'))
  const timed = async (raw: Uint8Array) => {
    const started = performance.now()
    const analysis = await analyzeMessage(raw, orgContext())
    return { analysis, ms: performance.now() - started }
  }
  const prose = 'Hello, my order #4411 never arrived, and nobody at support answers my mail.\n'

  // Under 1 s, or under five times what ordinary prose of the same length takes in the same run
  // when the machine is slower than that: a pattern that backtracks takes seconds to hours here.
  it.each(backtrackingTexts)('%s: analysed in under 1 s (or 5x ordinary text of its length)', async (_label, subject, text) => {
    const ordinary = await timed(mail(subject, prose.repeat(Math.ceil(text.length / prose.length)).slice(0, text.length)))
    const { analysis, ms } = await timed(mail(subject, text))
    expect(analysis.ok).toBe(true)
    expect(Math.round(ms)).toBeLessThan(Math.max(1000, 5 * ordinary.ms))
  })
})

describe('analysis bounds', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  const post = async (raw: Uint8Array) => {
    const target = `/inbound/raw?org=${org.slug}`
    const started = performance.now()
    const res = await app.request(target, {
      method: 'POST',
      body: raw as BodyInit,
      headers: { 'content-type': 'message/rfc822', ...signRaw(secret, raw, { target }) },
    })
    return { status: res.status, body: await res.json(), ms: performance.now() - started }
  }

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    app = createTestApp(db, { env: testEnv({ INBOUND_SECRET: secret }) })
    await post(htmlMail(ordinaryHtml(1000), false)) // starts the analysis worker
  })
  afterAll(() => db.end())

  it(
    'takes no longer for "Hello " + 300,000 "<" in HTML, alone or beside a text part, than for ordinary HTML of that size',
    { timeout: 120_000 },
    async () => {
      const hostile = `Hello ${'<'.repeat(300_000)}`
      const fastest = async (make: () => Uint8Array) => {
        const runs = []
        for (let i = 0; i < 3; i++) {
          const run = await post(make())
          expect(run.status).toBe(200)
          expect(run.body.status).toBe('created')
          runs.push(run.ms)
        }
        return Math.min(...runs)
      }
      for (const withText of [false, true]) {
        const ordinary = await fastest(() => htmlMail(ordinaryHtml(hostile.length), withText))
        const quadratic = await fastest(() => htmlMail(hostile, withText))
        expect({ withText, hostileMs: Math.round(quadratic), under3x: quadratic < 3 * ordinary }).toEqual({
          withText,
          hostileMs: Math.round(quadratic),
          under3x: true,
        })
      }
    },
  )

  it(
    'quarantines a message whose analysis runs past the time limit, keeps its raw bytes, and goes on with a fresh worker',
    { timeout: 60_000 },
    async () => {
      // The slow message alone gets 100 ms (its own limits), not enough for 200 KB of "<[" through
      // the forward patterns (300-700 ms): the worker is stopped mid-analysis. The mail before
      // and after it has the default limit, so a busy machine cannot make them the slow ones.
      const strict = createAnalysisPool({ size: 1 })
      const tight = { ...defaultLimits, parseTimeoutMs: 100 }
      try {
        const warm = await ingestMessage(db, {
          orgId: org.id,
          raw: htmlMail(ordinaryHtml(2000), true),
          provider: 'test',
          analyze: strict.analyze,
        })
        expect(warm.status).toBe('created')
        const slow = encode(
          [
            'From: Pat <pat@customer.test>',
            'Subject: Fwd: complaint',
            `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
            'Content-Type: text/plain; charset=utf-8',
            '',
            '<['.repeat(100_000),
            '',
          ].join('\r\n'),
        )
        const outcome = await ingestMessage(db, { orgId: org.id, raw: slow, provider: 'test', analyze: strict.analyze, limits: tight })
        expect(outcome).toMatchObject({ status: 'quarantined', case: null, reason: 'parsing took longer than 100 ms' })
        expect(await rawRowsFor(db, slow)).toMatchObject([
          { org_id: org.id, status: 'quarantined', reason: 'parsing took longer than 100 ms', raw: Buffer.from(slow) },
        ])
        const after = await ingestMessage(db, {
          orgId: org.id,
          raw: htmlMail(ordinaryHtml(2000), false),
          provider: 'test',
          analyze: strict.analyze,
        })
        expect(after.status).toBe('created')
      } finally {
        await strict.close()
      }
    },
  )

  it('quarantines a message whose analysis needs more memory than the worker may use, and goes on', { timeout: 60_000 }, async () => {
    const small = createAnalysisPool({ size: 1, memoryLimitMb: 32, timeLimitMs: 20_000 })
    try {
      // 100,000 header lines (1.7 MB): an object each in postal-mime, and copies of them in ours.
      const big = encode(
        [
          'From: Pat <pat@customer.test>',
          'Subject: big',
          `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
          ...Array.from({ length: 100_000 }, (_, i) => `X-Header-${i}: ${i}`),
          'Content-Type: text/plain',
          '',
          'body',
          '',
        ].join('\r\n'),
      )
      const outcome = await ingestMessage(db, { orgId: org.id, raw: big, provider: 'test', analyze: small.analyze })
      expect(outcome).toMatchObject({ status: 'quarantined', reason: 'analysing the message needed more than 32 MB of memory' })
      expect(await rawRowsFor(db, big)).toMatchObject([{ status: 'quarantined', raw: Buffer.from(big) }])
      const after = await ingestMessage(db, {
        orgId: org.id,
        raw: htmlMail('<p>short</p>', false),
        provider: 'test',
        analyze: small.analyze,
      })
      expect(after.status).toBe('created')
    } finally {
      await small.close()
    }
  })
})
